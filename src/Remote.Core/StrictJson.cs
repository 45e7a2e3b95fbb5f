using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DotnetRemote.Core;

/// <summary>
/// JSON from files, servers and pipes, read so that every defect is a <see cref="JsonException"/> at parse time:
/// duplicate members are refused, and strings holding an escaped lone surrogate (<c>"\ud800"</c>) are found before
/// a lazily read value could throw later, anywhere. A .NET string is read as UTF-8 with replacement characters.
/// </summary>
public static class StrictJson
{
    public static JsonNode? ParseNode(string json, JsonDocumentOptions options = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        return ParseNode(Encoding.UTF8.GetBytes(json), options);
    }

    public static JsonNode? ParseNode(ReadOnlySpan<byte> utf8, JsonDocumentOptions options = default)
    {
        options.AllowDuplicateProperties = false;
        Validate(utf8, options);
        return JsonNode.Parse(utf8, documentOptions: options);
    }

    public static JsonDocument ParseDocument(string json, JsonDocumentOptions options = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        var utf8 = Encoding.UTF8.GetBytes(json);
        options.AllowDuplicateProperties = false;
        Validate(utf8, options);
        return JsonDocument.Parse(utf8, options);
    }

    private static void Validate(ReadOnlySpan<byte> utf8, JsonDocumentOptions options)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            AllowTrailingCommas = options.AllowTrailingCommas,
            CommentHandling = options.CommentHandling,
            MaxDepth = options.MaxDepth,
        });
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
            {
                try
                {
                    _ = reader.GetString();
                }
                catch (InvalidOperationException ex)
                {
                    throw new JsonException($"a string holds an invalid escape (a lone surrogate) at byte {reader.TokenStartIndex}", ex);
                }
            }
        }
    }
}

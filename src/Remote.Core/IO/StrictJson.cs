using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DotnetRemote.Core.IO;

/// <summary>
/// JSON from files, servers and pipes, read so that every defect is a <see cref="JsonException"/> at parse time:
/// duplicate members are refused, and strings holding an escaped lone surrogate (<c>"\ud800"</c>) are found before
/// a lazily read value could throw later, anywhere. A .NET string is read as UTF-8 with replacement characters.
/// Duplicates are found here rather than by <see cref="JsonDocumentOptions.AllowDuplicateProperties"/>: its check
/// seeds a hash with the cryptographic random generator, which loads OpenSSL (milliseconds, in the credential helper
/// that docker runs on every pull and push).
/// </summary>
internal static class StrictJson
{
    public static JsonNode? ParseNode(string json, JsonDocumentOptions options = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        return ParseNode(Encoding.UTF8.GetBytes(json), options);
    }

    public static JsonNode? ParseNode(ReadOnlySpan<byte> utf8, JsonDocumentOptions options = default)
    {
        Validate(utf8, options);
        return JsonNode.Parse(utf8, documentOptions: options);
    }

    public static JsonDocument ParseDocument(string json, JsonDocumentOptions options = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        var utf8 = Encoding.UTF8.GetBytes(json);
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
        // The member names of every object being read, innermost last (null for an array).
        var objects = new Stack<HashSet<string>?>();
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    objects.Push(new HashSet<string>(StringComparer.Ordinal));
                    break;
                case JsonTokenType.StartArray:
                    objects.Push(null);
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    objects.Pop();
                    break;
                case JsonTokenType.PropertyName:
                    var name = Read(ref reader);
                    if (!objects.Peek()!.Add(name))
                    {
                        throw new JsonException($"Duplicate property '{name}' at byte {reader.TokenStartIndex}");
                    }

                    break;
                case JsonTokenType.String when reader.ValueIsEscaped:
                    _ = Read(ref reader);
                    break;
            }
        }
    }

    private static string Read(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            throw new JsonException($"a string holds an invalid escape (a lone surrogate) at byte {reader.TokenStartIndex}", ex);
        }
    }
}

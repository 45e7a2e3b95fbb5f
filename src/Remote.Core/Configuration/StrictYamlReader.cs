using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Configuration;

/// <summary>
/// A strict recursive-descent walk over YamlDotNet parser events (no reflection, AOT-safe); each Read* consumes
/// exactly one node (aliases arrive expanded). Unknown or repeated keys are errors that name the file and line, as Apptainer's decoder has them.
/// </summary>
internal sealed partial class StrictYamlReader(IParser parser, string filePath)
{
    /// <summary>The line of the node about to be read (1-based).</summary>
    public int Line => parser.Current is { } current ? (int)current.Start.Line : 0;

    public string FilePath => filePath;

    /// <summary>A reader over YAML text, aliases expanded.</summary>
    public static StrictYamlReader ForText(string text, string filePath) =>
        new(new AliasExpandingParser(new Parser(new StringReader(text))), filePath);

    /// <summary>
    /// Reads a whole stream holding one document; an empty stream or document reads nothing. A syntax error is a
    /// <see cref="ConfigFileException"/> with its line, like every other problem of the file.
    /// </summary>
    public void ReadDocument(Action readRoot)
    {
        try
        {
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _))
            {
                return;
            }

            parser.Consume<DocumentStart>();
            if (IsNullNode())
            {
                parser.Consume<Scalar>();
            }
            else
            {
                readRoot();
            }

            parser.Consume<DocumentEnd>();
            if (!parser.TryConsume<StreamEnd>(out _))
            {
                throw Error(parser.Current!.Start, "more than one YAML document");
            }
        }
        catch (YamlException ex)
        {
            throw new ConfigFileException(filePath, ex.Start.Line > 0 ? (int)ex.Start.Line : null, "invalid YAML: " + PositionPrefix().Replace(ex.Message, ""), ex);
        }
    }

    /// <summary>A mapping onto a fixed set of fields; <paramref name="readField"/> returns false for unknown keys.</summary>
    /// <param name="allowed">When given, an unknown field's error lists the fields allowed there (manifests).</param>
    public void ReadStruct(string typeName, Func<string, bool> readField, IReadOnlyList<string>? allowed = null)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        ReadMapping(key =>
        {
            if (!seen.Add(key.Value))
            {
                throw Error(key.Start, $"field {key.Value} already set in type {typeName}");
            }

            if (!readField(key.Value))
            {
                throw Error(key.Start, allowed is null
                    ? $"field {key.Value} not found in type {typeName}"
                    : $"field {key.Value} not found in type {typeName} (allowed here: {string.Join(", ", allowed)})");
            }
        });
    }

    /// <summary>A mapping with free keys (remote names); a repeated key is an error.</summary>
    public void ReadMap(Action<string> readValue)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        ReadMapping(key =>
        {
            if (!seen.Add(key.Value))
            {
                throw Error(key.Start, $"key \"{key.Value}\" already set in map");
            }

            readValue(key.Value);
        });
    }

    public void ReadSequence(Action readItem)
    {
        if (IsNullNode())
        {
            parser.Consume<Scalar>();
            return;
        }

        Expect<SequenceStart>("a list");
        while (!parser.TryConsume<SequenceEnd>(out _))
        {
            readItem();
        }
    }

    public string ReadString()
    {
        var scalar = Expect<Scalar>("a string");
        return scalar.IsPlainImplicit && YamlScalars.IsNull(scalar.Value) ? "" : scalar.Value;
    }

    public bool ReadBool()
    {
        var scalar = Expect<Scalar>("a boolean");
        if (scalar.IsPlainImplicit && YamlScalars.IsNull(scalar.Value))
        {
            return false;
        }

        return scalar.IsPlainImplicit && YamlScalars.ParseBool(scalar.Value) is bool value
            ? value
            : throw Error(scalar.Start, $"cannot unmarshal !!str `{scalar.Value}` into bool");
    }

    public int ReadInt()
    {
        var scalar = Expect<Scalar>("a number");
        return int.TryParse(scalar.Value, out var value)
            ? value
            : throw Error(scalar.Start, $"cannot unmarshal `{scalar.Value}` into a number");
    }

    public ConfigFileException Error(int line, string detail) => new(filePath, line > 0 ? line : null, detail);

    /// <summary>Reads a mapping (or a null node, as an empty one), handing each key to <paramref name="readEntry"/>, which reads its value.</summary>
    private void ReadMapping(Action<Scalar> readEntry)
    {
        if (IsNullNode())
        {
            parser.Consume<Scalar>();
            return;
        }

        Expect<MappingStart>("a mapping");
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            readEntry(Expect<Scalar>("a key"));
        }
    }

    private bool IsNullNode() =>
        parser.Current is Scalar { IsPlainImplicit: true } scalar && YamlScalars.IsNull(scalar.Value);

    private T Expect<T>(string what)
        where T : ParsingEvent
    {
        var current = parser.Current ?? throw Error(Mark.Empty, "unexpected end of file");
        if (current is not T expected)
        {
            throw Error(current.Start, $"expected {what}, found {Describe(current)}");
        }

        parser.MoveNext();
        return expected;
    }

    private static string Describe(ParsingEvent e) => e switch
    {
        MappingStart => "a mapping",
        SequenceStart => "a list",
        Scalar s => $"`{s.Value}`",
        _ => e.GetType().Name,
    };

    private ConfigFileException Error(Mark mark, string detail) => Error((int)mark.Line, detail);

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex PositionPrefix();
}

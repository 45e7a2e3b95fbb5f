using System.Text;
using System.Text.RegularExpressions;

namespace DotnetRemote.Core.Configuration;

/// <summary>YAML 1.1 scalar rules as go-yaml v2 applies them: which words are booleans, which strings need quotes.</summary>
internal static partial class YamlScalars
{
    private static readonly HashSet<string> TrueWords = new(StringComparer.Ordinal) { "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON" };
    private static readonly HashSet<string> FalseWords = new(StringComparer.Ordinal) { "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF" };
    private static readonly HashSet<string> NullWords = new(StringComparer.Ordinal) { "", "~", "null", "Null", "NULL" };

    public static bool IsNull(string value) => NullWords.Contains(value);

    public static bool? ParseBool(string value) =>
        TrueWords.Contains(value) ? true : FalseWords.Contains(value) ? false : null;

    /// <summary>
    /// Formats a string so any YAML reader gets the same string back (plain when that is safe). remote.yaml is written
    /// with <see cref="YamlV2Emitter"/> instead, which gives yaml.v2's exact bytes.
    /// </summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return CanBePlain(value) ? value : DoubleQuoted(value);
    }

    private static bool CanBePlain(string value) =>
        value.Length > 0
        && SafePlain().IsMatch(value)
        && !value.Contains(": ", StringComparison.Ordinal)
        && !value.Contains(" #", StringComparison.Ordinal)
        && !value.EndsWith(':')
        && !value.EndsWith(' ')
        && !IsNull(value)
        && ParseBool(value) is null
        && !LooksLikeNumberOrDate().IsMatch(value);

    private static string DoubleQuoted(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => builder.Append("\\\""),
                '\\' => builder.Append("\\\\"),
                '\n' => builder.Append("\\n"),
                '\t' => builder.Append("\\t"),
                '\r' => builder.Append("\\r"),
                < ' ' or '\u007f' => builder.Append($"\\x{(int)c:x2}"),
                _ => builder.Append(c),
            };
        }

        return builder.Append('"').ToString();
    }

    // Printable text that starts with none of YAML's indicator characters.
    [GeneratedRegex(@"^[^\s\-?:,\[\]{}#&*!|>'""%@`][^\x00-\x1f\x7f,\[\]{}]*$")]
    private static partial Regex SafePlain();

    // Ints (decimal, 0x, 0o, 0b, sexagesimal), floats, .inf/.nan and timestamps all resolve to non-strings.
    [GeneratedRegex(@"^([-+]?(0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(:[0-5]?[0-9])*|\.[0-9_]+([eE][-+]?[0-9]+)?|[0-9][0-9_]*\.[0-9_]*([eE][-+]?[0-9]+)?|[0-9][0-9_]*[eE][-+]?[0-9]+|\.(inf|Inf|INF))|\.(nan|NaN|NAN)|\d{4}-\d{1,2}-\d{1,2}.*|<<|=)$")]
    private static partial Regex LooksLikeNumberOrDate();
}

using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace DotnetRemote.Core.Configuration;

/// <summary>
/// Writes string scalars exactly as gopkg.in/yaml.v2 2.4.0 (Apptainer 1.2.5's encoder) does: its choice between plain,
/// single-quoted, double-quoted and literal style (<c>stringv</c>, <c>yaml_emitter_analyze_scalar</c>,
/// <c>yaml_emitter_select_scalar_style</c>), its escapes, and its folding of long lines at column 80. Checked byte
/// for byte against the library itself by eng/yamlv2-reference and RemoteYamlV2ReferenceTests.
/// </summary>
internal static partial class YamlV2Emitter
{
    private const int BestWidth = 80;
    private const int BestIndent = 2;

    private enum Style
    {
        Plain,
        SingleQuoted,
        DoubleQuoted,
        Literal,
    }

    /// <summary>A mapping key (a remote's name): the line so far is the indentation; no folding in a key.</summary>
    public static void AppendKey(StringBuilder yaml, string key)
    {
        var style = SelectStyle(key, simpleKey: true);
        new Writer(yaml, indent: 0).Write(key, style, allowBreaks: false, needSpace: false);
    }

    /// <summary>
    /// A mapping value after <c>Key:</c>: a space, then the scalar; continuation lines are indented at
    /// <paramref name="keyColumn"/> + 2, as the emitter's block mapping indentation gives.
    /// </summary>
    public static void AppendValue(StringBuilder yaml, string value, int keyColumn)
    {
        var style = SelectStyle(value, simpleKey: false);
        new Writer(yaml, keyColumn + BestIndent).Write(value, style, allowBreaks: true, needSpace: true);

        // The line ends here, unless a literal scalar's last line break already ended it.
        if (yaml[^1] != '\n')
        {
            yaml.Append('\n');
        }
    }

    private static Style SelectStyle(string value, bool simpleKey)
    {
        // encoder.stringv: a string that would read back as another type is double-quoted; text with a newline
        // asks for literal style; everything else asks for plain.
        // One deliberate difference: yaml.v2 writes "<<" plain, and then reads it back as a merge key and rejects
        // its own file; it is double-quoted here, which any YAML reader (Apptainer's included) reads as "<<".
        var requested = value.Contains('\n', StringComparison.Ordinal) ? Style.Literal
            : ResolvesToString(value) && !Base60Float().IsMatch(value) && value != "<<" ? Style.Plain
            : Style.DoubleQuoted;
        var analysis = Analyze(value);
        var style = requested;
        if (simpleKey && analysis.Multiline)
        {
            style = Style.DoubleQuoted;
        }

        if (style == Style.Plain && (!analysis.BlockPlainAllowed || (value.Length == 0 && simpleKey)))
        {
            style = Style.SingleQuoted;
        }

        if (style == Style.SingleQuoted && !analysis.SingleQuotedAllowed)
        {
            style = Style.DoubleQuoted;
        }

        if (style == Style.Literal && (!analysis.BlockAllowed || simpleKey))
        {
            style = Style.DoubleQuoted;
        }

        return style;
    }

    private readonly record struct Analysis(bool Multiline, bool BlockPlainAllowed, bool SingleQuotedAllowed, bool BlockAllowed);

    /// <summary>yaml_emitter_analyze_scalar, for block context (the flow flags are not needed there).</summary>
    private static Analysis Analyze(string value)
    {
        if (value.Length == 0)
        {
            return new Analysis(false, true, true, false);
        }

        var blockIndicators = value.StartsWith("---", StringComparison.Ordinal) || value.StartsWith("...", StringComparison.Ordinal);
        bool lineBreaks = false, specialCharacters = false, leadingSpace = false, leadingBreak = false, trailingSpace = false, trailingBreak = false;
        bool breakSpace = false, spaceBreak = false, previousSpace = false, previousBreak = false;
        var precededByWhitespace = true;
        var runes = value.EnumerateRunes().ToArray();
        for (var i = 0; i < runes.Length; i++)
        {
            var c = runes[i].Value;
            var followedByWhitespace = i + 1 >= runes.Length || IsBlank(runes[i + 1].Value);
            if (i == 0)
            {
                switch (c)
                {
                    case '#' or ',' or '[' or ']' or '{' or '}' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%' or '@' or '`':
                        blockIndicators = true;
                        break;
                    case '?' or ':' when followedByWhitespace:
                        blockIndicators = true;
                        break;
                    case '-' when followedByWhitespace:
                        blockIndicators = true;
                        break;
                }
            }
            else if ((c == ':' && followedByWhitespace) || (c == '#' && precededByWhitespace))
            {
                blockIndicators = true;
            }

            if (!IsPrintable(c))
            {
                specialCharacters = true;
            }

            if (c == ' ')
            {
                leadingSpace |= i == 0;
                trailingSpace |= i == runes.Length - 1;
                breakSpace |= previousBreak;
                previousSpace = true;
                previousBreak = false;
            }
            else if (IsBreak(c))
            {
                lineBreaks = true;
                leadingBreak |= i == 0;
                trailingBreak |= i == runes.Length - 1;
                spaceBreak |= previousSpace;
                previousSpace = false;
                previousBreak = true;
            }
            else
            {
                previousSpace = false;
                previousBreak = false;
            }

            precededByWhitespace = IsBlank(c) || IsBreak(c) || c == 0;
        }

        bool blockPlain = true, singleQuoted = true, block = true;
        if (leadingSpace || leadingBreak || trailingSpace || trailingBreak)
        {
            blockPlain = false;
        }

        if (trailingSpace)
        {
            block = false;
        }

        if (breakSpace)
        {
            blockPlain = false;
            singleQuoted = false;
        }

        if (spaceBreak || specialCharacters)
        {
            blockPlain = false;
            singleQuoted = false;
            block = false;
        }

        if (lineBreaks || blockIndicators)
        {
            blockPlain = false;
        }

        return new Analysis(lineBreaks, blockPlain, singleQuoted, block);
    }

    private static bool IsBlank(int c) => c is ' ' or '\t';

    private static bool IsBreak(int c) => c is '\r' or '\n' or 0x85 or 0x2028 or 0x2029;

    /// <summary>libyaml's is_printable as yaml.v2 implements it (note: nothing above U+FFFF is printable there).</summary>
    private static bool IsPrintable(int c) =>
        c == 0x0A || (c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD && c != 0xFEFF);

    /// <summary>The emitter's output state: column (in characters), indentation, whitespace flags.</summary>
    private sealed class Writer
    {
        private readonly StringBuilder _yaml;
        private readonly int _indent;
        private int _column;
        private bool _whitespace;
        private bool _indention;

        public Writer(StringBuilder yaml, int indent)
        {
            _yaml = yaml;
            _indent = indent;
            var lineStart = yaml.Length;
            while (lineStart > 0 && yaml[lineStart - 1] != '\n')
            {
                lineStart--;
            }

            var line = yaml.ToString(lineStart, yaml.Length - lineStart);
            _column = line.EnumerateRunes().Count();
            _whitespace = line.Length == 0 || line[^1] == ' ';
            _indention = line.Trim(' ').Length == 0;
        }

        public void Write(string value, Style style, bool allowBreaks, bool needSpace)
        {
            if (needSpace && !_whitespace)
            {
                Put(' ');
            }

            var runes = value.EnumerateRunes().ToArray();
            switch (style)
            {
                case Style.Plain:
                    WritePlain(runes, allowBreaks);
                    break;
                case Style.SingleQuoted:
                    WriteSingleQuoted(runes, allowBreaks);
                    break;
                case Style.DoubleQuoted:
                    WriteDoubleQuoted(runes, allowBreaks);
                    break;
                default:
                    WriteLiteral(runes);
                    break;
            }
        }

        private void Put(char c)
        {
            _yaml.Append(c);
            _column++;
        }

        private void Put(Rune rune)
        {
            _yaml.Append(rune.ToString());
            _column++;
        }

        private void PutBreak()
        {
            _yaml.Append('\n');
            _column = 0;
        }

        private void WriteIndent()
        {
            if (!_indention || _column > _indent || (_column == _indent && !_whitespace))
            {
                PutBreak();
            }

            while (_column < _indent)
            {
                Put(' ');
            }

            _whitespace = true;
            _indention = true;
        }

        private void WritePlain(Rune[] value, bool allowBreaks)
        {
            var spaces = false;
            for (var i = 0; i < value.Length; i++)
            {
                if (value[i].Value == ' ')
                {
                    if (allowBreaks && !spaces && _column > BestWidth && !(i + 1 < value.Length && value[i + 1].Value == ' '))
                    {
                        WriteIndent();
                    }
                    else
                    {
                        Put(value[i]);
                    }

                    spaces = true;
                }
                else
                {
                    Put(value[i]);
                    _indention = false;
                    spaces = false;
                }
            }

            _whitespace = false;
            _indention = false;
        }

        private void WriteSingleQuoted(Rune[] value, bool allowBreaks)
        {
            Put('\'');
            var spaces = false;
            for (var i = 0; i < value.Length; i++)
            {
                if (value[i].Value == ' ')
                {
                    if (allowBreaks && !spaces && _column > BestWidth && i > 0 && i < value.Length - 1 && value[i + 1].Value != ' ')
                    {
                        WriteIndent();
                    }
                    else
                    {
                        Put(value[i]);
                    }

                    spaces = true;
                }
                else
                {
                    if (value[i].Value == '\'')
                    {
                        Put('\'');
                    }

                    Put(value[i]);
                    _indention = false;
                    spaces = false;
                }
            }

            Put('\'');
            _whitespace = false;
            _indention = false;
        }

        private void WriteDoubleQuoted(Rune[] value, bool allowBreaks)
        {
            Put('"');
            var spaces = false;
            var bom = value.Length > 0 && value[0].Value == 0xFEFF;
            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i].Value;
                if (!IsPrintable(c) || bom || IsBreak(c) || c == '"' || c == '\\')
                {
                    Put('\\');
                    var escape = c switch
                    {
                        0x00 => "0",
                        0x07 => "a",
                        0x08 => "b",
                        0x09 => "t",
                        0x0A => "n",
                        0x0B => "v",
                        0x0C => "f",
                        0x0D => "r",
                        0x1B => "e",
                        0x22 => "\"",
                        0x5C => "\\",
                        0x85 => "N",
                        0xA0 => "_",
                        0x2028 => "L",
                        0x2029 => "P",
                        <= 0xFF => "x" + c.ToString("X2", CultureInfo.InvariantCulture),
                        <= 0xFFFF => "u" + c.ToString("X4", CultureInfo.InvariantCulture),
                        _ => "U" + c.ToString("X8", CultureInfo.InvariantCulture),
                    };
                    foreach (var e in escape)
                    {
                        Put(e);
                    }

                    spaces = false;
                }
                else if (c == ' ')
                {
                    if (allowBreaks && !spaces && _column > BestWidth && i > 0 && i < value.Length - 1)
                    {
                        WriteIndent();
                        if (value[i + 1].Value == ' ')
                        {
                            Put('\\');
                        }
                    }
                    else
                    {
                        Put(value[i]);
                    }

                    spaces = true;
                }
                else
                {
                    Put(value[i]);
                    spaces = false;
                }
            }

            Put('"');
            _whitespace = false;
            _indention = false;
        }

        private void WriteLiteral(Rune[] value)
        {
            Put('|');
            if (value.Length > 0 && (value[0].Value == ' ' || IsBreak(value[0].Value)))
            {
                Put((char)('0' + BestIndent));
            }

            if (!IsBreak(value[^1].Value))
            {
                Put('-');
            }
            else if (value.Length == 1 || IsBreak(value[^2].Value))
            {
                Put('+');
            }

            PutBreak();
            _indention = true;
            _whitespace = true;
            var breaks = true;
            foreach (var rune in value)
            {
                if (IsBreak(rune.Value))
                {
                    _yaml.Append(rune.ToString());
                    _column = 0;
                    _indention = true;
                    breaks = true;
                }
                else
                {
                    if (breaks)
                    {
                        WriteIndent();
                    }

                    Put(rune);
                    _indention = false;
                    breaks = false;
                }
            }

        }
    }

    /// <summary>yaml.v2's resolve(): false when the plain text would read back as null, bool, int, float, timestamp or merge.</summary>
    internal static bool ResolvesToString(string value)
    {
        if (value.Length == 0)
        {
            return false;
        }

        // resolve() consults its table only for text whose first character can start a non-string ("<<" can't).
        var first = value[0];
        if (!(first is '+' or '-' or '.' or (>= '0' and <= '9') || "yYnNtTfFoO~".Contains(first, StringComparison.Ordinal)))
        {
            return true;
        }

        if (ResolveMap.Contains(value))
        {
            return false;
        }

        if (first == '.')
        {
            return !GoFloat().IsMatch(value);
        }

        if (first is not ('+' or '-' or (>= '0' and <= '9')))
        {
            return true;
        }

        if (IsTimestamp(value))
        {
            return false;
        }

        var plain = value.Replace("_", "", StringComparison.Ordinal);
        if (IsGoInt(plain) || (YamlStyleFloat().IsMatch(plain) && double.TryParse(plain, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && double.IsFinite(f)))
        {
            return false;
        }

        return !(plain.StartsWith("0b", StringComparison.Ordinal) && plain.Length > 2 && plain[2..].All(c => c is '0' or '1'))
            && !(plain.StartsWith("-0b", StringComparison.Ordinal) && plain.Length > 3 && plain[3..].All(c => c is '0' or '1'));
    }

    private static readonly HashSet<string> ResolveMap = new(StringComparer.Ordinal)
    {
        "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
        "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
        "", "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF",
        "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
    };

    /// <summary>strconv.ParseInt(s, 0, 64) or ParseUint(s, 0, 64) succeeds.</summary>
    private static bool IsGoInt(string s)
    {
        var sign = s.Length > 0 && s[0] is '+' or '-';
        var digits = sign ? s[1..] : s;
        if (digits.Length == 0)
        {
            return false;
        }

        System.Numerics.BigInteger magnitude;
        if (digits.Length > 2 && digits[0] == '0' && digits[1] is 'x' or 'X')
        {
            if (!digits[2..].All(char.IsAsciiHexDigit))
            {
                return false;
            }

            magnitude = System.Numerics.BigInteger.Parse("0" + digits[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }
        else if (digits.Length > 2 && digits[0] == '0' && digits[1] is 'o' or 'O' or 'b' or 'B')
        {
            var radix = digits[1] is 'o' or 'O' ? 8 : 2;
            if (!digits[2..].All(c => c >= '0' && c < '0' + radix))
            {
                return false;
            }

            magnitude = digits[2..].Aggregate(System.Numerics.BigInteger.Zero, (acc, c) => (acc * radix) + (c - '0'));
        }
        else if (digits[0] == '0')
        {
            if (!digits.All(c => c is >= '0' and <= '7'))
            {
                return false;
            }

            magnitude = digits.Aggregate(System.Numerics.BigInteger.Zero, (acc, c) => (acc * 8) + (c - '0'));
        }
        else
        {
            if (!digits.All(char.IsAsciiDigit))
            {
                return false;
            }

            magnitude = System.Numerics.BigInteger.Parse(digits, CultureInfo.InvariantCulture);
        }

        // ParseInt: within int64; ParseUint (no sign): within uint64.
        return s[0] == '-' ? magnitude <= new System.Numerics.BigInteger(long.MaxValue) + 1
            : magnitude <= long.MaxValue || (!sign && magnitude <= ulong.MaxValue);
    }

    /// <summary>yaml.v2's parseTimestamp: four digits and '-', then one of its time.Parse layouts.</summary>
    private static bool IsTimestamp(string s)
    {
        var match = Timestamp().Match(s);
        if (!match.Success)
        {
            return false;
        }

        int year = int.Parse(match.Groups["y"].Value, CultureInfo.InvariantCulture), month = int.Parse(match.Groups["m"].Value, CultureInfo.InvariantCulture), day = int.Parse(match.Groups["d"].Value, CultureInfo.InvariantCulture);
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(year, 1), month))
        {
            return false;
        }

        if (!match.Groups["H"].Success)
        {
            return true;
        }

        int hour = int.Parse(match.Groups["H"].Value, CultureInfo.InvariantCulture), minute = int.Parse(match.Groups["M"].Value, CultureInfo.InvariantCulture), second = int.Parse(match.Groups["S"].Value, CultureInfo.InvariantCulture);
        var zoneOk = !match.Groups["z"].Success || match.Groups["z"].Value == "Z"
            || (int.Parse(match.Groups["z"].Value[1..3], CultureInfo.InvariantCulture) < 24 && int.Parse(match.Groups["z"].Value[4..6], CultureInfo.InvariantCulture) < 60);
        return hour < 24 && minute < 60 && second < 60 && zoneOk;
    }

    [GeneratedRegex(@"^(?<y>[0-9]{4})-(?<m>[0-9]{1,2})-(?<d>[0-9]{1,2})(?:(?:[Tt](?<H>[0-9]{1,2}):(?<M>[0-9]{1,2}):(?<S>[0-9]{1,2})(?:\.[0-9]+)?(?<z>Z|[+-][0-9]{2}:[0-9]{2}))|(?: (?<H>[0-9]{1,2}):(?<M>[0-9]{1,2}):(?<S>[0-9]{1,2})(?:\.[0-9]+)?))?$")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex YamlStyleFloat();

    /// <summary>strconv.ParseFloat for text starting with '.': a decimal fraction with an optional exponent.</summary>
    [GeneratedRegex(@"^\.[0-9]+([eE][-+]?[0-9]+)?$")]
    private static partial Regex GoFloat();

    [GeneratedRegex(@"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")]
    private static partial Regex Base60Float();
}

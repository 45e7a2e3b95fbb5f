using System.Text;

namespace DotnetRemote.Core.Registries;

/// <summary>
/// One challenge of a <c>WWW-Authenticate</c> header (RFC 9110 §11.6.1): a scheme and its parameters. Parameter names
/// are case-insensitive; values are unquoted (<c>realm="a,b"</c> gives <c>a,b</c>).
/// </summary>
internal sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    public string? this[string parameter] => Parameters.TryGetValue(parameter, out var value) ? value : null;

    /// <summary>Every challenge of every <c>WWW-Authenticate</c> header of <paramref name="response"/>.</summary>
    public static IReadOnlyList<AuthChallenge> FromResponse(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Headers.TryGetValues("WWW-Authenticate", out var values)
            ? values.SelectMany(Parse).ToList()
            : [];
    }

    /// <summary>Parses one header value that may hold several challenges; malformed trailing text is ignored.</summary>
    public static IReadOnlyList<AuthChallenge> Parse(string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var challenges = new List<AuthChallenge>();
        var reader = new Reader(header);
        while (true)
        {
            reader.SkipSeparators();
            var scheme = reader.ReadToken();
            if (scheme.Length == 0)
            {
                return challenges;
            }

            var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (reader.TryReadParameter(out var name, out var value))
            {
                parameters.TryAdd(name, value);
            }

            challenges.Add(new AuthChallenge(scheme, parameters));
        }
    }

    private sealed class Reader(string text)
    {
        private int _position;

        public void SkipSeparators()
        {
            while (_position < text.Length && (text[_position] == ',' || char.IsWhiteSpace(text[_position])))
            {
                _position++;
            }
        }

        public string ReadToken()
        {
            var start = _position;
            while (_position < text.Length && IsTokenChar(text[_position]))
            {
                _position++;
            }

            return text[start.._position];
        }

        /// <summary>
        /// Reads <c>name=value</c> when the next item is a parameter of the current challenge. A token not followed by
        /// <c>=</c> starts the next challenge, so the position goes back to it.
        /// </summary>
        public bool TryReadParameter(out string name, out string value)
        {
            name = value = "";
            var mark = _position;
            SkipSeparators();
            name = ReadToken();
            SkipWhitespace();
            if (name.Length == 0 || _position >= text.Length || text[_position] != '=')
            {
                _position = mark;
                return false;
            }

            _position++;
            SkipWhitespace();
            value = _position < text.Length && text[_position] == '"' ? ReadQuoted() : ReadBareValue();
            return true;
        }

        private string ReadQuoted()
        {
            var value = new StringBuilder();
            _position++;
            while (_position < text.Length && text[_position] != '"')
            {
                if (text[_position] == '\\' && _position + 1 < text.Length)
                {
                    _position++;
                }

                value.Append(text[_position++]);
            }

            // An unclosed quote ends at the end of the header; never step past it.
            if (_position < text.Length)
            {
                _position++;
            }

            return value.ToString();
        }

        // Lenient: servers send unquoted URLs (realm=https://h/t), which are not RFC tokens.
        private string ReadBareValue()
        {
            var start = _position;
            while (_position < text.Length && text[_position] != ',' && !char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }

            return text[start.._position];
        }

        private void SkipWhitespace()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        // RFC 9110 tchar, plus '/' so a token68 such as a base64 value reads as one item.
        private static bool IsTokenChar(char c) =>
            char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~/".Contains(c, StringComparison.Ordinal);
    }
}

using System.Globalization;
using System.Net;

namespace DotnetRemote.Core.Registries;

/// <summary>
/// The Public Suffix List (https://publicsuffix.org/list/), ICANN and private sections alike, as browsers use it:
/// <c>co.uk</c> and <c>github.io</c> are public suffixes, so <c>tenant-a.co.uk</c> and <c>x.github.io</c> are
/// registrable domains of their own. The snapshot is embedded data (MPL-2.0, see Registries/PublicSuffix/README.md),
/// read line by line into three sets the first time a domain must be judged; no reflection, AOT-safe.
/// </summary>
internal sealed class PublicSuffixList
{
    private const string ResourceName = "DotnetRemote.Core.public_suffix_list.dat";

    private static readonly Lazy<PublicSuffixList> Embedded = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly HashSet<string> _rules = new(StringComparer.Ordinal);
    private readonly HashSet<string> _wildcards = new(StringComparer.Ordinal);
    private readonly HashSet<string> _exceptions = new(StringComparer.Ordinal);

    private PublicSuffixList()
    {
    }

    /// <summary>The embedded snapshot, parsed on first use.</summary>
    public static PublicSuffixList Default => Embedded.Value;

    /// <summary>True once <see cref="Default"/> has been parsed (for tests of lazy loading).</summary>
    public static bool IsDefaultLoaded => Embedded.IsValueCreated;

    /// <summary>How many rules were read (normal, wildcard and exception rules together).</summary>
    public int RuleCount => _rules.Count + _wildcards.Count + _exceptions.Count;

    /// <summary>Parses list text in the PSL format: one rule a line, <c>//</c> comments, <c>*.</c> wildcards, <c>!</c> exceptions.</summary>
    public static PublicSuffixList Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var list = new PublicSuffixList();
        var idn = new IdnMapping();
        while (reader.ReadLine() is { } line)
        {
            // A rule is the first whitespace-delimited word of a line; comments start with "//".
            var rule = line.AsSpan().Trim();
            var space = rule.IndexOfAny(' ', '\t');
            if (space >= 0)
            {
                rule = rule[..space];
            }

            if (rule.IsEmpty || rule.StartsWith("//"))
            {
                continue;
            }

            var text = rule.ToString();
            var isException = text.StartsWith('!');
            var isWildcard = text.StartsWith("*.", StringComparison.Ordinal);
            var body = isException ? text[1..] : isWildcard ? text[2..] : text;
            if (body.Length == 0 || body.Contains('*', StringComparison.Ordinal))
            {
                // The list has no wildcard other than a leading "*."; anything else is ignored, never guessed at.
                continue;
            }

            body = ToAscii(idn, body);
            (isException ? list._exceptions : isWildcard ? list._wildcards : list._rules).Add(body);
        }

        return list;
    }

    /// <summary>
    /// The public suffix of <paramref name="host"/> (<c>co.uk</c> for <c>a.b.co.uk</c>); the last label when no rule
    /// matches (the PSL's implicit <c>*</c> rule). Null for IP addresses and empty names.
    /// </summary>
    public string? PublicSuffix(string host) => Labels(host) is { } labels ? string.Join('.', labels[^SuffixLength(labels)..]) : null;

    /// <summary>
    /// The registrable domain (public suffix plus one label): <c>docker.io</c> for <c>auth.docker.io</c>,
    /// <c>tenant-a.co.uk</c> for <c>registry.tenant-a.co.uk</c>. Null when the host is itself a public suffix (such as
    /// <c>co.uk</c>, <c>github.io</c> or a single label like <c>localhost</c>), an IP address or empty.
    /// </summary>
    public string? RegistrableDomain(string host)
    {
        if (Labels(host) is not { } labels)
        {
            return null;
        }

        var suffix = SuffixLength(labels);
        return labels.Length > suffix ? string.Join('.', labels[^(suffix + 1)..]) : null;
    }

    private int SuffixLength(string[] labels)
    {
        // Longest match first; an exception rule names a domain that is not a suffix: its parent is.
        for (var start = 0; start < labels.Length; start++)
        {
            var candidate = string.Join('.', labels[start..]);
            if (_exceptions.Contains(candidate))
            {
                return labels.Length - start - 1;
            }

            if (_rules.Contains(candidate) || (start + 1 < labels.Length && _wildcards.Contains(string.Join('.', labels[(start + 1)..]))))
            {
                return labels.Length - start;
            }
        }

        return 1;
    }

    private static string[]? Labels(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = host.Trim().TrimEnd('.').ToLowerInvariant();
        if (name.Length == 0 || name.StartsWith('[') || IPAddress.TryParse(name, out _))
        {
            return null;
        }

        var labels = ToAscii(new IdnMapping(), name).Split('.');
        return labels.Any(l => l.Length == 0) ? null : labels;
    }

    private static string ToAscii(IdnMapping idn, string name)
    {
        if (name.All(char.IsAscii))
        {
            return name.ToLowerInvariant();
        }

        try
        {
            return idn.GetAscii(name).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return name.ToLowerInvariant();
        }
    }

    private static PublicSuffixList LoadEmbedded()
    {
        using var stream = typeof(PublicSuffixList).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the embedded Public Suffix List {ResourceName} is missing from the build");
        using var reader = new StreamReader(stream);
        return Parse(reader);
    }
}

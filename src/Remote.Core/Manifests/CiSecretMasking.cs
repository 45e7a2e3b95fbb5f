namespace DotnetRemote.Core.Manifests;

/// <summary>
/// The CI platform's own instruction to hide a value from its logs, printed before anything else can echo a secret:
/// GitHub Actions (<c>GITHUB_ACTIONS=true</c>) reads <c>::add-mask::VALUE</c>, Azure Pipelines (<c>TF_BUILD=True</c>)
/// reads <c>##vso[task.setsecret]VALUE</c>. Elsewhere nothing is printed.
/// </summary>
internal static class CiSecretMasking
{
    public static IReadOnlyList<string> Commands(IEnumerable<string> secrets, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(environment);
        string? prefix = null;
        if (string.Equals(environment("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase))
        {
            prefix = "::add-mask::";
        }
        else if (string.Equals(environment("TF_BUILD"), "true", StringComparison.OrdinalIgnoreCase))
        {
            prefix = "##vso[task.setsecret]";
        }

        if (prefix is null)
        {
            return [];
        }

        // A multi-line secret is masked line by line: both platforms match single lines.
        return secrets.SelectMany(s => s.Split('\n')).Select(s => s.TrimEnd('\r')).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).Select(s => prefix + s).ToList();
    }

    /// <summary>
    /// <paramref name="text"/> with every secret (and every line of a multi-line one) replaced by <c>***</c>: for plans
    /// and error messages that may hold a value a manifest took from <c>${env:}</c> or <c>${file:}</c>.
    /// </summary>
    public static string Redact(string text, IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(secrets);
        var parts = secrets.SelectMany(s => new[] { s }.Concat(s.Split('\n').Select(line => line.TrimEnd('\r'))))
            .Where(s => s.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s.Length);
        foreach (var secret in parts)
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }
}

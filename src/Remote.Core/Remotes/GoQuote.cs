namespace DotnetRemote.Core.Remotes;

/// <summary>Quotes a name as Go's <c>%q</c> does, because the seed's messages print names that way.</summary>
internal static class GoQuote
{
    public static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal) + "\"";
}

using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Keyservers;

/// <summary>Keyserver identity (docs/compatibility.md#keyserver-identity): hkp means http on port 11371, hkps means https; the path never counts.</summary>
internal static class KeyserverUri
{
    public const int HkpPort = 11371;

    /// <summary>The scheme and host:port a keyserver URI stands for, or the seed's unsupported-scheme error.</summary>
    public static (string Scheme, string HostPort) Normalize(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!TryParse(uri, out var scheme, out var host, out var port))
        {
            throw new RemoteException(RemoteErrorCodes.KeyserverScheme, $"unsupported keyserver protocol scheme \"{SchemeOf(uri)}\"");
        }

        switch (scheme)
        {
            case "hkp":
                return ("http", $"{host}:{port ?? HkpPort}");
            case "hkps":
                return ("https", port is int p ? $"{host}:{p}" : host);
            case "http" or "https":
                return (scheme, port is int q ? $"{host}:{q}" : host);
            default:
                throw new RemoteException(RemoteErrorCodes.KeyserverScheme, $"unsupported keyserver protocol scheme \"{scheme}\"");
        }
    }

    /// <summary>True when the URI is a keyserver URL (http, https, hkp or hkps with a host).</summary>
    public static bool IsKeyserver(string uri) =>
        TryParse(uri, out var scheme, out _, out _) && scheme is "http" or "https" or "hkp" or "hkps";

    /// <summary>Same keyserver after hkp/hkps normalisation: <c>http://h:11371</c> is <c>hkp://h</c>.</summary>
    public static bool IsSameKeyserver(string a, string b) =>
        IsKeyserver(a) && IsKeyserver(b) && Normalize(a) == Normalize(b);

    /// <summary>Same scheme and host:port, no normalisation (used for the <c>Credentials</c> list).</summary>
    public static bool IsSameUri(string a, string b) =>
        TryParse(a, out var aScheme, out var aHost, out var aPort)
        && TryParse(b, out var bScheme, out var bHost, out var bPort)
        && aScheme == bScheme && aHost == bHost && aPort == bPort;

    private static bool TryParse(string uri, out string scheme, out string host, out int? port)
    {
        scheme = host = "";
        port = null;
        if (!Uri.TryCreate(uri?.Trim(), UriKind.Absolute, out var parsed) || parsed.IsFile || string.IsNullOrEmpty(parsed.Host) || !uri!.Contains("://", StringComparison.Ordinal))
        {
            return false;
        }

        scheme = parsed.Scheme.ToLowerInvariant();
        host = parsed.Host.ToLowerInvariant();
        port = parsed.IsDefaultPort || ExplicitPort(uri) is null ? null : parsed.Port;
        return true;
    }

    // System.Uri invents default ports for known schemes; only a port the user typed counts.
    private static int? ExplicitPort(string uri)
    {
        var authority = uri[(uri.IndexOf("://", StringComparison.Ordinal) + 3)..].Split('/', '?', '#')[0];
        var at = authority.LastIndexOf('@');
        authority = authority[(at + 1)..];
        var colon = authority.LastIndexOf(':');
        return colon > authority.LastIndexOf(']') && int.TryParse(authority[(colon + 1)..], out var port) ? port : null;
    }

    private static string SchemeOf(string uri)
    {
        var end = uri.IndexOf(':', StringComparison.Ordinal);
        return end > 0 ? uri[..end] : "";
    }
}

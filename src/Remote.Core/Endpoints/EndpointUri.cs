using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Endpoints;

/// <summary>How a remote's URI is stored (host[:port][/path], no scheme) and turned back into a URL.</summary>
internal static class EndpointUri
{
    /// <summary>
    /// The stored form of a typed URI: scheme dropped, duplicate and trailing slashes removed. Unlike Apptainer
    /// (docs/compatibility.md#fix-port-uris) a port survives, with or without a scheme.
    /// </summary>
    public static string Normalize(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var text = uri.Trim();
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            text = text[(schemeEnd + 3)..];
        }

        // Like Apptainer's path.Clean(host + path): no query or fragment, no empty, "." or ".." segments.
        var end = text.IndexOfAny(['?', '#']);
        text = end >= 0 ? text[..end] : text;
        var parts = text.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts[0] is "." or ".." || parts[0].Contains('@', StringComparison.Ordinal))
        {
            throw new RemoteException(RemoteErrorCodes.InvalidArgument, $"invalid URI: {uri} has no host");
        }

        // The host and port must make a URL: a port such as 99999 or a host with spaces would only fail later, deep in
        // the HTTP stack, when status or login use the remote.
        if (!Uri.TryCreate("https://" + parts[0] + "/", UriKind.Absolute, out var parsed) || parsed.Host.Length == 0 || parsed.Authority.Length == 0
            || parts[0].Contains('\\', StringComparison.Ordinal))
        {
            throw new RemoteException(RemoteErrorCodes.InvalidArgument, $"invalid URI: {uri} has no valid host[:port] (a port is 1-65535)");
        }

        var clean = new List<string> { parts[0] };
        foreach (var part in parts.Skip(1))
        {
            if (part == "..")
            {
                if (clean.Count > 1)
                {
                    clean.RemoveAt(clean.Count - 1);
                }
            }
            else if (part != ".")
            {
                clean.Add(part);
            }
        }

        return string.Join('/', clean);
    }

    /// <summary>The base URL of an endpoint's services: https, or http for insecure endpoints.</summary>
    public static string BaseUrl(string storedUri, bool insecure)
    {
        ArgumentNullException.ThrowIfNull(storedUri);
        if (storedUri.Length == 0)
        {
            throw new RemoteException(RemoteErrorCodes.InvalidArgument, "no URI set for endpoint");
        }

        // A hand-written file may hold a scheme; the Insecure flag decides the scheme either way.
        return (insecure ? "http://" : "https://") + Normalize(storedUri);
    }
}

using System.Diagnostics.CodeAnalysis;
using System.Net;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Registries;

/// <summary>
/// An OCI registry named by a <c>docker://</c> or <c>oras://</c> URI: the registry's <c>host[:port]</c> and an optional
/// namespace path. Both transports share one docker-config key per registry (docs/compatibility.md#fix-shared-secret).
/// </summary>
internal sealed partial record RegistryReference
{
    /// <summary>The key docker/cli has always used for Docker Hub logins.</summary>
    public const string DockerHubConfigKey = "https://index.docker.io/v1/";

    /// <summary>The host that actually serves Docker Hub's registry API.</summary>
    public const string DockerHubApiHost = "registry-1.docker.io";

    private static readonly string[] DockerHubAliases = ["docker.io", "index.docker.io", DockerHubApiHost];

    private RegistryReference(string transport, string registry, string repositoryPath)
    {
        Transport = transport;
        Registry = registry;
        Namespace = repositoryPath;
    }

    /// <summary><c>docker</c> or <c>oras</c>.</summary>
    public string Transport { get; }

    /// <summary><c>host[:port]</c>, host in lower case, as typed otherwise (<c>docker.io</c> stays <c>docker.io</c>).</summary>
    public string Registry { get; }

    /// <summary>The path after the registry without tag or digest (<c>team/app</c>); empty for the whole registry.</summary>
    public string Namespace { get; }

    public bool IsDockerHub => IsDockerHubHost(Registry);

    /// <summary>The docker-config key of the whole registry: Docker Hub's historical key, else <c>host[:port]</c>.</summary>
    public string RegistryKey => IsDockerHub ? DockerHubConfigKey : Registry;

    /// <summary>
    /// The docker-config key a login to this URI is stored under: <see cref="RegistryKey"/> plus the namespace, as
    /// Apptainer 1.2 and podman store namespaced logins. Docker Hub logins are per registry, as docker's are.
    /// </summary>
    public string ConfigKey => IsDockerHub || Namespace.Length == 0 ? RegistryKey : $"{Registry}/{Namespace}";

    /// <summary>The <c>host[:port]</c> that answers <c>/v2/</c>.</summary>
    public string ApiHost => IsDockerHub ? DockerHubApiHost : Registry;

    /// <summary>The host without the port (IPv6 literals keep their brackets).</summary>
    public string Host => SplitHostPort(Registry).Host;

    /// <summary>The canonical URI: <c>docker://host[:port][/namespace]</c>.</summary>
    public string Uri => Namespace.Length == 0 ? $"{Transport}://{Registry}" : $"{Transport}://{Registry}/{Namespace}";

    /// <summary>
    /// The docker-config keys that may hold a login for this reference, most specific first: every namespace
    /// prefix (<c>ghcr.io/team/app</c>, <c>ghcr.io/team</c>) and finally <see cref="RegistryKey"/>.
    /// </summary>
    public IReadOnlyList<string> LookupKeys()
    {
        var keys = new List<string>();
        if (!IsDockerHub)
        {
            var segments = Namespace.Length == 0 ? [] : Namespace.Split('/');
            for (var count = segments.Length; count > 0; count--)
            {
                keys.Add($"{Registry}/{string.Join('/', segments.Take(count))}");
            }
        }

        keys.Add(RegistryKey);
        return keys;
    }

    /// <summary>
    /// Parses a login URI (<c>registry login</c>/<c>logout</c>): the first path element is always the registry, as in
    /// Apptainer. A tag or digest is not allowed here.
    /// </summary>
    public static RegistryReference ParseRegistry(string uri) => Parse(uri, image: false);

    /// <summary>Parses a login URI as <see cref="ParseRegistry"/> does; false instead of an error (hand-edited files).</summary>
    public static bool TryParseRegistry(string uri, [NotNullWhen(true)] out RegistryReference? reference)
    {
        try
        {
            reference = ParseRegistry(uri);
            return true;
        }
        catch (RemoteException)
        {
            reference = null;
            return false;
        }
    }

    /// <summary>
    /// Parses an image URI (<c>docker://alpine</c>, <c>docker://ghcr.io/team/app:1.0</c>) the way docker names images:
    /// the first element is a registry only when it has a dot or a port or is <c>localhost</c>; otherwise the image is on
    /// Docker Hub (and a single name is under <c>library/</c>). The tag or digest is dropped.
    /// </summary>
    public static RegistryReference ParseImage(string uri) => Parse(uri, image: true);

    /// <summary>True for <c>docker.io</c>, <c>index.docker.io</c> and <c>registry-1.docker.io</c>: all of them are Docker Hub.</summary>
    public static bool IsDockerHubHost(string hostPort) => DockerHubAliases.Contains(hostPort, StringComparer.OrdinalIgnoreCase);

    /// <summary>True for URIs with the <c>docker</c> or <c>oras</c> scheme.</summary>
    public static bool IsRegistryUri(string uri) => Scheme(uri) is "docker" or "oras";

    /// <summary>
    /// The scheme as Go's <c>url.Parse</c> reads it, which is what the seed's error message shows: <c>localhost</c> for
    /// <c>localhost:5000</c>, empty for <c>ghcr.io/org</c>.
    /// </summary>
    public static string Scheme(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var colon = uri.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !char.IsAsciiLetter(uri[0]))
        {
            return "";
        }

        var scheme = uri[..colon];
        return scheme.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.') ? scheme.ToLowerInvariant() : "";
    }

    /// <summary>
    /// docker, podman and skopeo take a bare <c>HOST:PORT</c> for a registry; here the scheme says what it is, so a
    /// bare host (with a port, or a dotted name) gets the URI to use instead.
    /// </summary>
    private static string BareHostHint(string text) =>
        !text.Contains("://", StringComparison.Ordinal) && BareHost().IsMatch(text) ? $" (for an OCI registry use docker://{text})" : "";

    [System.Text.RegularExpressions.GeneratedRegex(@"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*)(:[0-9]{1,5})(/[^\s]*)?$|^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/[^\s]*)?$")]
    private static partial System.Text.RegularExpressions.Regex BareHost();

    /// <summary>Splits <c>host[:port]</c>; IPv6 literals are bracketed.</summary>
    internal static (string Host, int? Port) SplitHostPort(string hostPort)
    {
        var close = hostPort.LastIndexOf(']');
        var colon = hostPort.LastIndexOf(':');
        return colon > close && int.TryParse(hostPort[(colon + 1)..], out var port)
            ? (hostPort[..colon], port)
            : (hostPort, null);
    }

    /// <summary>True for <c>localhost</c> and addresses in 127.0.0.0/8 or <c>::1</c>: docker treats these as insecure.</summary>
    public static bool IsLoopback(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var bare = host.Trim('[', ']');
        return bare.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(bare, out var address) && IPAddress.IsLoopback(address));
    }

    private static RegistryReference Parse(string uri, bool image)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var text = uri.Trim();
        var scheme = Scheme(text);
        if (scheme is not ("docker" or "oras"))
        {
            throw new RemoteException(RemoteErrorCodes.TransportNotSupported, $"{scheme} transport is not supported{BareHostHint(text)}");
        }

        var rest = text[(scheme.Length + 1)..];
        if (!rest.StartsWith("//", StringComparison.Ordinal))
        {
            throw Invalid(uri, "expected <transport>://host[:port][/path]");
        }

        var parts = rest[2..].Split('/', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (parts.Count == 0)
        {
            throw Invalid(uri, "no registry host");
        }

        if (image)
        {
            // A lone "localhost:5000" or "myreg.io:443" names a registry; "alpine:3.19" an image with a tag.
            if (parts.Count > 1 || !IsHostWithPort(parts[0]))
            {
                parts[^1] = StripTagOrDigest(parts[^1]);
            }

            if (!LooksLikeRegistry(parts[0]))
            {
                parts.Insert(0, "docker.io");
                if (parts.Count == 2)
                {
                    parts.Insert(1, "library");
                }
            }
        }

        var registry = ValidateRegistry(parts[0], uri);
        var path = string.Join('/', parts.Skip(1));
        if (path.Any(c => char.IsWhiteSpace(c) || c is '?' or '#' or '@' or ':'))
        {
            throw Invalid(uri, $"\"{path}\" is not a valid namespace");
        }

        return new RegistryReference(scheme, registry, path);
    }

    // docker's rule for the first name component (distribution/reference: splitDockerDomain).
    private static bool LooksLikeRegistry(string component) =>
        component.Contains('.', StringComparison.Ordinal) || component.Contains(':', StringComparison.Ordinal) || component == "localhost";

    private static bool IsHostWithPort(string component)
    {
        var (host, port) = SplitHostPort(component);
        return port is not null && LooksLikeRegistry(host);
    }

    private static string StripTagOrDigest(string lastComponent)
    {
        var at = lastComponent.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return lastComponent[..at];
        }

        var colon = lastComponent.LastIndexOf(':');
        return colon > 0 && lastComponent.IndexOf(']', StringComparison.Ordinal) < 0 ? lastComponent[..colon] : lastComponent;
    }

    private static string ValidateRegistry(string hostPort, string uri)
    {
        if (hostPort.Contains('@', StringComparison.Ordinal))
        {
            // user:pass@host would put a secret into a file key and into messages.
            throw new RemoteException(RemoteErrorCodes.InvalidArgument, "invalid registry URI: credentials are not allowed in a registry URI");
        }

        var (host, port) = SplitHostPort(hostPort);
        if (hostPort.LastIndexOf(':') > hostPort.LastIndexOf(']') && port is null)
        {
            throw Invalid(uri, "invalid port");
        }

        if (port is < 1 or > 65535)
        {
            throw Invalid(uri, $"port {port} is out of range");
        }

        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        var valid = host.StartsWith('[')
            ? IPAddress.TryParse(bare, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            : System.Uri.CheckHostName(host) is UriHostNameType.Dns or UriHostNameType.IPv4;
        if (!valid)
        {
            throw Invalid(uri, $"\"{host}\" is not a valid registry host");
        }

        return port is int p ? $"{host.ToLowerInvariant()}:{p}" : host.ToLowerInvariant();
    }

    private static RemoteException Invalid(string uri, string detail) =>
        new(RemoteErrorCodes.InvalidArgument, $"invalid registry URI {uri}: {detail}");
}

using System.Net.Http.Headers;
using System.Text.Json;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.IO;

namespace DotnetRemote.Core.Endpoints;

/// <summary>
/// Finds an endpoint's services from <c>/assets/config/config.prod.json</c> (docs/compatibility.md#service-discovery), with the disk cache
/// Apptainer meant to have (30 days, keyed by a slug of the URL; its own never worked, docs/compatibility.md#fix-discovery-cache).
/// </summary>
internal sealed class ServiceDiscovery
{
    public const string DefaultKeyserverUri = "https://keys.openpgp.org";
    public const string ConfigPath = "/assets/config/config.prod.json";
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromDays(30);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly RemoteContext _context;

    public ServiceDiscovery(RemoteContext context) => _context = context ?? throw new ArgumentNullException(nameof(context));

    /// <summary>The URI of one service (library, keyserver, token, consent, builder).</summary>
    public async Task<string> GetServiceUriAsync(EndpointConfig endpoint, string service, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (Normalize(endpoint.Uri) == RemoteConfig.DefaultCloudUri && service is "library" or "keyserver")
        {
            // Apptainer answers these locally for its stock remote; there is no library there.
            return service == "keyserver"
                ? DefaultKeyserverUri
                : throw new RemoteException(RemoteErrorCodes.ServiceMissing, "library is not a service at endpoint");
        }

        var services = await DiscoverAsync(endpoint, cancellationToken).ConfigureAwait(false);
        if (!services.TryGetValue(service, out var uri))
        {
            throw new RemoteException(RemoteErrorCodes.ServiceMissing, $"{service} is not a service at endpoint");
        }

        return uri.Length > 0
            ? uri
            : throw new RemoteException(RemoteErrorCodes.ServiceMissing, $"{service} service at endpoint failed to provide URI in response");
    }

    /// <summary>All services, by name (<c>libraryAPI</c> → <c>library</c>, <c>keystoreAPI</c> → <c>keyserver</c>).</summary>
    public async Task<IReadOnlyDictionary<string, string>> DiscoverAsync(EndpointConfig endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var url = EndpointUri.BaseUrl(endpoint.Uri, endpoint.Insecure) + ConfigPath;
        var cacheFile = Path.Combine(_context.Paths.DiscoveryCacheDirectory, Slug(url) + ".json");
        if (ReadCache(cacheFile) is { } cached)
        {
            try
            {
                return ParseServices(cached, cacheFile);
            }
            catch (RemoteException)
            {
                // A damaged cache entry is refetched below.
            }
        }

        var body = await FetchAsync(url, cancellationToken).ConfigureAwait(false);
        var services = ParseServices(body, RemoteHttp.Authority(url));
        WriteCache(cacheFile, body);
        return services;
    }

    /// <param name="source">Where the document came from (a host or the cache file), for error messages.</param>
    internal static IReadOnlyDictionary<string, string> ParseServices(string json, string source)
    {
        var services = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var document = StrictJson.ParseDocument(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new RemoteException(RemoteErrorCodes.DiscoveryFailed, $"jsonresp: failed to unmarshal response from {source}: not a JSON object");
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.Object)
                {
                    throw new RemoteException(RemoteErrorCodes.DiscoveryFailed, $"jsonresp: failed to unmarshal response from {source}: {property.Name} is not an object");
                }

                var name = property.Name.EndsWith("API", StringComparison.Ordinal) ? property.Name[..^3] : property.Name;
                name = name == "keystore" ? "keyserver" : name;
                if (property.Value.TryGetProperty("uri", out var uri) && uri.ValueKind == JsonValueKind.String)
                {
                    var text = uri.GetString()!;

                    // A server's URL is used to build requests: anything but an absolute http(s) URL is the server's fault.
                    if (text.Length > 0 && !IsHttpUrl(text))
                    {
                        throw new RemoteException(RemoteErrorCodes.DiscoveryFailed, $"jsonresp: invalid response from {source}: the {name} service URI is not an absolute http(s) URL");
                    }

                    services[name] = text;
                }
            }
        }
        catch (JsonException ex)
        {
            throw new RemoteException(RemoteErrorCodes.DiscoveryFailed, $"jsonresp: failed to unmarshal response from {source}: {ex.Message}", ex);
        }

        return services;
    }

    private static bool IsHttpUrl(string text) =>
        !text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
        && Uri.TryCreate(text, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https" && parsed.Host.Length > 0;

    private async Task<string> FetchAsync(string url, CancellationToken cancellationToken)
    {
        using var client = RemoteHttp.CreateClient(_context, insecureSkipVerify: false, Timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new RemoteException(RemoteErrorCodes.DiscoveryFailed, $"error response from server {RemoteHttp.Authority(url)}: {RemoteHttp.StatusLine(response)}");
            }

            return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RemoteHttp.IsTransportFailure(ex, cancellationToken))
        {
            throw new RemoteException(RemoteErrorCodes.Network, $"error making request to server: {RemoteHttp.Describe(ex, url)}", ex);
        }
    }

    private string? ReadCache(string file)
    {
        try
        {
            var info = new FileInfo(file);
            var fresh = info.Exists && _context.Time.GetUtcNow() - info.LastWriteTimeUtc < CacheLifetime;
            _context.Log.Debug(fresh ? $"reading cached discovery {file}" : $"no fresh discovery cache at {file}");
            return fresh ? File.ReadAllText(file) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void WriteCache(string file, string body)
    {
        try
        {
            AtomicFile.EnsureDirectory(Path.GetDirectoryName(file)!, AtomicFile.PrivateDirectory);
            AtomicFile.WriteAllText(file, body, AtomicFile.PrivateFile);
        }
        catch (RemoteException)
        {
            // The cache is an optimisation; a read-only home must not fail the command.
        }
    }

    /// <summary>Lowercase ASCII with every other run of characters as one '-': https://a.b → https-a-b.</summary>
    internal static string Slug(string url)
    {
        var slug = new System.Text.StringBuilder(url.Length);
        foreach (var c in url.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        return slug.ToString().TrimEnd('-');
    }

    private static string Normalize(string uri)
    {
        try
        {
            return EndpointUri.Normalize(uri);
        }
        catch (RemoteException)
        {
            return uri;
        }
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DotnetRemote.Core.Registries;

/// <summary>How a registry accepted a login.</summary>
public enum RegistryAuthMethod
{
    /// <summary><c>/v2/</c> answers anonymous requests: the credentials were sent but cannot really be checked.</summary>
    Anonymous,
    Basic,
    Bearer,
}

/// <summary>The outcome of a successful verification.</summary>
/// <param name="Endpoint">The base URL that answered, e.g. <c>https://ghcr.io</c>.</param>
/// <param name="CredentialsVerified">False only for <see cref="RegistryAuthMethod.Anonymous"/>.</param>
public sealed record RegistryVerification(string Endpoint, RegistryAuthMethod Method, bool CredentialsVerified);

/// <summary>
/// Checks credentials against a registry the way the Docker engine does (v12-delta §3.3), so a wrong password is
/// rejected: ping <c>GET /v2/</c>, answer its challenge, and require a final authenticated 200.
/// <list type="bullet">
/// <item>200 to the anonymous ping: the registry needs no credentials. An authenticated <c>GET /v2/</c> must also answer
/// 200, but such a registry accepts any password, so the result says <c>CredentialsVerified = false</c>.</item>
/// <item>Basic challenge: <c>GET /v2/</c> again with Basic credentials; only 200 passes.</item>
/// <item>Bearer challenge: the token realm is asked with Basic credentials, the service, a pull scope, and
/// <c>offline_token=true&amp;client_id=dotnet-remote</c>; 401/403 there means wrong credentials. The token must then
/// open <c>/v2/</c> with 200.</item>
/// </list>
/// Credentials go only to the registry's own host or to a token realm on the same host or parent domain (https unless
/// insecure), never to an IP literal or another domain, and redirects are never followed.
/// </summary>
public sealed class RegistryLoginVerifier
{
    public const string ClientId = "dotnet-remote";

    /// <summary>The repository scope asked for when the login URI names no namespace; any name serves to authenticate.</summary>
    public const string ProbeRepository = "dotnet-remote/login-probe";

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private readonly RemoteContext _context;
    private readonly TimeSpan _timeout;

    public RegistryLoginVerifier(RemoteContext context, TimeSpan? timeout = null)
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        _timeout = timeout ?? DefaultTimeout;
    }

    /// <summary>
    /// Verifies <paramref name="username"/>/<paramref name="password"/> on the registry. https first; with
    /// <paramref name="insecure"/> or a loopback host, https with any certificate and then http.
    /// </summary>
    /// <exception cref="RemoteException"><see cref="RemoteErrorCodes.LoginFailed"/> for rejected credentials or a registry
    /// that does not behave like one; <see cref="RemoteErrorCodes.Network"/> when no endpoint could be reached.</exception>
    public async Task<RegistryVerification> VerifyAsync(RegistryReference registry, string username, string password, bool insecure, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(password);
        var relaxed = insecure || RegistryReference.IsLoopback(RegistryReference.SplitHostPort(registry.ApiHost).Host);
        string[] endpoints = relaxed ? [$"https://{registry.ApiHost}", $"http://{registry.ApiHost}"] : [$"https://{registry.ApiHost}"];

        using var client = RemoteHttp.CreateClient(_context, insecureSkipVerify: relaxed, _timeout);
        RemoteException? unreachable = null;
        foreach (var endpoint in endpoints)
        {
            var session = new Session(client, registry, endpoint, relaxed, username, password, cancellationToken);
            try
            {
                return await session.VerifyAsync();
            }
            catch (RemoteException ex) when (!session.Reached)
            {
                // Only an endpoint that could not be reached moves on to http; a rejected login stops here, as in docker.
                unreachable = ex;
            }
        }

        throw unreachable!;
    }

    private sealed class Session(HttpClient client, RegistryReference registry, string endpoint, bool relaxed, string username, string password, CancellationToken cancellationToken)
    {
        // Docker's token servers answer "token"; OAuth2-style ones "access_token".
        private static readonly string[] TokenFields = ["token", "access_token"];

        private readonly string _pingUrl = $"{endpoint}/v2/";

        private string Host => registry.ApiHost;

        /// <summary>True once the endpoint answered the ping at all.</summary>
        public bool Reached { get; private set; }

        public async Task<RegistryVerification> VerifyAsync()
        {
            using var ping = await SendAsync(_pingUrl, authorization: null);
            Reached = true;
            if (ping.StatusCode == HttpStatusCode.OK)
            {
                await RequireOkAsync(BasicHeader());
                return new RegistryVerification(endpoint, RegistryAuthMethod.Anonymous, CredentialsVerified: false);
            }

            if (ping.StatusCode != HttpStatusCode.Unauthorized)
            {
                throw UnexpectedStatus(_pingUrl, ping);
            }

            var challenges = AuthChallenge.FromResponse(ping);
            if (challenges.FirstOrDefault(c => c.IsBearer) is { } bearer)
            {
                var token = await FetchTokenAsync(bearer);
                await RequireOkAsync(new AuthenticationHeaderValue("Bearer", token));
                return new RegistryVerification(endpoint, RegistryAuthMethod.Bearer, CredentialsVerified: true);
            }

            if (challenges.Any(c => c.IsBasic))
            {
                await RequireOkAsync(BasicHeader());
                return new RegistryVerification(endpoint, RegistryAuthMethod.Basic, CredentialsVerified: true);
            }

            throw new RemoteException(RemoteErrorCodes.LoginFailed, $"login to {Host} failed: the registry asked for authentication without a supported challenge (Basic or Bearer)");
        }

        private AuthenticationHeaderValue BasicHeader() =>
            new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));

        private async Task RequireOkAsync(AuthenticationHeaderValue authorization)
        {
            using var response = await SendAsync(_pingUrl, authorization);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw Unauthorized();
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw UnexpectedStatus(_pingUrl, response);
            }
        }

        private async Task<string> FetchTokenAsync(AuthChallenge challenge)
        {
            var realm = challenge["realm"] is { Length: > 0 } value && Uri.TryCreate(value, UriKind.Absolute, out var parsed)
                ? parsed
                : throw new RemoteException(RemoteErrorCodes.LoginFailed, $"login to {Host} failed: the Bearer challenge has no valid realm");
            RequireTrustedRealm(realm);

            var query = new List<string>();
            if (challenge["service"] is { } service)
            {
                query.Add($"service={Uri.EscapeDataString(service)}");
            }

            var repository = registry.Namespace.Length > 0 ? registry.Namespace : ProbeRepository;
            query.Add($"scope={Uri.EscapeDataString($"repository:{repository}:pull")}");
            query.Add("offline_token=true");
            query.Add($"client_id={ClientId}");
            var separator = string.IsNullOrEmpty(realm.Query) ? "?" : "&";
            var tokenUrl = $"{realm.GetLeftPart(UriPartial.Query)}{separator}{string.Join('&', query)}";

            using var response = await SendAsync(tokenUrl, BasicHeader());
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw Unauthorized();
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw UnexpectedStatus($"{realm.GetLeftPart(UriPartial.Path)}", response);
            }

            string body;
            try
            {
                body = await response.Content.ReadAsStringAsync(cancellationToken);
            }
            catch (Exception ex) when (RemoteHttp.IsTransportFailure(ex, cancellationToken))
            {
                throw new RemoteException(RemoteErrorCodes.Network, $"login to {Host} failed: {RemoteHttp.Describe(ex, tokenUrl)}", ex);
            }

            return ReadToken(body) ?? throw new RemoteException(RemoteErrorCodes.LoginFailed, $"login to {Host} failed: the token service {realm.Authority} returned no token (malformed response)");
        }

        private static string? ReadToken(string body)
        {
            try
            {
                // Duplicate keys are refused while parsing; a lazily built object would throw on first use.
                return StrictJson.ParseNode(body) is JsonObject reply
                    ? TokenFields
                        .Select(name => reply[name] is JsonValue v && v.TryGetValue<string>(out var t) && t.Length > 0 ? t : null)
                        .FirstOrDefault(t => t is not null)
                    : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        /// <summary>
        /// The realm gets the user's password, so it must be the registry's own host (any port) or a host of the same
        /// parent domain (last two labels: registry-1.docker.io → auth.docker.io), never an IP literal elsewhere.
        /// </summary>
        private void RequireTrustedRealm(Uri realm)
        {
            var registryHost = RegistryReference.SplitHostPort(Host).Host.Trim('[', ']').ToLowerInvariant();
            var realmHost = realm.IdnHost.Trim('[', ']').ToLowerInvariant();
            var schemeOk = realm.Scheme == Uri.UriSchemeHttps || (realm.Scheme == Uri.UriSchemeHttp && relaxed);
            var hostOk = realmHost == registryHost || (ParentDomain(registryHost) is { } parent && ParentDomain(realmHost) == parent);
            if (!schemeOk || !hostOk)
            {
                throw new RemoteException(RemoteErrorCodes.LoginFailed, $"login to {Host} failed: refusing to send credentials to the token service {realm.Scheme}://{realm.Authority}, which is not on the registry's host or domain{(schemeOk ? "" : " or does not use https")}");
            }
        }

        private static string? ParentDomain(string host)
        {
            if (IPAddress.TryParse(host, out _))
            {
                return null;
            }

            var labels = host.Split('.');
            return labels.Length >= 2 ? $"{labels[^2]}.{labels[^1]}" : null;
        }

        private async Task<HttpResponseMessage> SendAsync(string url, AuthenticationHeaderValue? authorization)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = authorization;
            try
            {
                return await client.SendAsync(request, cancellationToken);
            }
            catch (Exception ex) when (RemoteHttp.IsTransportFailure(ex, cancellationToken))
            {
                throw new RemoteException(RemoteErrorCodes.Network, $"login to {Host} failed: {RemoteHttp.Describe(ex, url)}", ex);
            }
        }

        private RemoteException Unauthorized() =>
            new(RemoteErrorCodes.LoginFailed, $"login to {Host} failed: unauthorized: incorrect username or password");

        private static RemoteException UnexpectedStatus(string url, HttpResponseMessage response) =>
            (int)response.StatusCode >= 500
                ? new RemoteException(RemoteErrorCodes.Network, $"login attempt to {url} failed with status: {RemoteHttp.StatusLine(response)}")
                : new RemoteException(RemoteErrorCodes.LoginFailed, $"login attempt to {url} failed with status: {RemoteHttp.StatusLine(response)}");
    }
}

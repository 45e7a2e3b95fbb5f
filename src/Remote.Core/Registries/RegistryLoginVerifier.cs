using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.IO;

namespace DotnetRemote.Core.Registries;

/// <summary>How a registry accepted a login.</summary>
internal enum RegistryAuthMethod
{
    /// <summary><c>/v2/</c> answers anonymous requests: the credentials were sent but cannot really be checked.</summary>
    Anonymous,
    Basic,
    Bearer,
}

/// <summary>The outcome of a successful verification.</summary>
/// <param name="Endpoint">The base URL that answered, e.g. <c>https://ghcr.io</c>.</param>
/// <param name="CredentialsVerified">False only for <see cref="RegistryAuthMethod.Anonymous"/>.</param>
internal sealed record RegistryVerification(string Endpoint, RegistryAuthMethod Method, bool CredentialsVerified)
{
    /// <summary>
    /// The <c>refresh_token</c> the token service returned, if any: docker stores it as <c>identitytoken</c> instead of
    /// the password, and so does dotnet remote. A secret: never printed.
    /// </summary>
    public string? IdentityToken { get; init; }

    /// <summary>How the realm was trusted, for Bearer logins.</summary>
    public RealmTrust? RealmTrust { get; init; }

    public override string ToString() => $"RegistryVerification {{ Endpoint = {Endpoint}, Method = {Method}, CredentialsVerified = {CredentialsVerified}, RealmTrust = {RealmTrust}, HasIdentityToken = {IdentityToken is not null} }}";
}

/// <summary>
/// Checks credentials against a registry the way the Docker engine does (docs/compatibility.md#registry-verification), so a wrong password is
/// rejected: ping <c>GET /v2/</c>, answer its challenge, and require a final authenticated 200.
/// <list type="bullet">
/// <item>200 to the anonymous ping: the registry needs no credentials. An authenticated <c>GET /v2/</c> must also answer
/// 200, but such a registry accepts any password, so the result says <c>CredentialsVerified = false</c>.</item>
/// <item>Basic challenge: <c>GET /v2/</c> again with Basic credentials; only 200 passes.</item>
/// <item>Bearer challenge: the token realm is asked, as docker's <c>loginV2</c> does, with Basic credentials and
/// <c>account=&lt;user&gt;&amp;client_id=dotnet-remote&amp;offline_token=true&amp;service=&lt;service&gt;</c> and <b>no scope</b>:
/// a token service that grants anonymous pull tokens must still authenticate the user. 401/403 there means wrong
/// credentials. The token must then open <c>/v2/</c> with 200. A <c>refresh_token</c> in the answer is kept as the
/// identity token (<see cref="RegistryVerification.IdentityToken"/>).</item>
/// </list>
/// Credentials go to a token realm only as <see cref="RealmPolicy"/> allows, and redirects are never followed. https
/// first; http only for an insecure login or a registry host any of whose addresses is loopback (docker's rule).
/// </summary>
internal sealed class RegistryLoginVerifier
{
    public const string ClientId = "dotnet-remote";

    /// <summary>
    /// The user name that marks the secret as an identity token (docker-credential-helpers' convention): such a login is
    /// verified with docker's OAuth2 refresh-token grant at the token realm instead of Basic credentials.
    /// </summary>
    public const string IdentityTokenUsername = Credentials.HelperCredential.IdentityTokenUsername;

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private readonly RemoteContext _context;
    private readonly TimeSpan _timeout;
    private readonly RealmPolicy _realms;

    /// <param name="trustedRealms">Realm hosts the user trusts for this login (<c>--trust-realm</c>, <c>trustRealms:</c>),
    /// besides those of <see cref="RealmPolicy.TrustedRealmsVariable"/>.</param>
    public RegistryLoginVerifier(RemoteContext context, TimeSpan? timeout = null, IEnumerable<string>? trustedRealms = null)
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        _timeout = timeout ?? DefaultTimeout;
        _realms = RealmPolicy.For(context, trustedRealms);
    }

    /// <summary>
    /// Verifies <paramref name="username"/>/<paramref name="password"/> on the registry. https first; with
    /// <paramref name="insecure"/> or a host any of whose addresses is loopback, https with any certificate and then http.
    /// </summary>
    /// <exception cref="RemoteException"><see cref="RemoteErrorCodes.LoginFailed"/> for rejected credentials or a registry
    /// that does not behave like one; <see cref="RemoteErrorCodes.Network"/> when no endpoint could be reached.</exception>
    public async Task<RegistryVerification> VerifyAsync(RegistryReference registry, string username, string password, bool insecure, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(password);
        var relaxed = insecure || await RealmPolicy.AnyLoopbackAsync(RegistryReference.SplitHostPort(registry.ApiHost).Host, _context.ResolveOnceAsync, cancellationToken);
        string[] endpoints = relaxed ? [$"https://{registry.ApiHost}", $"http://{registry.ApiHost}"] : [$"https://{registry.ApiHost}"];

        using var client = RemoteHttp.CreateClient(_context, insecureSkipVerify: relaxed, _timeout);
        RemoteException? unreachable = null;
        foreach (var endpoint in endpoints)
        {
            var session = new Session(client, _realms, registry, endpoint, insecure, username, password, cancellationToken);
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

    private sealed class Session(HttpClient client, RealmPolicy realms, RegistryReference registry, string endpoint, bool insecure, string username, string password, CancellationToken cancellationToken)
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
                var (token, refreshToken, trust) = await FetchTokenAsync(bearer);
                await RequireOkAsync(new AuthenticationHeaderValue("Bearer", token));
                return new RegistryVerification(endpoint, RegistryAuthMethod.Bearer, CredentialsVerified: true) { IdentityToken = refreshToken, RealmTrust = trust };
            }

            if (IsIdentityToken)
            {
                throw new RemoteException(RemoteErrorCodes.LoginFailed, $"login to {Host} failed: an identity token (user name {IdentityTokenUsername}) needs a Bearer token service, and {Host} asks for Basic authentication");
            }

            if (challenges.Any(c => c.IsBasic))
            {
                await RequireOkAsync(BasicHeader());
                return new RegistryVerification(endpoint, RegistryAuthMethod.Basic, CredentialsVerified: true);
            }

            throw new RemoteException(RemoteErrorCodes.LoginFailed, $"login to {Host} failed: the registry asked for authentication without a supported challenge (Basic or Bearer)");
        }

        private AuthenticationHeaderValue BasicHeader() =>
            new("Basic", BasicCredentials.Encode(username, password));

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

        /// <summary>
        /// docker's token request for a login (distribution's token handler with OfflineAccess and no scopes): the
        /// parameters in Go's sorted <c>url.Values</c> order, Basic credentials in the header, never a scope.
        /// </summary>
        private async Task<(string Token, string? RefreshToken, RealmTrust Trust)> FetchTokenAsync(AuthChallenge challenge)
        {
            var realm = challenge["realm"] is { Length: > 0 } value && Uri.TryCreate(value, UriKind.Absolute, out var parsed)
                && (parsed.Scheme == Uri.UriSchemeHttps || parsed.Scheme == Uri.UriSchemeHttp)
                ? parsed
                : throw new RemoteException(RemoteErrorCodes.LoginFailed, $"login to {Host} failed: the Bearer challenge has no valid realm");
            RealmTrust trust;
            try
            {
                trust = await realms.RequireTrustedAsync(Host, realm, insecure, cancellationToken);
            }
            catch (RemoteException ex) when (ex.Code == RemoteErrorCodes.LoginFailed)
            {
                throw new RemoteException(ex.Code, $"login to {Host} failed: {ex.Message}", ex);
            }

            string tokenUrl;
            HttpResponseMessage response;
            if (IsIdentityToken)
            {
                // docker's OAuth2 flow for a stored identity token (distribution's fetchTokenWithOAuth): a form POST.
                tokenUrl = realm.AbsoluteUri;
                var form = new List<KeyValuePair<string, string>>
                {
                    new("client_id", ClientId),
                    new("grant_type", "refresh_token"),
                    new("refresh_token", password),
                    new("service", challenge["service"] ?? ""),
                };
                response = await PostFormAsync(tokenUrl, form);
            }
            else
            {
                var query = new List<string> { $"account={Uri.EscapeDataString(username)}", $"client_id={ClientId}", "offline_token=true" };
                if (challenge["service"] is { } service)
                {
                    query.Add($"service={Uri.EscapeDataString(service)}");
                }

                var separator = string.IsNullOrEmpty(realm.Query) ? "?" : "&";
                tokenUrl = $"{realm.GetLeftPart(UriPartial.Query)}{separator}{string.Join('&', query)}";
                response = await SendAsync(tokenUrl, BasicHeader());
            }

            using var answer = response;
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

            var (token, refreshToken) = ReadToken(body);

            // A token service may rotate an identity token; without a new one the one given stays valid.
            refreshToken ??= IsIdentityToken ? password : null;
            return (token ?? throw new RemoteException(RemoteErrorCodes.LoginFailed, $"login to {Host} failed: the token service {realm.Authority} returned no token (malformed response)"), refreshToken, trust);
        }

        private static (string? Token, string? RefreshToken) ReadToken(string body)
        {
            try
            {
                // Duplicate keys are refused while parsing; a lazily built object would throw on first use.
                if (StrictJson.ParseNode(body) is not JsonObject reply)
                {
                    return (null, null);
                }

                string? Field(string name) => reply[name] is JsonValue v && v.TryGetValue<string>(out var t) && t.Length > 0 ? t : null;
                return (TokenFields.Select(Field).FirstOrDefault(t => t is not null), Field("refresh_token"));
            }
            catch (JsonException)
            {
                return (null, null);
            }
        }

        /// <summary>The user name of the helpers' convention: the secret is an identity (refresh) token, not a password.</summary>
        private bool IsIdentityToken => username == IdentityTokenUsername;

        private async Task<HttpResponseMessage> PostFormAsync(string url, IEnumerable<KeyValuePair<string, string>> form)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
            try
            {
                return await client.SendAsync(request, cancellationToken);
            }
            catch (Exception ex) when (RemoteHttp.IsTransportFailure(ex, cancellationToken))
            {
                throw new RemoteException(RemoteErrorCodes.Network, $"login to {Host} failed: {RemoteHttp.Describe(ex, url)}", ex);
            }
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

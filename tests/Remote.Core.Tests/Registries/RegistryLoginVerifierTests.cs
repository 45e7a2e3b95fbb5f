using System.Net;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Tests.Registries;

public class RegistryLoginVerifierTests : IDisposable
{
    private const string Realm = "https://auth.example.com/token";
    private const string BearerChallenge = "Bearer realm=\"" + Realm + "\",service=\"registry.example.com\"";

    private readonly TestMachine _home = new();

    public void Dispose() => _home.Dispose();

    private Task<RegistryVerification> Verify(FakeHttpHandler registry, string uri, string password = "right", bool insecure = false, string[]? trust = null) =>
        new RegistryLoginVerifier(_home.Context(registry), TimeSpan.FromMilliseconds(500), trust)
            .VerifyAsync(RegistryReference.ParseRegistry(uri), "alice", password, insecure);

    /// <summary>A token-auth registry: the realm issues a token for alice/right only, /v2/ accepts only that token.</summary>
    private static FakeHttpHandler TokenRegistry(string realm = Realm, string challenge = BearerChallenge, string tokenJson = "{\"token\":\"good-token\"}") => new(request =>
    {
        var url = request.RequestUri!.ToString();
        var auth = request.Headers.Authorization?.ToString();
        if (url.StartsWith(realm, StringComparison.Ordinal))
        {
            return auth == $"Basic {TestMachine.Basic("alice", "right")}"
                ? FakeHttpHandler.Status(HttpStatusCode.OK, json: tokenJson)
                : FakeHttpHandler.Status(HttpStatusCode.Unauthorized, json: "{\"details\":\"incorrect username or password\"}");
        }

        return auth == "Bearer good-token" ? FakeHttpHandler.Status(HttpStatusCode.OK) : FakeHttpHandler.Status(HttpStatusCode.Unauthorized, challenge);
    });

    /// <summary>A <see cref="TokenRegistry"/> whose challenge names <paramref name="realm"/> and, unless null, <paramref name="service"/>.</summary>
    private static FakeHttpHandler TokenRegistryAt(string realm, string? service) =>
        TokenRegistry(realm, service is null ? $"Bearer realm=\"{realm}\"" : $"Bearer realm=\"{realm}\",service=\"{service}\"");

    [Fact]
    public async Task Basic_registry_accepts_the_right_password()
    {
        var registry = FakeHttpHandler.BasicAuth("alice", "right");

        var result = await Verify(registry, "docker://registry.example.com");

        Assert.Equal(new RegistryVerification("https://registry.example.com", RegistryAuthMethod.Basic, true), result);
        Assert.Equal([("https://registry.example.com/v2/", null), ("https://registry.example.com/v2/", $"Basic {TestMachine.Basic("alice", "right")}")], registry.Calls);
    }

    [Fact]
    public async Task Basic_registry_rejects_a_wrong_password_naming_the_host_not_the_secret()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => Verify(FakeHttpHandler.BasicAuth("alice", "right"), "docker://registry.example.com", "wrong-pw"));

        Assert.Equal(RemoteErrorCodes.LoginFailed, error.Code);
        Assert.Equal("login to registry.example.com failed: unauthorized: incorrect username or password", error.Message);
    }

    [Theory]
    [InlineData("docker://registry.example.com/team")]
    [InlineData("docker://registry.example.com")]
    public async Task Bearer_registry_is_asked_for_a_token_as_docker_asks_account_client_id_offline_token_service_and_no_scope(string uri)
    {
        var registry = TokenRegistry();

        var result = await Verify(registry, uri);

        Assert.Equal(RegistryAuthMethod.Bearer, result.Method);
        Assert.True(result.CredentialsVerified);
        Assert.Null(result.IdentityToken);
        Assert.Equal(3, registry.Requests.Count);
        Assert.Equal(($"{Realm}?account=alice&client_id=dotnet-remote&offline_token=true&service=registry.example.com", $"Basic {TestMachine.Basic("alice", "right")}"), registry.Calls[1]);
        Assert.DoesNotContain("scope", registry.Calls[1].Url, StringComparison.Ordinal);
        Assert.Equal(("https://registry.example.com/v2/", "Bearer good-token"), registry.Calls[2]);
    }

    [Fact]
    public async Task Bearer_registry_accepts_an_access_token_field()
    {
        var registry = TokenRegistry(tokenJson: "{\"access_token\":\"good-token\",\"expires_in\":300}");

        Assert.Equal(RegistryAuthMethod.Bearer, (await Verify(registry, "docker://registry.example.com")).Method);
    }

    /// <summary>
    /// A token service like Apptainer's e2e server or a registry with public repositories: any scoped request gets an
    /// anonymous pull token whatever the password, only a scope-less (login) request is authenticated; /v2/ opens for
    /// any token it issued.
    /// </summary>
    private static FakeHttpHandler LenientTokenRegistry(string? refreshToken = null) => new(request =>
    {
        var url = request.RequestUri!.ToString();
        if (url.StartsWith(Realm, StringComparison.Ordinal))
        {
            if (url.Contains("scope=", StringComparison.Ordinal))
            {
                return FakeHttpHandler.Status(HttpStatusCode.OK, json: "{\"token\":\"anonymous-pull-token\"}");
            }

            return request.Headers.Authorization?.ToString() == $"Basic {TestMachine.Basic("alice", "right")}"
                ? FakeHttpHandler.Status(HttpStatusCode.OK, json: refreshToken is null ? "{\"token\":\"user-token\"}" : $"{{\"token\":\"user-token\",\"refresh_token\":\"{refreshToken}\"}}")
                : FakeHttpHandler.Status(HttpStatusCode.Unauthorized, json: "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
        }

        return request.Headers.Authorization?.ToString() is "Bearer user-token" or "Bearer anonymous-pull-token"
            ? FakeHttpHandler.Status(HttpStatusCode.OK)
            : FakeHttpHandler.Status(HttpStatusCode.Unauthorized, BearerChallenge);
    });

    [Theory]
    [InlineData("docker://registry.example.com")]
    [InlineData("docker://registry.example.com/public-ns")]
    public async Task A_token_service_that_grants_anonymous_scoped_tokens_still_refuses_a_wrong_password(string uri)
    {
        var registry = LenientTokenRegistry();

        var error = await Assert.ThrowsAsync<RemoteException>(() => Verify(registry, uri, "wrong-pw"));
        var right = await Verify(LenientTokenRegistry(), uri);

        Assert.Equal(RemoteErrorCodes.LoginFailed, error.Code);
        Assert.Equal("login to registry.example.com failed: unauthorized: incorrect username or password", error.Message);
        Assert.True(right.CredentialsVerified);
    }

    [Fact]
    public async Task A_refresh_token_from_the_token_service_becomes_the_identity_token_and_is_never_printed()
    {
        var result = await Verify(LenientTokenRegistry(refreshToken: "refresh-me"), "docker://registry.example.com");

        Assert.Equal("refresh-me", result.IdentityToken);
        Assert.DoesNotContain("refresh-me", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bearer_registry_rejects_a_wrong_password_at_the_realm()
    {
        var registry = TokenRegistry();

        var error = await Assert.ThrowsAsync<RemoteException>(() => Verify(registry, "docker://registry.example.com", "wrong-pw"));

        Assert.Equal(RemoteErrorCodes.LoginFailed, error.Code);
        Assert.Equal("login to registry.example.com failed: unauthorized: incorrect username or password", error.Message);
        Assert.Equal(2, registry.Requests.Count);
    }

    [Fact]
    public async Task A_token_that_does_not_open_v2_is_a_failed_login()
    {
        var registry = TokenRegistry(tokenJson: "{\"token\":\"anonymous-token\"}");

        var error = await Assert.ThrowsAsync<RemoteException>(() => Verify(registry, "docker://registry.example.com"));

        Assert.Equal(RemoteErrorCodes.LoginFailed, error.Code);
        Assert.Equal(3, registry.Requests.Count);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"token\":\"\"}")]
    [InlineData("[\"token\"]")]
    public async Task A_malformed_token_response_is_a_clear_failure(string body)
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => Verify(TokenRegistry(tokenJson: body), "docker://registry.example.com"));

        Assert.Equal(RemoteErrorCodes.LoginFailed, error.Code);
        Assert.Equal("login to registry.example.com failed: the token service auth.example.com returned no token (malformed response)", error.Message);
    }

    [Fact]
    public async Task Docker_Hub_is_verified_on_registry_1_with_its_auth_docker_io_realm()
    {
        const string hubRealm = "https://auth.docker.io/token";
        var registry = TokenRegistryAt(hubRealm, "registry.docker.io");

        var result = await Verify(registry, "docker://docker.io");

        Assert.Equal("https://registry-1.docker.io", result.Endpoint);
        Assert.Equal($"{hubRealm}?account=alice&client_id=dotnet-remote&offline_token=true&service=registry.docker.io", registry.Calls[1].Url);
        Assert.Equal(RealmTrust.SameRegistrableDomain, result.RealmTrust);
    }

    [Theory]
    [InlineData("https://evil.example.net/token")]
    [InlineData("https://10.0.0.1/token")]
    [InlineData("https://example.com.evil.net/token")]
    [InlineData("http://auth.example.com/token")]
    public async Task Credentials_are_never_sent_to_a_foreign_or_plain_http_realm(string realm)
    {
        var registry = TokenRegistryAt(realm, "s");

        var error = await Assert.ThrowsAsync<RemoteException>(() => Verify(registry, "docker://registry.example.com"));

        Assert.Equal(RemoteErrorCodes.LoginFailed, error.Code);
        Assert.StartsWith("login to registry.example.com failed: refusing to send credentials to the token service", error.Message, StringComparison.Ordinal);
        Assert.Single(registry.Requests);
    }

    /// <summary>A token service that takes docker's OAuth2 refresh-token grant (POST) for one identity token.</summary>
    private static FakeHttpHandler OAuthRegistry(string? rotated = null) => new(request =>
    {
        if (request.RequestUri!.ToString() == Realm && request.Method == HttpMethod.Post)
        {
            var form = request.Content!.ReadAsStringAsync().GetAwaiter().GetResult();
            return form == "client_id=dotnet-remote&grant_type=refresh_token&refresh_token=id-token-1&service=registry.example.com"
                ? FakeHttpHandler.Status(HttpStatusCode.OK, json: rotated is null ? "{\"access_token\":\"good-token\"}" : $"{{\"access_token\":\"good-token\",\"refresh_token\":\"{rotated}\"}}")
                : FakeHttpHandler.Status(HttpStatusCode.Unauthorized);
        }

        return request.Headers.Authorization?.ToString() == "Bearer good-token" ? FakeHttpHandler.Status(HttpStatusCode.OK) : FakeHttpHandler.Status(HttpStatusCode.Unauthorized, BearerChallenge);
    });

    private Task<RegistryVerification> VerifyIdentityToken(FakeHttpHandler registry, string token) =>
        new RegistryLoginVerifier(_home.Context(registry), TimeSpan.FromMilliseconds(500))
            .VerifyAsync(RegistryReference.ParseRegistry("docker://registry.example.com"), RegistryLoginVerifier.IdentityTokenUsername, token, insecure: false);

    [Fact]
    public async Task An_identity_token_is_verified_with_dockers_refresh_token_grant_and_kept_or_rotated()
    {
        var kept = await VerifyIdentityToken(OAuthRegistry(), "id-token-1");
        var rotated = await VerifyIdentityToken(OAuthRegistry("id-token-2"), "id-token-1");
        var wrong = await Assert.ThrowsAsync<RemoteException>(() => VerifyIdentityToken(OAuthRegistry(), "stolen"));

        Assert.Equal(("id-token-1", true), (kept.IdentityToken, kept.CredentialsVerified));
        Assert.Equal("id-token-2", rotated.IdentityToken);
        Assert.Equal("login to registry.example.com failed: unauthorized: incorrect username or password", wrong.Message);
    }

    [Fact]
    public async Task An_identity_token_is_never_sent_as_basic_credentials()
    {
        var registry = FakeHttpHandler.BasicAuth("alice", "right");

        var error = await Assert.ThrowsAsync<RemoteException>(() => VerifyIdentityToken(registry, "id-token-1"));

        Assert.Contains("needs a Bearer token service", error.Message, StringComparison.Ordinal);
        Assert.Single(registry.Requests);
    }

    [Theory]
    [InlineData("https://auth.tenant-b.co.uk/token", "docker://registry.tenant-a.co.uk")]
    [InlineData("https://y.github.io/token", "docker://x.github.io")]
    public async Task A_realm_under_the_same_public_suffix_but_another_registrable_domain_is_refused_naming_how_to_trust_it(string realm, string uri)
    {
        var registry = TokenRegistryAt(realm, "s");
        var realmHost = new Uri(realm).Host;

        var error = await Assert.ThrowsAsync<RemoteException>(() => Verify(registry, uri));

        Assert.Equal(RemoteErrorCodes.LoginFailed, error.Code);
        Assert.Contains($"--trust-realm {realmHost}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{RealmPolicy.TrustedRealmsVariable}={realmHost}", error.Message, StringComparison.Ordinal);
        Assert.Single(registry.Requests);

        var trusted = TokenRegistryAt(realm, "s");
        Assert.Equal(RealmTrust.Trusted, (await Verify(trusted, uri, trust: [realmHost])).RealmTrust);
    }

    [Fact]
    public async Task A_registry_whose_realm_is_another_name_of_the_same_loopback_machine_is_logged_into()
    {
        // Apptainer's e2e layout: registry at 127.0.0.1:5000, realm http://localhost:5000/auth.
        const string realm = "http://localhost:5000/auth";
        var registry = TokenRegistryAt(realm, "e2e");

        var result = await Verify(registry, "docker://127.0.0.1:5000");

        Assert.Equal(RealmTrust.BothLoopback, result.RealmTrust);
        Assert.StartsWith(realm, registry.Calls[1].Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_name_that_resolves_to_loopback_falls_back_to_http_without_insecure()
    {
        _home.Hosts["registry-a.test"] = [IPAddress.Parse("127.0.0.2")];
        var registry = new FakeHttpHandler(request => request.RequestUri!.Scheme == "https"
            ? throw new HttpRequestException(HttpRequestError.SecureConnectionError, "no TLS here")
            : FakeHttpHandler.BasicAuth("alice", "right").Answer(request));

        var result = await Verify(registry, "docker://registry-a.test:5000");

        Assert.Equal("http://registry-a.test:5000", result.Endpoint);
        Assert.Contains("registry-a.test", _home.Resolved);
    }

    [Fact]
    public async Task A_realm_on_the_registry_host_with_another_port_is_followed()
    {
        const string realm = "https://127.0.0.1:5001/auth";
        var registry = TokenRegistryAt(realm, service: null);

        var result = await Verify(registry, "docker://127.0.0.1:5000");

        Assert.Equal(RegistryAuthMethod.Bearer, result.Method);
    }

    [Fact]
    public async Task An_anonymous_registry_passes_only_with_an_authenticated_200_and_says_it_verified_nothing()
    {
        var open = new FakeHttpHandler(_ => FakeHttpHandler.Status(HttpStatusCode.OK));
        var result = await Verify(open, "docker://registry.example.com");
        Assert.Equal(new RegistryVerification("https://registry.example.com", RegistryAuthMethod.Anonymous, false), result);
        Assert.Equal($"Basic {TestMachine.Basic("alice", "right")}", open.Calls[1].Authorization);

        var rejectsCredentials = new FakeHttpHandler(r => FakeHttpHandler.Status(r.Headers.Authorization is null ? HttpStatusCode.OK : HttpStatusCode.Unauthorized));
        var error = await Assert.ThrowsAsync<RemoteException>(() => Verify(rejectsCredentials, "docker://registry.example.com"));
        Assert.Equal(RemoteErrorCodes.LoginFailed, error.Code);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, RemoteErrorCodes.Network, "login attempt to https://registry.example.com/v2/ failed with status: 503 Service Unavailable")]
    [InlineData(HttpStatusCode.NotFound, RemoteErrorCodes.LoginFailed, "login attempt to https://registry.example.com/v2/ failed with status: 404 Not Found")]
    [InlineData(HttpStatusCode.Found, RemoteErrorCodes.LoginFailed, "login attempt to https://registry.example.com/v2/ failed with status: 302 Found")]
    public async Task Unexpected_statuses_name_the_url(HttpStatusCode status, string code, string message)
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => Verify(new FakeHttpHandler(_ => FakeHttpHandler.Status(status)), "docker://registry.example.com"));

        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task A_401_without_a_usable_challenge_fails()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => Verify(new FakeHttpHandler(_ => FakeHttpHandler.Status(HttpStatusCode.Unauthorized, "Negotiate")), "docker://registry.example.com"));

        Assert.Equal(RemoteErrorCodes.LoginFailed, error.Code);
    }

    [Fact]
    public async Task A_registry_that_does_not_answer_times_out_naming_the_host()
    {
        var hanging = new HangingHandler();

        var error = await Assert.ThrowsAsync<RemoteException>(() =>
            new RegistryLoginVerifier(_home.Context(hanging), TimeSpan.FromMilliseconds(200)).VerifyAsync(RegistryReference.ParseRegistry("docker://registry.example.com"), "alice", "right", insecure: false));

        Assert.Equal(RemoteErrorCodes.Network, error.Code);
        Assert.Equal("login to registry.example.com failed: request to registry.example.com timed out", error.Message);
    }

    [Fact]
    public async Task Unreachable_https_is_not_retried_over_http_for_a_secure_registry()
    {
        var registry = new FakeHttpHandler(_ => throw new HttpRequestException(HttpRequestError.ConnectionError, "refused"));

        var error = await Assert.ThrowsAsync<RemoteException>(() => Verify(registry, "docker://registry.example.com"));

        Assert.Equal(RemoteErrorCodes.Network, error.Code);
        Assert.Equal("login to registry.example.com failed: cannot connect to registry.example.com", error.Message);
        Assert.Single(registry.Requests);
    }

    [Theory]
    [InlineData("docker://localhost:5000", false)]
    [InlineData("docker://registry.example.com", true)]
    public async Task Insecure_and_loopback_registries_fall_back_to_http(string uri, bool insecure)
    {
        var registry = new FakeHttpHandler(request => request.RequestUri!.Scheme == "https"
            ? throw new HttpRequestException(HttpRequestError.SecureConnectionError, "no TLS here")
            : FakeHttpHandler.BasicAuth("alice", "right").Answer(request));

        var result = await Verify(registry, uri, insecure: insecure);

        Assert.StartsWith("http://", result.Endpoint, StringComparison.Ordinal);
        Assert.Equal(RegistryAuthMethod.Basic, result.Method);
    }

    [Fact]
    public async Task A_rejected_password_over_https_is_not_retried_over_http()
    {
        var registry = FakeHttpHandler.BasicAuth("alice", "right");

        await Assert.ThrowsAsync<RemoteException>(() => Verify(registry, "docker://localhost:5000", "wrong"));

        Assert.All(registry.Calls, r => Assert.StartsWith("https://", r.Url, StringComparison.Ordinal));
    }

    private sealed class HangingHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}

using System.Net;
using System.Text.Json;

namespace DotnetRemote.Integration.Tests.Tests;

[Collection(Registries.Name)]
public sealed class RegistryFixtureTests(RegistryAFixture a, RegistryBFixture b, TokenAuthRegistryFixture token)
{
    private static readonly HttpClient Client = new();

    /// <summary>GETs <paramref name="v2"/> without credentials: a 401 with exactly one challenge, of this scheme and parameter.</summary>
    private static async Task<HttpResponseMessage> ChallengedAsync(Uri v2, string scheme, string parameter)
    {
        var anonymous = await Http.GetAsync(Client, v2);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var challenge = Assert.Single(anonymous.Headers.WwwAuthenticate);
        Assert.Equal(scheme, challenge.Scheme);
        Assert.Equal(parameter, challenge.Parameter);
        return anonymous;
    }

    [SkippableFact]
    public async Task Registry_answers_v2_with_a_basic_challenge_and_accepts_only_its_own_user()
    {
        await a.EnsureAvailableAsync();
        var v2 = new Uri(a.BaseAddress, "v2/");

        using var anonymous = await ChallengedAsync(v2, "Basic", $"realm=\"{a.Realm}\"");
        Assert.Equal("registry/2.0", anonymous.Headers.GetValues("Docker-Distribution-Api-Version").Single());

        using var own = await Http.GetAsync(Client, v2, Http.Basic(a.Username, a.Password));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        using var wrongPassword = await Http.GetAsync(Client, v2, Http.Basic(a.Username, a.Password + "x"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        using var otherUser = await Http.GetAsync(Client, v2, Http.Basic(b.Username, b.Password));
        Assert.Equal(HttpStatusCode.Unauthorized, otherUser.StatusCode);
    }

    [SkippableFact]
    public async Task Two_registries_on_distinct_host_names_each_accept_only_their_own_credentials()
    {
        await a.EnsureAvailableAsync();
        await b.EnsureAvailableAsync();
        Assert.Equal("registry-a.test", a.Hostname);
        Assert.Equal("registry-b.test", b.Hostname);
        Assert.NotEqual(a.Username, b.Username);
        Assert.Equal(IntegrationEnvironment.HostNames[a.Hostname], (await Dns.GetHostAddressesAsync(a.Hostname)).Single());
        Assert.Equal(IntegrationEnvironment.HostNames[b.Hostname], (await Dns.GetHostAddressesAsync(b.Hostname)).Single());

        foreach (var (registry, other) in new[] { ((RegistryFixture)a, (RegistryFixture)b), (b, a) })
        {
            var v2 = new Uri($"http://{registry.HostPort}/v2/");
            using var own = await Http.GetAsync(Client, v2, Http.Basic(registry.Username, registry.Password));
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
            using var foreign = await Http.GetAsync(Client, v2, Http.Basic(other.Username, other.Password));
            Assert.Equal(HttpStatusCode.Unauthorized, foreign.StatusCode);
            Assert.Equal($"realm=\"{registry.Hostname}\"", Assert.Single(foreign.Headers.WwwAuthenticate).Parameter);
        }
    }

    [SkippableFact]
    public async Task Token_registry_challenges_with_bearer_and_accepts_a_token_from_its_realm()
    {
        await token.EnsureAvailableAsync();
        var v2 = new Uri(token.BaseAddress, "v2/");

        using var anonymous = await ChallengedAsync(v2, "Bearer", $"realm=\"{token.Realm}\",service=\"{token.Service}\"");

        var realm = new Uri($"{token.Realm}?service={Uri.EscapeDataString(token.Service)}&scope={Uri.EscapeDataString("repository:it/probe:pull,push")}");
        using var denied = await Http.GetAsync(Client, realm, Http.Basic(token.Username, "wrong"));
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        using var foreign = await Http.GetAsync(Client, realm, Http.Basic(a.Username, a.Password));
        Assert.Equal(HttpStatusCode.Unauthorized, foreign.StatusCode);

        using var issued = await Http.GetAsync(Client, realm, Http.Basic(token.Username, token.Password));
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        using var json = JsonDocument.Parse(await issued.Content.ReadAsStringAsync());
        var jwt = json.RootElement.GetProperty("token").GetString()!;

        using var withToken = await Http.GetAsync(Client, v2, new("Bearer", jwt));
        Assert.Equal(HttpStatusCode.OK, withToken.StatusCode);
        // The scope was granted: the repository is unknown (404), not forbidden (401).
        using var tags = await Http.GetAsync(Client, new Uri(token.BaseAddress, "v2/it/probe/tags/list"), new("Bearer", jwt));
        Assert.Equal(HttpStatusCode.NotFound, tags.StatusCode);

        var tampered = jwt[..^4] + (jwt[^4..] == "AAAA" ? "BBBB" : "AAAA");
        using var rejected = await Http.GetAsync(Client, v2, new("Bearer", tampered));
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
    }
}

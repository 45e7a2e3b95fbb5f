using System.Net;
using System.Net.Sockets;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Manifests;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Tests.Registries;

/// <summary>The realm policy table of the README ("Registry logins: where credentials go"), row by row.</summary>
public class RealmPolicyTests
{
    /// <summary>The test's /etc/hosts: two loopback aliases, a name with a loopback and a public address, a public name.</summary>
    private static readonly Dictionary<string, IPAddress[]> Hosts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["registry-a.test"] = [IPAddress.Parse("127.0.0.2")],
        ["auth-a.test"] = [IPAddress.Parse("127.0.0.9")],
        ["v6.test"] = [IPAddress.IPv6Loopback],
        ["split.test"] = [IPAddress.Parse("127.0.0.3"), IPAddress.Parse("192.0.2.7")],
        ["public.test"] = [IPAddress.Parse("192.0.2.8")],
    };

    private static Task<IPAddress[]> Resolve(string name, CancellationToken cancellationToken) =>
        Hosts.TryGetValue(name, out var addresses) ? Task.FromResult(addresses) : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));

    private static Task<RealmTrust> Judge(string registry, string realm, bool insecure = false, params string[] trusted) =>
        new RealmPolicy(trusted, Resolve).RequireTrustedAsync(registry, new Uri(realm), insecure);

    [Theory]
    // (1) the registry's own host, any port
    [InlineData("ghcr.io", "https://ghcr.io/token", nameof(RealmTrust.SameHost))]
    [InlineData("registry.example.com:5000", "https://REGISTRY.example.com:5001/auth", nameof(RealmTrust.SameHost))]
    [InlineData("127.0.0.1:5000", "https://127.0.0.1:5001/auth", nameof(RealmTrust.SameHost))]
    [InlineData("[::1]:5000", "https://[::1]:5001/auth", nameof(RealmTrust.SameHost))]
    // (2) the same registrable domain per the Public Suffix List
    [InlineData("registry-1.docker.io", "https://auth.docker.io/token", nameof(RealmTrust.SameRegistrableDomain))]
    [InlineData("registry.tenant-a.co.uk", "https://auth.tenant-a.co.uk/token", nameof(RealmTrust.SameRegistrableDomain))]
    [InlineData("x.github.io", "https://auth.x.github.io/token", nameof(RealmTrust.SameRegistrableDomain))]
    [InlineData("registry.gitlab.com", "https://gitlab.com/jwt/auth", nameof(RealmTrust.SameRegistrableDomain))]
    // (3) both loopback only: the e2e layout, /etc/hosts aliases, IPv6
    [InlineData("127.0.0.1:5000", "http://localhost:5000/auth", nameof(RealmTrust.BothLoopback))]
    [InlineData("localhost:5000", "http://127.0.0.1:5001/auth", nameof(RealmTrust.BothLoopback))]
    [InlineData("registry-a.test:5000", "http://auth-a.test:5001/token", nameof(RealmTrust.BothLoopback))]
    [InlineData("registry-a.test:5000", "http://[::1]:5001/token", nameof(RealmTrust.BothLoopback))]
    [InlineData("v6.test:5000", "https://localhost/token", nameof(RealmTrust.BothLoopback))]
    public async Task Trusted_realms(string registry, string realm, string expected)
    {
        Assert.Equal(Enum.Parse<RealmTrust>(expected), await Judge(registry, realm));
    }

    [Theory]
    // another registrable domain under a public suffix
    [InlineData("registry.tenant-a.co.uk", "https://auth.tenant-b.co.uk/token")]
    [InlineData("tenant-a.co.uk", "https://tenant-b.co.uk/token")]
    [InlineData("x.github.io", "https://y.github.io/token")]
    [InlineData("registry.example.com", "https://evil.example.net/token")]
    [InlineData("registry.example.com", "https://example.com.evil.net/token")]
    // an IP address is never "the same domain" as a name, nor two addresses of one network
    [InlineData("registry.example.com", "https://10.0.0.1/token")]
    [InlineData("10.0.0.2:5000", "https://10.0.0.1/token")]
    [InlineData("10.0.0.2:5000", "https://registry.example.com/token")]
    // loopback on one side only, or a name that also resolves elsewhere
    [InlineData("127.0.0.1:5000", "https://public.test/token")]
    [InlineData("public.test", "https://localhost/token")]
    [InlineData("registry-a.test:5000", "https://split.test/token")]
    [InlineData("unknown.test", "https://localhost/token")]
    public async Task Refused_realms_name_the_realm_host_and_every_way_to_trust_it(string registry, string realm)
    {
        var host = new Uri(realm).Host.Trim('[', ']');

        var error = await Assert.ThrowsAsync<RemoteException>(() => Judge(registry, realm));

        Assert.Equal(RemoteErrorCodes.LoginFailed, error.Code);
        Assert.StartsWith($"refusing to send credentials to the token service {new Uri(realm).Scheme}://{new Uri(realm).Authority}: {host} is not", error.Message, StringComparison.Ordinal);
        Assert.Contains($"--trust-realm {host}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"DOTNET_REMOTE_TRUSTED_REALMS={host}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"trustRealms: [{host}]", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("auth.tenant-b.co.uk")]
    [InlineData("AUTH.tenant-b.co.uk.")]
    [InlineData("auth.tenant-b.co.uk:443")]
    [InlineData("https://auth.tenant-b.co.uk/token")]
    public async Task A_realm_host_the_user_trusts_is_trusted_in_any_spelling(string trusted)
    {
        Assert.Equal(RealmTrust.Trusted, await Judge("registry.tenant-a.co.uk", "https://auth.tenant-b.co.uk/token", false, trusted));
        await Assert.ThrowsAsync<RemoteException>(() => Judge("registry.tenant-a.co.uk", "https://other.tenant-b.co.uk/token", false, trusted));
    }

    [Fact]
    public async Task Trusted_realm_hosts_come_from_the_flag_and_the_environment_variable()
    {
        using var home = new TestMachine();
        home.SetEnvironment(RealmPolicy.TrustedRealmsVariable, " auth.one.example , auth.two.example");
        var policy = RealmPolicy.For(home.Context(), ["auth.flag.example"]);

        foreach (var host in new[] { "auth.one.example", "auth.two.example", "auth.flag.example" })
        {
            Assert.Equal(RealmTrust.Trusted, await policy.RequireTrustedAsync("registry.example.org", new Uri($"https://{host}/token"), insecure: false));
        }

        await Assert.ThrowsAsync<RemoteException>(() => policy.RequireTrustedAsync("registry.example.org", new Uri("https://auth.three.example/token"), insecure: false));
    }

    [Fact]
    public void A_manifest_login_reads_its_trusted_realms()
    {
        using var home = new TestMachine();
        var path = Path.Combine(home.Root, "remotes.yaml");
        File.WriteAllText(path, "logins:\n  - uri: docker://registry.tenant-a.co.uk\n    username: ci\n    password: pw\n    trustRealms:\n      - auth.tenant-b.co.uk\n      - auth.other.example\n");

        var login = Assert.Single(ManifestReader.Parse(File.ReadAllText(path), path, _ => null).Logins);

        Assert.Equal(["auth.tenant-b.co.uk", "auth.other.example"], login.TrustRealms);
    }

    /// <summary>A token registry on registry.example.org whose token service lives on another domain and issues refresh tokens.</summary>
    private static FakeHttpHandler ForeignRealmRegistry() => new(request =>
    {
        const string realm = "https://auth.tokens.example.net/token";
        if (request.RequestUri!.ToString().StartsWith(realm, StringComparison.Ordinal))
        {
            return request.Headers.Authorization?.ToString() == $"Basic {TestMachine.Basic("ci", "pw")}"
                ? FakeHttpHandler.Status(HttpStatusCode.OK, json: "{\"token\":\"t\",\"refresh_token\":\"refresh-m\"}")
                : FakeHttpHandler.Status(HttpStatusCode.Unauthorized);
        }

        return request.Headers.Authorization?.ToString() == "Bearer t"
            ? FakeHttpHandler.Status(HttpStatusCode.OK)
            : FakeHttpHandler.Status(HttpStatusCode.Unauthorized, $"Bearer realm=\"{realm}\",service=\"s\"");
    });

    [Fact]
    public async Task Apply_trusts_a_realm_only_when_the_manifest_login_names_it_and_stores_its_identity_token()
    {
        using var home = new TestMachine();
        var path = Path.Combine(home.Root, "remotes.yaml");
        const string Login = "logins:\n  - uri: docker://registry.example.org\n    username: ci\n    password: pw\n";

        var refused = await Assert.ThrowsAsync<RemoteException>(() =>
            new ApplyManifest(home.Context(ForeignRealmRegistry())).ExecuteAsync(new ApplyManifestOptions(ManifestReader.Parse(Login, path, _ => null))));
        Assert.Contains("--trust-realm auth.tokens.example.net", refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(home.PrimaryFile));

        var trusting = ManifestReader.Parse(Login + "    trustRealms: [auth.tokens.example.net]\n", path, _ => null);
        var first = await new ApplyManifest(home.Context(ForeignRealmRegistry())).ExecuteAsync(new ApplyManifestOptions(trusting));
        var second = await new ApplyManifest(home.Context(ForeignRealmRegistry())).ExecuteAsync(new ApplyManifestOptions(trusting));

        Assert.True(first.Applied);
        Assert.Contains("\"identitytoken\": \"refresh-m\"", File.ReadAllText(home.PrimaryFile), StringComparison.Ordinal);
        Assert.DoesNotContain(TestMachine.Basic("ci", "pw"), File.ReadAllText(home.PrimaryFile), StringComparison.Ordinal);
        Assert.False(second.ChangesAnything);
    }

    [Theory]
    // https is required unless the login is insecure or both ends are loopback, whatever made the host trusted
    [InlineData("registry.example.com", "http://registry.example.com/token", false, false)]
    [InlineData("registry.example.com", "http://auth.example.com/token", false, false)]
    [InlineData("registry.example.com", "http://auth.example.com/token", true, true)]
    [InlineData("127.0.0.1:5000", "http://127.0.0.1:5001/token", false, true)]
    [InlineData("127.0.0.1:5000", "http://localhost:5001/token", false, true)]
    [InlineData("registry-a.test:5000", "http://registry-a.test:5001/token", false, true)]
    [InlineData("split.test:5000", "http://split.test:5001/token", false, false)]
    [InlineData("registry.example.com", "ftp://registry.example.com/token", true, false)]
    public async Task Plain_http_realms(string registry, string realm, bool insecure, bool allowed)
    {
        if (allowed)
        {
            await Judge(registry, realm, insecure);
            return;
        }

        var error = await Assert.ThrowsAsync<RemoteException>(() => Judge(registry, realm, insecure));
        Assert.Contains("does not use https", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_public_suffix_list_is_consulted_only_when_a_realm_on_another_host_must_be_judged()
    {
        var loads = 0;
        PublicSuffixList Suffixes()
        {
            loads++;
            return PublicSuffixList.Default;
        }

        var policy = new RealmPolicy(["trusted.example"], Resolve, Suffixes);
        await policy.RequireTrustedAsync("ghcr.io", new Uri("https://ghcr.io/token"), insecure: false);
        await policy.RequireTrustedAsync("ghcr.io", new Uri("https://trusted.example/token"), insecure: false);
        await policy.RequireTrustedAsync("127.0.0.1:5000", new Uri("http://[::1]:5000/token"), insecure: false);
        Assert.Equal(0, loads);

        await policy.RequireTrustedAsync("registry-1.docker.io", new Uri("https://auth.docker.io/token"), insecure: false);
        Assert.True(loads > 0);
    }
}

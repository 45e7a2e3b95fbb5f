using System.Net;
using System.Text;
using DotNet.Testcontainers.Builders;

namespace DotnetRemote.Integration.Tests.Fixtures;

/// <summary>
/// A CNCF distribution registry with htpasswd (Basic) auth and one user, reached as http://<see cref="Hostname"/>:<see cref="Port"/>.
/// The container publishes on all addresses, so the test host name (a 127.0.0.x alias) reaches it.
/// Use <see cref="RegistryAFixture"/> or <see cref="RegistryBFixture"/>, e.g. through <see cref="Registries"/>.
/// </summary>
public abstract class RegistryFixture : ContainerFixture
{
    private readonly string htpasswdLine;

    protected RegistryFixture(string hostname, string username, string password, string htpasswdLine)
    {
        Hostname = hostname;
        Username = username;
        Password = password;
        this.htpasswdLine = htpasswdLine;
    }

    /// <summary>Host name (mapped to a loopback alias), e.g. registry-a.test.</summary>
    public string Hostname { get; }

    /// <summary>Mapped host port.</summary>
    public int Port { get; private set; }

    /// <summary>"registry-a.test:PORT": the registry name as docker/skopeo/auth files use it.</summary>
    public string HostPort => $"{Hostname}:{Port}";

    /// <summary>http://registry-a.test:PORT/ (plain HTTP).</summary>
    public Uri BaseAddress => new($"http://{HostPort}/");

    /// <summary>The only user this registry accepts.</summary>
    public string Username { get; }

    public string Password { get; }

    /// <summary>Realm in the <c>Www-Authenticate: Basic realm="..."</c> challenge (the host name).</summary>
    public string Realm => Hostname;

    protected override async Task StartAsync()
    {
        var auth = $"""
              htpasswd:
                realm: {Realm}
                path: /etc/docker/registry/htpasswd
            """;
        var container = Track(RegistryContainer.Builder(await Images.Registry.GetAsync(), auth)
            .WithResourceMapping(Utf8(htpasswdLine + "\n"), "/etc/docker/registry/htpasswd")
            .Build());
        await StartWithLogsAsync(container, $"registry {Hostname}");
        Port = container.GetMappedPublicPort(RegistryContainer.Port);
    }
}

/// <summary>Registry on registry-a.test; user alice / alice-pass-a.</summary>
public sealed class RegistryAFixture() : RegistryFixture(
    "registry-a.test", "alice", "alice-pass-a",
    "alice:$2y$05$fnktOCfpQGs3.1ZASh8NLOaozLU3yzFrjhTH2RjdqO8avkxVF/xPO");

/// <summary>Registry on registry-b.test; user bob / bob-pass-b.</summary>
public sealed class RegistryBFixture() : RegistryFixture(
    "registry-b.test", "bob", "bob-pass-b",
    "bob:$2y$05$7qjPnWgaLaxiJMy12rMh6e9MzsOHb0DIlT6ZH2/mRJJFOHEK6fyCS");

/// <summary>
/// A distribution registry with token auth: <c>/v2/</c> answers <c>Bearer realm="<see cref="Realm"/>",service="<see cref="Service"/>"</c>;
/// the realm is our token server (servers/RegistryTokenServer), which checks Basic credentials and signs RS256 JWTs
/// the registry verifies. The registry is reached through <see cref="Hostname"/>, the realm through <see cref="RealmHost"/>.
/// </summary>
public abstract class TokenRegistryFixture : ContainerFixture
{
    private readonly string mode;
    private readonly string refreshUsers;

    protected TokenRegistryFixture(string hostname, string realmHost, string mode, string refreshUsers)
    {
        Hostname = hostname;
        RealmHost = realmHost;
        this.mode = mode;
        this.refreshUsers = refreshUsers;
    }

    public string Hostname { get; }

    /// <summary>The host name in the realm URL (the registry's own name, or another name of this machine).</summary>
    public string RealmHost { get; }

    public int Port { get; private set; }

    public string HostPort => $"{Hostname}:{Port}";

    public Uri BaseAddress => new($"http://{HostPort}/");

    /// <summary>Token endpoint URL, e.g. http://registry-a.test:PORT/token.</summary>
    public string Realm { get; private set; } = "";

    public string Service { get; } = "dotnet-remote-registry";

    public string Issuer { get; } = "dotnet-remote-token-issuer";

    /// <summary>The users the token server knows, "user:password" pairs separated by ';'.</summary>
    protected abstract string Users { get; }

    protected override async Task StartAsync()
    {
        var registryImage = Images.Registry.GetAsync();
        var serverImage = await Images.FakeServers.GetAsync();
        var tokenServer = Track(new ContainerBuilder(serverImage)
            .WithCommand("/app/RegistryTokenServer/RegistryTokenServer.dll")
            .WithResourceMapping(Utf8(TestCertificates.TokenKeyPem), "/keys/token.key")
            .WithResourceMapping(Utf8(TestCertificates.TokenCertificatePem), "/keys/token.crt")
            .WithEnvironment("TOKEN_KEY", "/keys/token.key")
            .WithEnvironment("TOKEN_CERT", "/keys/token.crt")
            .WithEnvironment("TOKEN_ISSUER", Issuer)
            .WithEnvironment("TOKEN_USERS", Users)
            .WithEnvironment("TOKEN_MODE", mode)
            .WithEnvironment("TOKEN_REFRESH_USERS", refreshUsers)
            .WithFakeServerReady()
            .Build());
        await StartWithLogsAsync(tokenServer, $"registry token server ({mode})");
        Realm = $"http://{RealmHost}:{tokenServer.GetMappedPublicPort(Images.FakeServerPort)}/token";

        var auth = $"""
              token:
                realm: {Realm}
                service: {Service}
                issuer: {Issuer}
                rootcertbundle: /etc/docker/registry/token.crt
            """;
        var registry = Track(RegistryContainer.Builder(await registryImage, auth)
            .WithResourceMapping(Utf8(TestCertificates.TokenCertificatePem), "/etc/docker/registry/token.crt")
            .Build());
        await StartWithLogsAsync(registry, $"token-auth registry ({mode})");
        Port = registry.GetMappedPublicPort(RegistryContainer.Port);
    }
}

/// <summary>Token auth on registry-a.test, realm on the same name; the token server authenticates every request. tina / tina-pass-t.</summary>
public sealed class TokenAuthRegistryFixture() : TokenRegistryFixture("registry-a.test", "registry-a.test", "strict", "")
{
    public string Username { get; } = "tina";

    public string Password { get; } = "tina-pass-t";

    protected override string Users => $"{Username}:{Password}";
}

/// <summary>
/// Token auth on registry-b.test with the realm on <c>localhost</c>, another name of the same loopback machine (the
/// layout of Apptainer's e2e suite). Its token server is lenient: any scoped request gets a token (anonymous pull
/// access for wrong credentials), only scope-less requests, docker's login, are authenticated. Two users:
/// lena / lena-pass-l, and rita / rita-pass-r, who gets a <c>refresh_token</c> (an identity token) when she logs in.
/// </summary>
public sealed class LenientTokenRegistryFixture() : TokenRegistryFixture("registry-b.test", "localhost", "lenient", "rita")
{
    public string Username { get; } = "lena";

    public string Password { get; } = "lena-pass-l";

    public string RefreshUsername { get; } = "rita";

    public string RefreshPassword { get; } = "rita-pass-r";

    protected override string Users => $"{Username}:{Password};{RefreshUsername}:{RefreshPassword}";
}

/// <summary>The distribution registry container both flavours share; only the <c>auth:</c> section differs.</summary>
internal static class RegistryContainer
{
    public const int Port = 5000;

    /// <param name="auth">The body of the config's <c>auth:</c> section, indented by two spaces.</param>
    public static ContainerBuilder Builder(string image, string auth) =>
        new ContainerBuilder(image)
            .WithResourceMapping(Encoding.UTF8.GetBytes($"""
                version: 0.1
                log:
                  level: warn
                  accesslog:
                    disabled: true
                storage:
                  filesystem:
                    rootdirectory: /var/lib/registry
                  delete:
                    enabled: true
                http:
                  addr: 0.0.0.0:{Port}
                  secret: integration-test-secret
                auth:
                {auth}

                """), "/etc/docker/registry/config.yml")
            .WithPortBinding(Port, true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(
                r => r.ForPath("/v2/").ForPort(Port).ForStatusCode(HttpStatusCode.Unauthorized),
                w => w.WithTimeout(TimeSpan.FromSeconds(30))));
}

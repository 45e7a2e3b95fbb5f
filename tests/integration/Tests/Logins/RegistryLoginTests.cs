using System.Text.Json;

namespace DotnetRemote.Integration.Tests.Tests.Logins;

/// <summary>
/// OCI registry logins against real distribution registries (Basic on registry-a/-b, token auth for tina), and which
/// stored credential <c>credential get</c> hands out for which image reference.
/// </summary>
[Collection(Registries.Name)]
public sealed class RegistryLoginTests(RegistryAFixture a, RegistryBFixture b, TokenAuthRegistryFixture tokenRegistry)
{
    [SkippableFact]
    public async Task Registry_login_stores_the_secret_in_a_private_docker_config_and_records_the_uri_in_remote_yaml()
    {
        await a.EnsureAvailableAsync();
        using var tool = new RemoteTool();

        var login = await LoginAsync(tool, $"docker://{a.HostPort}", a.Username, a.Password);

        ToolAssert.Succeeded(login);
        ToolAssert.NeverPrinted(login, a.Password);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tool.DockerConfig));
        }
        using (var config = JsonDocument.Parse(tool.ReadDockerConfig()))
        {
            Assert.True(config.RootElement.GetProperty("auths").TryGetProperty(a.HostPort, out _), tool.ReadDockerConfig());
        }
        Assert.Contains($"docker://{a.HostPort}", tool.ReadRemoteYaml(), StringComparison.Ordinal);
        Assert.DoesNotContain(a.Password, tool.ReadRemoteYaml(), StringComparison.Ordinal);

        var list = await tool.RunAsync(["list"]);
        ToolAssert.Succeeded(list);
        Assert.Contains($"docker://{a.HostPort}", list.StdOut[list.StdOut.IndexOf("Authenticated Logins", StringComparison.Ordinal)..], StringComparison.Ordinal);
        ToolAssert.NeverPrinted(list, a.Password);
        foreach (var command in new[] { new[] { "list", "--json" }, ["registry", "list"], ["credential", "which", "--json", $"docker://{a.HostPort}/x"] })
        {
            var listing = await tool.RunAsync(command);
            ToolAssert.Succeeded(listing);
            Assert.Contains(a.HostPort, listing.StdOut, StringComparison.Ordinal);
            ToolAssert.NeverPrinted(listing, a.Password, Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{a.Username}:{a.Password}")));
        }
        Assert.Equal((a.Username, a.Password), await CredentialAsync(tool, $"docker://{a.HostPort}/some/repo:tag"));
    }

    [SkippableFact]
    public async Task Seed_login_reads_the_password_from_the_prompt_and_stores_it()
    {
        await a.EnsureAvailableAsync();
        using var tool = new RemoteTool();

        var login = await tool.RunAsync(["login", "-i", "-u", a.Username, $"docker://{a.HostPort}"], stdin: a.Password + "\n");

        ToolAssert.Succeeded(login);
        ToolAssert.NeverPrinted(login, a.Password);
        Assert.Contains("Password (or token when username is empty): ", login.StdOut, StringComparison.Ordinal);
        Assert.Contains($"INFO:    Password stored in {tool.DockerConfig}\n", login.StdErr, StringComparison.Ordinal);
        Assert.Contains($"INFO:    Login recorded in {tool.RemoteYaml}\n", login.StdErr, StringComparison.Ordinal);
        Assert.Equal((a.Username, a.Password), await CredentialAsync(tool, $"docker://{a.HostPort}/x"));
    }

    [SkippableFact]
    public async Task A_wrong_password_is_refused_and_the_previous_credential_is_kept()
    {
        await a.EnsureAvailableAsync();
        using var tool = new RemoteTool();
        ToolAssert.Succeeded(await LoginAsync(tool, $"docker://{a.HostPort}", a.Username, a.Password));
        var dockerConfig = tool.ReadDockerConfig();
        var remoteYaml = tool.ReadRemoteYaml();
        const string WrongPassword = "not-alices-password";

        var login = await LoginAsync(tool, $"docker://{a.HostPort}", a.Username, WrongPassword);

        ToolAssert.FailedWithOneFatal(login, a.HostPort);
        ToolAssert.NeverPrinted(login, WrongPassword, a.Password);
        Assert.Equal(dockerConfig, tool.ReadDockerConfig());
        Assert.Equal(remoteYaml, tool.ReadRemoteYaml());
        Assert.Equal((a.Username, a.Password), await CredentialAsync(tool, $"docker://{a.HostPort}/x"));
    }

    [SkippableFact]
    public async Task Each_registry_accepts_only_its_own_user_and_credential_get_picks_the_credential_by_host_name()
    {
        await a.EnsureAvailableAsync();
        await b.EnsureAvailableAsync();
        using var tool = new RemoteTool();

        var alicesPasswordOnB = await LoginAsync(tool, $"docker://{b.HostPort}", a.Username, a.Password);
        ToolAssert.FailedWithOneFatal(alicesPasswordOnB, b.HostPort);
        Assert.DoesNotContain(b.HostPort, tool.ReadDockerConfig(), StringComparison.Ordinal);

        ToolAssert.Succeeded(await LoginAsync(tool, $"docker://{a.HostPort}", a.Username, a.Password));
        ToolAssert.Succeeded(await LoginAsync(tool, $"docker://{b.HostPort}", b.Username, b.Password));

        Assert.Equal((a.Username, a.Password), await CredentialAsync(tool, $"docker://{a.HostPort}/some/repo:tag"));
        Assert.Equal((b.Username, b.Password), await CredentialAsync(tool, $"docker://{b.HostPort}/x"));
        var which = await tool.RunAsync(["credential", "which", $"docker://{b.HostPort}/x"]);
        ToolAssert.Succeeded(which);
        ToolAssert.NeverPrinted(which, a.Password, b.Password);
    }

    [SkippableFact]
    public async Task Token_auth_registry_accepts_tina_and_rejects_a_wrong_password()
    {
        await tokenRegistry.EnsureAvailableAsync();
        using var tool = new RemoteTool();
        var uri = $"docker://{tokenRegistry.HostPort}";

        var wrong = await LoginAsync(tool, uri, tokenRegistry.Username, "not-tinas-password");
        ToolAssert.FailedWithOneFatal(wrong, tokenRegistry.HostPort);
        Assert.DoesNotContain(tokenRegistry.HostPort, tool.ReadDockerConfig(), StringComparison.Ordinal);

        var login = await LoginAsync(tool, uri, tokenRegistry.Username, tokenRegistry.Password);
        ToolAssert.Succeeded(login);
        ToolAssert.NeverPrinted(login, tokenRegistry.Password);
        Assert.Equal((tokenRegistry.Username, tokenRegistry.Password), await CredentialAsync(tool, $"{uri}/it/app:1"));
    }

    [SkippableFact]
    public async Task A_namespace_login_serves_images_below_that_namespace_only()
    {
        await a.EnsureAvailableAsync();
        using var tool = new RemoteTool();

        ToolAssert.Succeeded(await LoginAsync(tool, $"docker://{a.HostPort}/team", a.Username, a.Password));

        Assert.Equal((a.Username, a.Password), await CredentialAsync(tool, $"docker://{a.HostPort}/team/app:1"));
        var other = await tool.RunAsync(["credential", "get", $"docker://{a.HostPort}/other/app:1"]);
        Assert.True(other.ExitCode == 1, $"expected no credential for another namespace: {other}");
        ToolAssert.NeverPrinted(other, a.Password);
    }

    [SkippableFact]
    public async Task Registry_logout_removes_the_credential_and_the_remote_yaml_entry()
    {
        await a.EnsureAvailableAsync();
        using var tool = new RemoteTool();
        ToolAssert.Succeeded(await LoginAsync(tool, $"docker://{a.HostPort}", a.Username, a.Password));

        var logout = await tool.RunAsync(["registry", "logout", $"docker://{a.HostPort}"]);

        ToolAssert.Succeeded(logout);
        Assert.DoesNotContain(a.HostPort, tool.ReadDockerConfig(), StringComparison.Ordinal);
        Assert.DoesNotContain(a.Password, tool.ReadDockerConfig(), StringComparison.Ordinal);
        Assert.DoesNotContain($"docker://{a.HostPort}", tool.ReadRemoteYaml(), StringComparison.Ordinal);
        Assert.Equal(1, (await tool.RunAsync(["credential", "get", $"docker://{a.HostPort}/x"])).ExitCode);
    }

    [SkippableFact]
    public async Task An_unreachable_registry_fails_with_one_fatal_line_naming_the_host_and_stores_nothing()
    {
        await a.EnsureAvailableAsync();
        using var tool = new RemoteTool();

        var login = await LoginAsync(tool, $"docker://{a.Hostname}:1", a.Username, a.Password);

        ToolAssert.FailedWithOneFatal(login, $"{a.Hostname}:1");
        ToolAssert.NeverPrinted(login, a.Password);
        Assert.DoesNotContain(a.Hostname, tool.ReadDockerConfig(), StringComparison.Ordinal);
        Assert.DoesNotContain(a.Hostname, tool.ReadRemoteYaml(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Concurrent_logins_to_several_registries_all_end_up_stored()
    {
        await a.EnsureAvailableAsync();
        await b.EnsureAvailableAsync();
        await tokenRegistry.EnsureAvailableAsync();
        using var tool = new RemoteTool();
        (string Uri, string Username, string Password)[] logins =
        [
            ($"docker://{a.HostPort}", a.Username, a.Password),
            ($"docker://{b.HostPort}", b.Username, b.Password),
            ($"docker://{tokenRegistry.HostPort}", tokenRegistry.Username, tokenRegistry.Password),
            ($"docker://{a.HostPort}/team1", a.Username, a.Password),
            ($"docker://{a.HostPort}/team2", a.Username, a.Password),
            ($"oras://{b.HostPort}/artifacts", b.Username, b.Password),
        ];

        var results = await Task.WhenAll(logins.Select(login => LoginAsync(tool, login.Uri, login.Username, login.Password)));

        Assert.All(results, ToolAssert.Succeeded);
        var remoteYaml = tool.ReadRemoteYaml();
        foreach (var (uri, username, password) in logins)
        {
            Assert.Contains(uri, remoteYaml, StringComparison.Ordinal);
            Assert.Equal((username, password), await CredentialAsync(tool, uri.Replace("oras://", "docker://", StringComparison.Ordinal) + "/img:1"));
        }
    }

    [SkippableFact]
    public async Task Logging_out_of_a_namespace_keeps_the_other_logins_and_logout_all_removes_every_one()
    {
        await a.EnsureAvailableAsync();
        await b.EnsureAvailableAsync();
        using var tool = new RemoteTool();
        ToolAssert.Succeeded(await LoginAsync(tool, $"docker://{a.HostPort}/team", a.Username, a.Password));
        ToolAssert.Succeeded(await LoginAsync(tool, $"docker://{a.HostPort}", a.Username, a.Password));
        ToolAssert.Succeeded(await LoginAsync(tool, $"docker://{b.HostPort}", b.Username, b.Password));

        ToolAssert.Succeeded(await tool.RunAsync(["registry", "logout", $"docker://{a.HostPort}/team"]));

        Assert.DoesNotContain($"docker://{a.HostPort}/team", tool.ReadRemoteYaml(), StringComparison.Ordinal);
        using (var config = JsonDocument.Parse(tool.ReadDockerConfig()))
        {
            var auths = config.RootElement.GetProperty("auths");
            Assert.False(auths.TryGetProperty($"{a.HostPort}/team", out _), tool.ReadDockerConfig());
            Assert.True(auths.TryGetProperty(a.HostPort, out _), tool.ReadDockerConfig());
            Assert.True(auths.TryGetProperty(b.HostPort, out _), tool.ReadDockerConfig());
        }

        ToolAssert.Succeeded(await tool.RunAsync(["registry", "logout", "--all"]));
        Assert.DoesNotContain(a.Password, tool.ReadDockerConfig(), StringComparison.Ordinal);
        Assert.DoesNotContain(b.Password, tool.ReadDockerConfig(), StringComparison.Ordinal);
        Assert.DoesNotContain("docker://", tool.ReadRemoteYaml(), StringComparison.Ordinal);
        Assert.Equal(1, (await tool.RunAsync(["credential", "get", $"docker://{b.HostPort}/x"])).ExitCode);
    }

    [SkippableFact]
    public async Task Login_without_insecure_to_a_plain_http_registry_fails_without_blaming_a_certificate()
    {
        await a.EnsureAvailableAsync();
        using var tool = new RemoteTool();

        // registry-a.test resolves to loopback, where http is allowed as in docker (issue 8); the same container on an
        // address of this machine that is not loopback must be https unless -i.
        var address = NonLoopbackAddress();
        Skip.If(address is null, "this machine has no non-loopback IPv4 address");
        var hostPort = $"{address}:{a.Port}";
        var login = await tool.RunAsync(["registry", "login", "-u", a.Username, "--password-stdin", $"docker://{hostPort}"], stdin: a.Password + "\n");

        var fatal = ToolAssert.FailedWithOneFatal(login, hostPort);
        Assert.DoesNotContain("certificate not trusted", fatal, StringComparison.Ordinal);
        Assert.Equal("", tool.ReadDockerConfig());
    }

    [SkippableFact]
    public async Task Login_without_insecure_to_a_name_that_resolves_to_loopback_falls_back_to_http_as_docker_does()
    {
        await a.EnsureAvailableAsync();
        using var tool = new RemoteTool();

        var login = await tool.RunAsync(["registry", "login", "-u", a.Username, "--password-stdin", $"docker://{a.HostPort}"], stdin: a.Password + "\n");

        ToolAssert.Succeeded(login);
        Assert.Equal((a.Username, a.Password), await CredentialAsync(tool, $"docker://{a.HostPort}/x"));
    }

    private static string? NonLoopbackAddress() =>
        System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Where(nic => nic.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up)
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
            .Select(unicast => unicast.Address)
            .FirstOrDefault(ip => ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !System.Net.IPAddress.IsLoopback(ip))
            ?.ToString();

    /// <summary>
    /// <c>registry login -i -u USER --password-stdin URI</c>, the password piped in. The test registries speak plain
    /// http; <c>-i</c> allows it anywhere, and since issue 8 a host resolving to loopback (registry-a.test) needs none.
    /// </summary>
    internal static Task<ToolResult> LoginAsync(RemoteTool tool, string uri, string username, string password) =>
        tool.RunAsync(["registry", "login", "-i", "-u", username, "--password-stdin", uri], stdin: password + "\n");

    /// <summary>The (user, secret) <c>credential get URI</c> prints; fails the test when none serves it.</summary>
    internal static async Task<(string Username, string Secret)> CredentialAsync(RemoteTool tool, string uri)
    {
        var result = await tool.RunAsync(["credential", "get", uri]);
        ToolAssert.Succeeded(result);
        using var json = JsonDocument.Parse(result.StdOut);
        return (json.RootElement.GetProperty("Username").GetString()!, json.RootElement.GetProperty("Secret").GetString()!);
    }
}

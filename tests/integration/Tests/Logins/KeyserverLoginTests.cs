namespace DotnetRemote.Integration.Tests.Tests.Logins;

/// <summary>Keyserver logins (root's add-keyserver, then login/list/credential get) against nginx in front of SKS.</summary>
[Collection(Keyservers.Name)]
public sealed class KeyserverLoginTests(KeyserverFixture keys)
{
    private static string Url(Uri baseAddress) => baseAddress.GetLeftPart(UriPartial.Authority);

    /// <summary>The login succeeded, said it stored the token in the user's remote.yaml, and never printed <paramref name="secret"/>.</summary>
    private static void AssertStored(RemoteTool tool, ToolResult login, string secret)
    {
        ToolAssert.Succeeded(login);
        Assert.Contains($"INFO:    Token stored in {tool.RemoteYaml}", login.StdErr, StringComparison.Ordinal);
        ToolAssert.NeverPrinted(login, secret);
    }

    /// <summary><c>credential get URL</c> succeeds and its JSON holds each of <paramref name="expected"/>.</summary>
    private static async Task AssertServedAsync(RemoteTool tool, string url, params string[] expected)
    {
        var credential = await tool.RunAsync(["credential", "get", url]);
        ToolAssert.Succeeded(credential);
        foreach (var text in expected)
        {
            Assert.Contains(text, credential.StdOut, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task Basic_login_stores_the_credential_privately_lists_it_credential_get_returns_it_and_logout_removes_it()
    {
        using var tool = await SandboxWithKeyserverAsync(keys.BasicBaseAddress);
        var url = Url(keys.BasicBaseAddress);

        var login = await tool.RunAsync(["login", "--username", keys.Username, "--password-stdin", url], stdin: keys.Password + "\n");

        AssertStored(tool, login, keys.Password);
        ToolAssert.HasMode(tool.RemoteYaml, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.DoesNotContain("Credentials", File.ReadAllText(tool.SystemConfigFile), StringComparison.Ordinal);
        var list = await tool.RunAsync(["list"]);
        ToolAssert.Succeeded(list);
        var logins = list.StdOut[list.StdOut.IndexOf("Authenticated Logins", StringComparison.Ordinal)..];
        Assert.Contains(url, logins, StringComparison.Ordinal);
        ToolAssert.NeverPrinted(list, keys.Password);
        var json = await tool.RunAsync(["list", "--json"]);
        ToolAssert.Succeeded(json);
        Assert.Contains(url, json.StdOut, StringComparison.Ordinal);
        ToolAssert.NeverPrinted(json, keys.Password, keys.BasicAuthorization.Parameter!);
        var registryList = await tool.RunAsync(["registry", "list"]);
        ToolAssert.Succeeded(registryList);
        ToolAssert.NeverPrinted(registryList, keys.Password, keys.BasicAuthorization.Parameter!);

        await AssertServedAsync(tool, url, $"\"Username\":\"{keys.Username}\"", $"\"Secret\":\"{keys.Password}\"");

        var logout = await tool.RunAsync(["logout", url]);
        ToolAssert.Succeeded(logout);
        Assert.DoesNotContain(url, tool.ReadRemoteYaml(), StringComparison.Ordinal);
        Assert.Equal(1, (await tool.RunAsync(["credential", "get", url])).ExitCode);
    }

    [SkippableFact]
    public async Task The_keyserver_group_logs_in_and_out_like_remote_login()
    {
        using var tool = await SandboxWithKeyserverAsync(keys.BasicBaseAddress);
        var url = Url(keys.BasicBaseAddress);

        var login = await tool.RunAsync(["keyserver", "login", "-u", keys.Username, "--password-stdin", url], stdin: keys.Password + "\n");

        ToolAssert.Succeeded(login);
        ToolAssert.NeverPrinted(login, keys.Password);
        var credential = await tool.RunAsync(["credential", "get", url]);
        ToolAssert.Succeeded(credential);
        Assert.Contains($"\"Secret\":\"{keys.Password}\"", credential.StdOut, StringComparison.Ordinal);

        var wrong = await tool.RunAsync(["keyserver", "login", "-u", keys.Username, "--password-stdin", url], stdin: "wrong\n");
        ToolAssert.FailedWithOneFatal(wrong, "401");
        ToolAssert.Succeeded(await tool.RunAsync(["credential", "get", url]));

        var logout = await tool.RunAsync(["keyserver", "logout", url]);
        ToolAssert.Succeeded(logout);
        Assert.Equal(1, (await tool.RunAsync(["credential", "get", url])).ExitCode);
    }

    [SkippableFact]
    public async Task A_wrong_password_is_refused_and_nothing_is_stored()
    {
        using var tool = await SandboxWithKeyserverAsync(keys.BasicBaseAddress);
        var url = Url(keys.BasicBaseAddress);
        const string WrongPassword = "not-kims-password";

        var login = await tool.RunAsync(["login", "-u", keys.Username, "--password-stdin", url], stdin: WrongPassword + "\n");

        ToolAssert.FailedWithOneFatal(login, "401");
        ToolAssert.NeverPrinted(login, WrongPassword);
        Assert.DoesNotContain(WrongPassword, tool.ReadRemoteYaml(), StringComparison.Ordinal);
        Assert.DoesNotContain("Credentials", tool.ReadRemoteYaml(), StringComparison.Ordinal);
        Assert.Equal(1, (await tool.RunAsync(["credential", "get", url])).ExitCode);
    }

    [SkippableFact]
    public async Task Bearer_login_without_a_username_stores_the_token()
    {
        using var tool = await SandboxWithKeyserverAsync(keys.BearerBaseAddress);
        var url = Url(keys.BearerBaseAddress);

        var login = await tool.RunAsync(["login", "--password-stdin", url], stdin: keys.BearerToken + "\n");

        AssertStored(tool, login, keys.BearerToken);
        await AssertServedAsync(tool, url, $"\"Secret\":\"{keys.BearerToken}\"");

        var wrong = await tool.RunAsync(["login", "--password-stdin", url], stdin: "wrong-bearer-token\n");
        ToolAssert.FailedWithOneFatal(wrong);
        Assert.DoesNotContain("wrong-bearer-token", tool.ReadRemoteYaml(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Tls_login_succeeds_when_SSL_CERT_FILE_trusts_the_test_ca()
    {
        using var tool = await SandboxWithKeyserverAsync(keys.TlsBaseAddress);
        var url = Url(keys.TlsBaseAddress);
        var bundle = Path.Combine(tool.Root, "ca-bundle.crt");
        await File.WriteAllTextAsync(bundle, TestCertificates.CaCertificatePem);

        var login = await tool.RunAsync(["login", "-u", keys.Username, "--password-stdin", url], stdin: keys.Password + "\n", env: new Dictionary<string, string> { ["SSL_CERT_FILE"] = bundle });

        AssertStored(tool, login, keys.Password);
        await AssertServedAsync(tool, url, $"\"Username\":\"{keys.Username}\"");
    }

    [SkippableFact]
    public async Task Tls_login_without_trusting_the_test_ca_is_refused_with_one_fatal_line_naming_the_host()
    {
        using var tool = await SandboxWithKeyserverAsync(keys.TlsBaseAddress);
        var url = Url(keys.TlsBaseAddress);

        var login = await tool.RunAsync(["login", "-u", keys.Username, "--password-stdin", url], stdin: keys.Password + "\n");

        ToolAssert.FailedWithOneFatal(login, keys.Hostname, "TLS");
        ToolAssert.NeverPrinted(login, keys.Password);
        Assert.DoesNotContain("Credentials", tool.ReadRemoteYaml(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Login_to_a_keyserver_that_is_not_configured_fails_with_one_fatal_line_and_stores_nothing()
    {
        await keys.EnsureAvailableAsync();
        using var tool = new RemoteTool();
        var url = Url(keys.BasicBaseAddress);

        var login = await tool.RunAsync(["login", "-u", keys.Username, "--password-stdin", url], stdin: keys.Password + "\n");

        ToolAssert.FailedWithOneFatal(login, url);
        ToolAssert.NeverPrinted(login, keys.Password);
        Assert.DoesNotContain(keys.Password, tool.ReadRemoteYaml(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Login_to_an_unreachable_keyserver_fails_with_one_fatal_line_naming_the_host()
    {
        using var tool = await SandboxWithKeyserverAsync(new Uri($"http://{keys.Hostname}:1/"));

        var login = await tool.RunAsync(["login", "-u", keys.Username, "--password-stdin", $"http://{keys.Hostname}:1"], stdin: keys.Password + "\n");

        ToolAssert.FailedWithOneFatal(login, $"{keys.Hostname}:1");
        Assert.DoesNotContain("Credentials", tool.ReadRemoteYaml(), StringComparison.Ordinal);
    }

    /// <summary>A sandbox whose system file lists the keyserver, added as root with <c>add-keyserver</c>.</summary>
    private async Task<RemoteTool> SandboxWithKeyserverAsync(Uri baseAddress)
    {
        await keys.EnsureAvailableAsync();
        Skip.IfNot(Environment.UserName == "root", "add-keyserver edits the system file and needs root");
        var tool = new RemoteTool();
        try
        {
            var added = await tool.RunAsync(["add-keyserver", Url(baseAddress)]);
            ToolAssert.Succeeded(added);
            Assert.Contains(Url(baseAddress), File.ReadAllText(tool.SystemConfigFile), StringComparison.Ordinal);
            ToolAssert.HasMode(tool.SystemConfigFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            return tool;
        }
        catch
        {
            tool.Dispose();
            throw;
        }
    }
}

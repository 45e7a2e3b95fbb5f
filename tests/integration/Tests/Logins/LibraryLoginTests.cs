namespace DotnetRemote.Integration.Tests.Tests.Logins;

/// <summary>Library endpoint logins (add -i, login, status, get-login-password, logout) against the fake library API.</summary>
[Collection(Libraries.Name)]
public sealed class LibraryLoginTests(LibraryApiFixture library)
{
    private string Uri => $"http://{library.HostPort}";

    /// <summary><c>status lib</c> succeeds and says the remote has no token.</summary>
    private static async Task AssertLoggedOutAsync(RemoteTool tool)
    {
        var status = await tool.RunAsync(["status", "lib"]);
        ToolAssert.Succeeded(status);
        Assert.Contains("No authentication token set (logged out).", status.StdOut, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Add_with_a_piped_token_verifies_and_stores_it_and_status_reports_logged_in()
    {
        await library.EnsureAvailableAsync();
        using var tool = new RemoteTool();

        var added = await tool.RunAsync(["add", "-i", "--use", "lib", Uri], stdin: library.Token + "\n");
        ToolAssert.Succeeded(added);
        Assert.Contains("INFO:    Access Token Verified!", added.StdErr, StringComparison.Ordinal);
        ToolAssert.NeverPrinted(added, library.Token);
        Assert.Contains(library.Token, tool.ReadRemoteYaml(), StringComparison.Ordinal);
        ToolAssert.HasMode(tool.RemoteYaml, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        ToolAssert.HasMode(tool.ConfigDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var status = await tool.RunAsync(["status"]);
        ToolAssert.Succeeded(status);
        Assert.Contains("Valid authentication token set (logged in).", status.StdOut, StringComparison.Ordinal);
        var serviceLines = status.StdOut.Split('\n').Skip(1).TakeWhile(line => line.Length > 0).ToList();
        Assert.NotEmpty(serviceLines);
        Assert.All(serviceLines, line => Assert.Contains(" OK ", line, StringComparison.Ordinal));
        ToolAssert.NeverPrinted(status, library.Token);

        foreach (var command in new[] { new[] { "list" }, ["list", "--json"], ["registry", "list"], ["credential", "which", "lib"] })
        {
            var listing = await tool.RunAsync(command);
            ToolAssert.Succeeded(listing);
            ToolAssert.NeverPrinted(listing, library.Token);
        }

        var password = await tool.RunAsync(["get-login-password"]);
        ToolAssert.Succeeded(password);
        Assert.Equal(library.Secret, password.StdOut.Trim());
        ToolAssert.NeverPrinted(password, library.Token);
    }

    [SkippableFact]
    public async Task A_wrong_replacement_token_fails_and_the_previous_token_stays_in_place()
    {
        await library.EnsureAvailableAsync();
        using var tool = new RemoteTool();
        ToolAssert.Succeeded(await tool.RunAsync(["add", "-i", "--use", "lib", Uri], stdin: library.Token + "\n"));
        var before = tool.ReadRemoteYaml();
        var wrongToken = "wrong" + new string('x', 230);

        var login = await tool.RunAsync(["login"], stdin: $"y\n{wrongToken}\n");

        ToolAssert.FailedWithOneFatal(login, "FATAL:   while verifying token: error response from server: Invalid Credentials");
        ToolAssert.NeverPrinted(login, library.Token, wrongToken);
        Assert.Contains("Replace it? [N/y]", login.StdOut, StringComparison.Ordinal);
        Assert.Equal(before, tool.ReadRemoteYaml());
        Assert.Contains(library.Token, tool.ReadRemoteYaml(), StringComparison.Ordinal);
        Assert.Equal(library.Secret, (await tool.RunAsync(["get-login-password"])).StdOut.Trim());
    }

    [SkippableFact]
    public async Task Answering_no_to_the_replace_question_keeps_the_token_without_asking_for_another()
    {
        await library.EnsureAvailableAsync();
        using var tool = new RemoteTool();
        ToolAssert.Succeeded(await tool.RunAsync(["add", "-i", "--use", "lib", Uri], stdin: library.Token + "\n"));
        var before = tool.ReadRemoteYaml();

        var login = await tool.RunAsync(["login", "lib"], stdin: "n\n");

        ToolAssert.Succeeded(login);
        Assert.DoesNotContain("Access Token:", login.StdOut, StringComparison.Ordinal);
        Assert.Equal(before, tool.ReadRemoteYaml());
    }

    [SkippableFact]
    public async Task Add_with_a_wrong_token_keeps_the_remote_but_stores_no_token()
    {
        await library.EnsureAvailableAsync();
        using var tool = new RemoteTool();
        var wrongToken = "wrong" + new string('y', 230);

        var added = await tool.RunAsync(["add", "-i", "lib", Uri], stdin: wrongToken + "\n");

        ToolAssert.FailedWithOneFatal(added, "Invalid Credentials");
        ToolAssert.NeverPrinted(added, wrongToken);
        Assert.Contains("lib:", tool.ReadRemoteYaml(), StringComparison.Ordinal);
        Assert.DoesNotContain(wrongToken, tool.ReadRemoteYaml(), StringComparison.Ordinal);
        await AssertLoggedOutAsync(tool);
    }

    [SkippableFact]
    public async Task Login_with_a_token_file_stores_the_token_and_logout_clears_it()
    {
        await library.EnsureAvailableAsync();
        using var tool = new RemoteTool();
        ToolAssert.Succeeded(await tool.RunAsync(["add", "-i", "--no-login", "lib", Uri]));
        Assert.DoesNotContain(library.Token, tool.ReadRemoteYaml(), StringComparison.Ordinal);
        var tokenFile = Path.Combine(tool.Root, "token");
        await File.WriteAllTextAsync(tokenFile, library.Token + "\n");

        var login = await tool.RunAsync(["login", "--tokenfile", tokenFile, "lib"]);

        ToolAssert.Succeeded(login);
        ToolAssert.NeverPrinted(login, library.Token);
        Assert.Contains(library.Token, tool.ReadRemoteYaml(), StringComparison.Ordinal);
        Assert.Contains("Valid authentication token set (logged in).", (await tool.RunAsync(["status", "lib"])).StdOut, StringComparison.Ordinal);

        var logout = await tool.RunAsync(["logout", "lib"]);
        ToolAssert.Succeeded(logout);
        Assert.DoesNotContain(library.Token, tool.ReadRemoteYaml(), StringComparison.Ordinal);
        await AssertLoggedOutAsync(tool);
    }

    [SkippableFact]
    public async Task Get_login_password_without_a_library_fails_with_one_fatal_line()
    {
        await library.EnsureAvailableAsync();
        using var tool = new RemoteTool();

        var result = await tool.RunAsync(["get-login-password"]);

        ToolAssert.FailedWithOneFatal(result);
        Assert.Equal("", result.StdOut);
    }
}

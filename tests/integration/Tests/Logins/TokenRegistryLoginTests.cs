using System.Text.Json;
using static DotnetRemote.Integration.Tests.Infrastructure.ClientPrograms;

namespace DotnetRemote.Integration.Tests.Tests.Logins;

/// <summary>
/// Issue 8 against real servers: docker's login on a token service that grants anonymous scoped tokens (so only a
/// scope-less request proves the password), a realm on another name of the same loopback machine, identity tokens
/// that skopeo still pushes with, and the credential helper's bookkeeping as skopeo and docker log in and out.
/// No test here passes <c>-i</c>: registry-b.test resolves to 127.0.0.3, so http is allowed as docker allows it.
/// </summary>
[Collection(Registries.Name)]
public sealed class TokenRegistryLoginTests(LenientTokenRegistryFixture lenient, RegistryAFixture a)
{
    private static Task<ToolResult> LoginAsync(RemoteTool tool, string uri, string username, string password, params string[] extra) =>
        tool.RunAsync(["registry", "login", .. extra, "-u", username, "--password-stdin", uri], stdin: password + "\n");

    [SkippableFact]
    public async Task A_wrong_password_is_refused_by_a_token_service_that_grants_anonymous_scoped_tokens_and_the_previous_login_is_kept()
    {
        await lenient.EnsureAvailableAsync();
        using var tool = new RemoteTool();
        var uri = $"docker://{lenient.HostPort}";

        ToolAssert.Succeeded(await LoginAsync(tool, uri, lenient.Username, lenient.Password));
        Assert.Equal((lenient.Username, lenient.Password), await RegistryLoginTests.CredentialAsync(tool, $"{uri}/x"));
        var dockerConfig = tool.ReadDockerConfig();
        var remoteYaml = tool.ReadRemoteYaml();

        foreach (var target in new[] { uri, $"{uri}/public-ns" })
        {
            var wrong = await LoginAsync(tool, target, lenient.Username, "not-lenas-password");
            var fatal = ToolAssert.FailedWithOneFatal(wrong, lenient.HostPort);
            Assert.Contains("incorrect username or password", fatal, StringComparison.Ordinal);
            ToolAssert.NeverPrinted(wrong, "not-lenas-password", lenient.Password);
        }

        Assert.Equal(dockerConfig, tool.ReadDockerConfig());
        Assert.Equal(remoteYaml, tool.ReadRemoteYaml());
        Assert.Equal((lenient.Username, lenient.Password), await RegistryLoginTests.CredentialAsync(tool, $"{uri}/x"));
    }

    [SkippableFact]
    public async Task A_realm_on_another_name_of_the_same_loopback_machine_is_trusted_and_a_namespace_login_says_what_helper_clients_see()
    {
        await lenient.EnsureAvailableAsync();
        Assert.StartsWith("http://localhost:", lenient.Realm, StringComparison.Ordinal);
        using var tool = new RemoteTool();

        var login = await LoginAsync(tool, $"docker://{lenient.HostPort}/team", lenient.Username, lenient.Password);

        ToolAssert.Succeeded(login);
        Assert.Contains($"INFO:    docker://{lenient.HostPort}/team is a namespace login: clients that ask through a credential helper", login.StdErr, StringComparison.Ordinal);
        Assert.Equal((lenient.Username, lenient.Password), await RegistryLoginTests.CredentialAsync(tool, $"docker://{lenient.HostPort}/team/app:1"));
    }

    [SkippableFact]
    public async Task A_refresh_token_is_stored_as_identitytoken_and_skopeo_and_podman_push_with_our_file_and_through_our_helper()
    {
        await lenient.EnsureAvailableAsync();
        ClientPrograms.Require(Skopeo);
        using var tool = new RemoteTool();
        var uri = $"docker://{lenient.HostPort}";

        var login = await LoginAsync(tool, uri, lenient.RefreshUsername, lenient.RefreshPassword);

        ToolAssert.Succeeded(login);
        Assert.Contains("identity token", login.StdErr, StringComparison.Ordinal);
        using (var config = JsonDocument.Parse(tool.ReadDockerConfig()))
        {
            var entry = config.RootElement.GetProperty("auths").GetProperty(lenient.HostPort);
            Assert.True(entry.GetProperty("identitytoken").GetString()!.Length > 10, tool.ReadDockerConfig());
        }
        Assert.DoesNotContain(lenient.RefreshPassword, tool.ReadDockerConfig(), StringComparison.Ordinal);
        var (user, secret) = await RegistryLoginTests.CredentialAsync(tool, $"{uri}/x");
        Assert.Equal("<token>", user);
        Assert.NotEqual(lenient.RefreshPassword, secret);

        // A later login with the identity token itself: docker's refresh-token grant, never Basic; a wrong one is refused.
        using (var again = new RemoteTool())
        {
            ToolAssert.Succeeded(await LoginAsync(again, uri, "<token>", secret));
            Assert.Equal(("<token>", secret), await RegistryLoginTests.CredentialAsync(again, $"{uri}/x"));
            var stolen = await LoginAsync(again, uri, "<token>", "not-a-refresh-token");
            ToolAssert.FailedWithOneFatal(stolen, lenient.HostPort);
            Assert.Equal(("<token>", secret), await RegistryLoginTests.CredentialAsync(again, $"{uri}/x"));
        }

        var image = TinyOciImage.Write(Path.Combine(tool.Root, "image"));
        var withFile = await PushAsync(tool, image, tool.DockerConfig, $"{lenient.HostPort}/rita/tiny:file");
        Assert.True(withFile.ExitCode == 0, $"skopeo push with our identitytoken failed: {withFile}");

        var skopeo = await HelperClient.SetUpAsync(tool, Skopeo, lenient.HostPort);
        var throughHelper = await PushAsync(tool, image, skopeo.AuthFile, $"{lenient.HostPort}/rita/tiny:helper", skopeo.PathOverride);
        Assert.True(throughHelper.ExitCode == 0, $"skopeo push through our helper with the identity token failed: {throughHelper}");

        if (File.Exists(Podman))
        {
            // podman too, with our file as its auth file; its own storage in the sandbox (vfs), never the machine's.
            // podman limits --runroot to 50 characters: a short folder of its own under the temp directory.
            var runRoot = Directory.CreateTempSubdirectory("dr-").FullName;
            try
            {
                string[] storage = ["--root", Path.Combine(tool.Root, "podman-root"), "--runroot", runRoot, "--storage-driver", "vfs"];
                var pull = await RemoteTool.RunProcessAsync(Podman, [.. storage, "pull", "-q", image], null, tool.Environment());
                Assert.True(pull.ExitCode == 0, $"podman could not load the test image: {pull}");
                var podmanPush = await RemoteTool.RunProcessAsync(Podman, [.. storage, "push", "--authfile", tool.DockerConfig, "--tls-verify=false", pull.StdOut.Trim(), $"docker://{lenient.HostPort}/rita/tiny:podman"], null, tool.Environment());
                Assert.True(podmanPush.ExitCode == 0, $"podman push with our identitytoken failed: {podmanPush}");
            }
            finally
            {
                Directory.Delete(runRoot, recursive: true);
            }
        }

        // An anonymous token may only pull: without a stored login skopeo cannot push, so the pushes above used it.
        using var anonymous = new RemoteTool();
        File.WriteAllText(Path.Combine(anonymous.Root, "empty-auth.json"), """{"auths":{}}""");
        var refused = await PushAsync(anonymous, image, Path.Combine(anonymous.Root, "empty-auth.json"), $"{lenient.HostPort}/rita/tiny:anonymous");
        Assert.True(refused.ExitCode != 0, $"skopeo pushed without credentials: {refused}");
    }

    [SkippableFact]
    public async Task A_namespace_login_kept_in_a_host_keyed_helper_leaves_nothing_there_after_logout()
    {
        await a.EnsureAvailableAsync();
        using var tool = new RemoteTool();
        var helperDirectory = Path.Combine(tool.Root, "helper-bin");
        var store = Path.Combine(tool.Root, "recorder-store");
        WriteRecorderHelper(helperDirectory, store);
        Directory.CreateDirectory(tool.ConfigDirectory);
        await File.WriteAllTextAsync(tool.DockerConfig, $$$"""{"credHelpers":{"{{{a.HostPort}}}":"recorder"}}""");
        var env = HelperClient.PathWith(helperDirectory);

        ToolAssert.Succeeded(await tool.RunAsync(["registry", "login", "-i", "-u", a.Username, "--password-stdin", $"docker://{a.HostPort}/team"], a.Password + "\n", env));
        ToolAssert.Succeeded(await tool.RunAsync(["registry", "login", "-i", "-u", a.Username, "--password-stdin", $"docker://{a.HostPort}/other"], a.Password + "\n", env));
        Assert.Equal(2, Directory.GetFiles(store).Length);
        Assert.DoesNotContain(a.Password, tool.ReadDockerConfig(), StringComparison.Ordinal);

        ToolAssert.Succeeded(await tool.RunAsync(["logout", $"docker://{a.HostPort}/team"], null, env));
        Assert.Single(Directory.GetFiles(store));
        ToolAssert.Succeeded(await tool.RunAsync(["logout", "--all"], null, env));

        Assert.Empty(Directory.GetFiles(store));
        Assert.Equal(1, (await tool.RunAsync(["credential", "get", $"docker://{a.HostPort}/team/x"], null, env)).ExitCode);
        Assert.Equal(1, (await tool.RunAsync(["credential", "get", $"docker://{a.HostPort}/other/x"], null, env)).ExitCode);
    }

    [SkippableFact]
    public async Task Skopeo_login_and_logout_through_our_helper_show_in_list_exactly_as_credential_get_serves_them()
    {
        await a.EnsureAvailableAsync();
        ClientPrograms.Require(Skopeo);
        using var tool = new RemoteTool();
        var skopeo = await HelperClient.SetUpAsync(tool, Skopeo, a.HostPort);

        await skopeo.LoginAsync(a.Username, a.Password);
        await AssertListAgreesAsync(tool, a.HostPort, loggedIn: true);

        await skopeo.LogoutAsync();
        await AssertListAgreesAsync(tool, a.HostPort, loggedIn: false);
    }

    [SkippableFact]
    public async Task Podman_login_and_logout_through_our_helper_show_in_list_exactly_as_credential_get_serves_them()
    {
        await a.EnsureAvailableAsync();
        ClientPrograms.Require(Podman);
        using var tool = new RemoteTool();
        var podman = await HelperClient.SetUpAsync(tool, Podman, a.HostPort);

        await podman.LoginAsync(a.Username, a.Password);
        Assert.DoesNotContain(a.Password, await File.ReadAllTextAsync(podman.AuthFile), StringComparison.Ordinal);
        await AssertListAgreesAsync(tool, a.HostPort, loggedIn: true);

        await podman.LogoutAsync();
        await AssertListAgreesAsync(tool, a.HostPort, loggedIn: false);
    }

    [SkippableFact]
    public async Task Docker_login_and_logout_through_our_helper_show_in_list_exactly_as_credential_get_serves_them()
    {
        await a.EnsureAvailableAsync();
        ClientPrograms.Require(DockerCli);
        using var tool = new RemoteTool();
        var helperDirectory = await HelperClient.InstallHelperAsync(tool);
        var dockerConfigDirectory = Path.Combine(tool.Root, "docker-cli");
        Directory.CreateDirectory(dockerConfigDirectory);
        await File.WriteAllTextAsync(Path.Combine(dockerConfigDirectory, "config.json"), $$$"""{"credHelpers":{"{{{a.HostPort}}}":"dotnet-remote"}}""");
        var overrides = HelperClient.PathWith(helperDirectory);
        overrides["DOCKER_CONFIG"] = dockerConfigDirectory;
        var env = tool.Environment(overrides);

        var login = await RemoteTool.RunProcessAsync(DockerCli, ["login", "-u", a.Username, "--password-stdin", a.HostPort], a.Password + "\n", env);
        Skip.If(login.ExitCode != 0 && login.StdErr.Contains("daemon", StringComparison.OrdinalIgnoreCase), $"the docker daemon cannot log in here: {login}");
        Assert.True(login.ExitCode == 0, $"docker login through the helper failed: {login}");
        Assert.DoesNotContain(a.Password, await File.ReadAllTextAsync(Path.Combine(dockerConfigDirectory, "config.json")), StringComparison.Ordinal);
        await AssertListAgreesAsync(tool, a.HostPort, loggedIn: true);

        var logout = await RemoteTool.RunProcessAsync(DockerCli, ["logout", a.HostPort], null, env);
        Assert.True(logout.ExitCode == 0, $"docker logout through the helper failed: {logout}");
        await AssertListAgreesAsync(tool, a.HostPort, loggedIn: false);
    }

    /// <summary><c>list</c> and <c>registry list</c> show the login exactly when <c>credential get</c> serves it.</summary>
    private static async Task AssertListAgreesAsync(RemoteTool tool, string hostPort, bool loggedIn)
    {
        var get = await tool.RunAsync(["credential", "get", $"docker://{hostPort}/x"]);
        Assert.True(get.ExitCode == (loggedIn ? 0 : 1), $"credential get: {get}");
        var list = await tool.RunAsync(["list"]);
        ToolAssert.Succeeded(list);
        var registryList = await tool.RunAsync(["registry", "list"]);
        ToolAssert.Succeeded(registryList);
        Assert.True(list.StdOut.Contains($"docker://{hostPort}", StringComparison.Ordinal) == loggedIn, $"list (logged in: {loggedIn}): {list}");
        Assert.True(registryList.StdOut.Contains(hostPort, StringComparison.Ordinal) == loggedIn, $"registry list (logged in: {loggedIn}): {registryList}");
        Assert.True(tool.ReadRemoteYaml().Contains($"docker://{hostPort}", StringComparison.Ordinal) == loggedIn, tool.ReadRemoteYaml());
    }

    /// <summary>A docker-credential-recorder keeping one file per server URL in <paramref name="store"/>.</summary>
    private static void WriteRecorderHelper(string directory, string store)
    {
        Directory.CreateDirectory(directory);
        Directory.CreateDirectory(store);
        var script = Path.Combine(directory, "docker-credential-recorder");
        File.WriteAllText(script, $$"""
            #!/bin/sh
            store='{{store}}'
            input=$(cat)
            key() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
            case "$1" in
              store) url=$(printf '%s' "$input" | sed -n 's/.*"ServerURL":"\([^"]*\)".*/\1/p'); printf '%s' "$input" > "$store/$(key "$url")" ;;
              get) f="$store/$(key "$input")"; if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
              erase) f="$store/$(key "$input")"; if [ -f "$f" ]; then rm "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
              list) printf '{}' ;;
              *) echo "unknown action"; exit 1 ;;
            esac
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static Task<ToolResult> PushAsync(RemoteTool tool, string image, string authFile, string destination, IDictionary<string, string>? env = null) =>
        RemoteTool.RunProcessAsync(
            Skopeo,
            ["--insecure-policy", "copy", "--retry-times", "0", "--authfile", authFile, "--dest-tls-verify=false", image, $"docker://{destination}"],
            null,
            tool.Environment(env));
}

using System.Text.Json.Nodes;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Credentials;
using DotnetRemote.Core.Logins;
using DotnetRemote.Core.Registries;
using DotnetRemote.Core.Tests.Registries;

namespace DotnetRemote.Core.Tests.Credentials;

/// <summary>
/// The one owner of OCI secrets: one helper rule for find, store, erase and list; never its own helper for the file it
/// serves; identity tokens as docker keeps them; the helper protocol keeping remote.yaml in step.
/// </summary>
public class DockerCredentialStoreTests : IDisposable
{
    private readonly TestMachine _home = new();

    public void Dispose() => _home.Dispose();

    private Task<LoginRegistryResult> Login(string uri, FakeHttpHandler? registry = null) =>
        new LoginRegistry(_home.Context(registry ?? FakeHttpHandler.BasicAuth("alice", "right")))
            .ExecuteAsync(new LoginRegistryOptions(uri, "alice", "right"));

    private async Task<(int Exit, string Output)> Serve(string action, string input = "")
    {
        using var reader = new StringReader(input);
        using var writer = new StringWriter();
        var exit = await new CredentialHelperProtocol(_home.Context()).ServeAsync(action, reader, writer);
        return (exit, writer.ToString().Trim());
    }

    private JsonObject Auths() => JsonNode.Parse(File.ReadAllText(_home.PrimaryFile))!["auths"]!.AsObject();

    private List<string> RemoteYamlUris() => new RemoteConfigStore(_home.Context()).LoadUser().Credentials.Select(c => c.Uri).ToList();

    [Fact]
    public async Task A_namespaced_login_in_a_host_keyed_helper_is_found_listed_and_erased_there_by_logout()
    {
        var state = FakeCredentialHelper.Install(_home, "hostkeyed");
        TestMachine.WriteFile(_home.PrimaryFile, """{"credHelpers":{"localhost:5000":"hostkeyed"}}""");

        var login = await Login("docker://localhost:5000/team");
        Assert.Equal("hostkeyed", login.Helper);
        Assert.Contains("\"ServerURL\":\"localhost:5000/team\"", Assert.Single(FakeCredentialHelper.StoredFiles(state)), StringComparison.Ordinal);
        Assert.Equal("hostkeyed", (await new CredentialResolver(_home.Context()).ResolveAsync("docker://localhost:5000/team/app:1"))!.Helper);
        Assert.Equal([new StoredLogin(_home.PrimaryFile, "localhost:5000/team", "alice", "hostkeyed")], await new DockerCredentialStore(_home.Context(), _home.PrimaryFile).ListAsync());

        var logout = await new LogoutRegistry(_home.Context()).ExecuteAsync(new LogoutRegistryOptions("docker://localhost:5000/team"));

        Assert.Equal([new ErasedLogin("localhost:5000/team", "hostkeyed")], logout.Erased);
        Assert.Empty(FakeCredentialHelper.StoredFiles(state));
        Assert.Empty(Auths());
        Assert.Null(await new CredentialResolver(_home.Context()).ResolveAsync("docker://localhost:5000/team/app:1"));
    }

    [Fact]
    public async Task Logout_all_erases_namespaced_logins_from_the_helper_named_for_their_host()
    {
        var state = FakeCredentialHelper.Install(_home, "hostkeyed");
        TestMachine.WriteFile(_home.PrimaryFile, """{"credHelpers":{"localhost:5000":"hostkeyed"}}""");
        await Login("docker://localhost:5000/team");
        await Login("docker://localhost:5000");
        Assert.Equal(2, FakeCredentialHelper.StoredFiles(state).Length);

        var result = await new LogoutAllRegistries(_home.Context()).ExecuteAsync(new LogoutAllRegistriesOptions());

        Assert.All(result.Erased, e => Assert.Equal("hostkeyed", e.Helper));
        Assert.Empty(FakeCredentialHelper.StoredFiles(state));
    }

    [Fact]
    public async Task Logout_all_also_erases_registry_logins_other_tools_left_only_in_the_helper()
    {
        var state = FakeCredentialHelper.Install(_home, "pass");
        TestMachine.WriteFile(_home.PrimaryFile, """{"credsStore":"pass"}""");
        await Login("docker://localhost:5000");
        await new CredentialHelperClient("pass", _home.Environment).StoreAsync(new HelperCredential("localhost:5003", "carol", "pw"));
        Assert.NotNull(await new CredentialResolver(_home.Context()).ResolveAsync("docker://localhost:5003/x"));

        var result = await new LogoutAllRegistries(_home.Context()).ExecuteAsync(new LogoutAllRegistriesOptions());

        Assert.Equal([new ErasedLogin("localhost:5000", "pass"), new ErasedLogin("localhost:5003", "pass")], result.Erased);
        Assert.Empty(FakeCredentialHelper.StoredFiles(state));
        Assert.Empty((await new ListRegistryLogins(_home.Context()).ExecuteAsync(new ListRegistryLoginsOptions())).Logins);
    }

    [Fact]
    public async Task A_primary_file_naming_dotnet_remote_as_credsStore_never_runs_it_and_warns_once()
    {
        var state = FakeCredentialHelper.Install(_home, CredentialHelperInstaller.HelperName);
        TestMachine.WriteFile(_home.PrimaryFile, """{"credsStore":"dotnet-remote","auths":{"ghcr.io":{},"quay.io":{}}}""");

        var found = await new CredentialResolver(_home.Context()).ResolveAsync("docker://unknown.example.com/x");
        var served = await Serve("get", "unknown.example.com");
        var listed = await Serve("list");

        Assert.Null(found);
        Assert.Equal((1, CredentialHelperClient.NotFoundMessage), served);
        Assert.Equal((0, "{}"), listed);
        Assert.Equal(0, FakeCredentialHelper.Runs(state));
        Assert.Equal(3, _home.Log.Warnings.Count);
        Assert.All(_home.Log.Warnings, w => Assert.Contains($"{_home.PrimaryFile} names docker-credential-dotnet-remote as its credential helper", w, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Storing_through_a_loop_keeps_the_secret_in_the_file_itself()
    {
        var state = FakeCredentialHelper.Install(_home, CredentialHelperInstaller.HelperName);
        TestMachine.WriteFile(_home.PrimaryFile, """{"credHelpers":{"localhost:5000":"dotnet-remote"}}""");

        var login = await Login("docker://localhost:5000");

        Assert.Null(login.Helper);
        Assert.Equal(0, FakeCredentialHelper.Runs(state));
        var match = await new CredentialResolver(_home.Context()).RequireAsync("docker://localhost:5000/x");
        Assert.Equal(("alice", "right", null), (match.Username, match.Secret, match.Helper));
    }

    [Fact]
    public async Task Dockers_own_file_naming_dotnet_remote_is_read_without_running_it_and_without_a_warning()
    {
        var state = FakeCredentialHelper.Install(_home, CredentialHelperInstaller.HelperName);
        TestMachine.WriteFile(_home.FallbackFile, """{"credHelpers":{"ghcr.io":"dotnet-remote"},"auths":{"quay.io":{"auth":"YTpi"}}}""");

        Assert.Null(await new CredentialResolver(_home.Context()).ResolveAsync("docker://ghcr.io/x"));
        Assert.NotNull(await new CredentialResolver(_home.Context()).ResolveAsync("docker://quay.io/x"));

        Assert.Equal(0, FakeCredentialHelper.Runs(state));
        Assert.Empty(_home.Log.Warnings);
    }

    [Fact]
    public async Task Every_helper_started_carries_the_chain_of_files_being_read()
    {
        var state = FakeCredentialHelper.Install(_home, "pass");
        TestMachine.WriteFile(_home.PrimaryFile, """{"credsStore":"pass"}""");
        _home.SetEnvironment(DockerCredentialStore.HelperChainVariable, "/earlier/docker-config.json");

        await new CredentialResolver(_home.Context()).ResolveAsync("docker://ghcr.io/x");

        Assert.Equal([$"/earlier/docker-config.json{Path.PathSeparator}{_home.PrimaryFile}"], FakeCredentialHelper.Chains(state));
    }

    [Theory]
    [InlineData("get", "ghcr.io", 1, "credentials not found in native keychain")]
    [InlineData("erase", "ghcr.io", 1, "credentials not found in native keychain")]
    [InlineData("list", "", 0, "{}")]
    public async Task A_helper_started_by_itself_for_the_same_file_answers_not_found_with_one_warning(string action, string input, int exit, string output)
    {
        var state = FakeCredentialHelper.Install(_home, "loop");
        TestMachine.WriteFile(_home.PrimaryFile, """{"credsStore":"loop","auths":{"ghcr.io":{"auth":"YTpi"}}}""");
        _home.SetEnvironment(DockerCredentialStore.HelperChainVariable, _home.PrimaryFile);

        Assert.Equal((exit, output), await Serve(action, input));

        Assert.Equal(0, FakeCredentialHelper.Runs(state));
        Assert.Contains("credential helper loop", Assert.Single(_home.Log.Warnings), StringComparison.Ordinal);
        Assert.Contains("ghcr.io", File.ReadAllText(_home.PrimaryFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_through_the_helper_in_a_loop_is_refused_and_writes_nothing()
    {
        _home.SetEnvironment(DockerCredentialStore.HelperChainVariable, $"/other/file.json{Path.PathSeparator}{_home.PrimaryFile}");

        var (exit, output) = await Serve("store", """{"ServerURL":"ghcr.io","Username":"a","Secret":"leak-me"}""");

        Assert.Equal(1, exit);
        Assert.Contains("credential helper loop", output, StringComparison.Ordinal);
        Assert.DoesNotContain("leak-me", output, StringComparison.Ordinal);
        Assert.False(File.Exists(_home.PrimaryFile));
    }

    [Fact]
    public async Task Helper_store_with_the_token_username_writes_an_identitytoken_as_docker_does()
    {
        var stored = await Serve("store", """{"ServerURL":"ghcr.io","Username":"<token>","Secret":"refresh-1"}""");

        Assert.Equal((0, ""), stored);
        var entry = Auths()["ghcr.io"]!.AsObject();
        Assert.Equal("refresh-1", (string?)entry["identitytoken"]);
        Assert.Null(entry["auth"]);
        var match = await new CredentialResolver(_home.Context()).RequireAsync("docker://ghcr.io/x");
        Assert.True(match.IsIdentityToken);
        Assert.Equal(("", "refresh-1"), (match.Username, match.Secret));
        var (exit, output) = await Serve("get", "ghcr.io");
        Assert.Equal(0, exit);
        Assert.Equal(("<token>", "refresh-1"), ((string?)JsonNode.Parse(output)!["Username"], (string?)JsonNode.Parse(output)!["Secret"]));
    }

    [Fact]
    public async Task An_identity_token_for_a_helper_kept_login_is_handed_to_the_helper_with_the_token_username()
    {
        var state = FakeCredentialHelper.Install(_home, "pass");
        TestMachine.WriteFile(_home.PrimaryFile, """{"credsStore":"pass"}""");

        await new DockerCredentialStore(_home.Context(), _home.PrimaryFile).StoreAsync(RegistryReference.ParseRegistry("docker://ghcr.io"), "alice", "refresh-2", isIdentityToken: true);

        var stored = JsonNode.Parse(Assert.Single(FakeCredentialHelper.StoredFiles(state)))!;
        Assert.Equal(("<token>", "refresh-2"), ((string?)stored["Username"], (string?)stored["Secret"]));
        Assert.True((await new CredentialResolver(_home.Context()).RequireAsync("docker://ghcr.io/x")).IsIdentityToken);
    }

    [Fact]
    public async Task A_login_whose_token_service_returns_a_refresh_token_stores_it_as_identitytoken_instead_of_the_password()
    {
        const string realm = "https://localhost:5000/token";
        var registry = new FakeHttpHandler(request => request.RequestUri!.ToString().StartsWith(realm, StringComparison.Ordinal)
            ? FakeHttpHandler.Status(System.Net.HttpStatusCode.OK, json: "{\"token\":\"t\",\"refresh_token\":\"refresh-3\"}")
            : request.Headers.Authorization?.ToString() == "Bearer t"
                ? FakeHttpHandler.Status(System.Net.HttpStatusCode.OK)
                : FakeHttpHandler.Status(System.Net.HttpStatusCode.Unauthorized, $"Bearer realm=\"{realm}\",service=\"s\""));

        await Login("docker://localhost:5000", registry);

        var text = File.ReadAllText(_home.PrimaryFile);
        Assert.DoesNotContain(TestMachine.Basic("alice", "right"), text, StringComparison.Ordinal);
        Assert.Equal("refresh-3", (string?)Auths()["localhost:5000"]!["identitytoken"]);
        var match = await new CredentialResolver(_home.Context()).RequireAsync("docker://localhost:5000/x");
        Assert.Equal(("alice", "refresh-3", true), (match.Username, match.Secret, match.IsIdentityToken));
        Assert.Contains(_home.Log.Infos, i => i.Contains("identity token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_later_login_with_the_stored_identity_token_uses_it_and_keeps_it_without_a_user_name()
    {
        const string realm = "https://localhost:5000/token";
        var registry = new FakeHttpHandler(request =>
            request.RequestUri!.ToString() == realm && request.Method == HttpMethod.Post
                ? FakeHttpHandler.Status(System.Net.HttpStatusCode.OK, json: "{\"access_token\":\"t\"}")
                : request.Headers.Authorization?.ToString() == "Bearer t"
                    ? FakeHttpHandler.Status(System.Net.HttpStatusCode.OK)
                    : FakeHttpHandler.Status(System.Net.HttpStatusCode.Unauthorized, $"Bearer realm=\"{realm}\",service=\"s\""));

        await new LoginRegistry(_home.Context(registry)).ExecuteAsync(new LoginRegistryOptions("docker://localhost:5000", "<token>", "refresh-4"));

        var entry = Auths()["localhost:5000"]!.AsObject();
        Assert.Equal(("refresh-4", null), ((string?)entry["identitytoken"], (string?)entry["auth"]));
        var (exit, output) = await Serve("get", "localhost:5000");
        Assert.Equal((0, "<token>", "refresh-4"), (exit, (string?)JsonNode.Parse(output)!["Username"], (string?)JsonNode.Parse(output)!["Secret"]));
    }

    [Fact]
    public async Task A_namespace_login_says_once_that_helper_clients_ask_by_host()
    {
        await Login("docker://localhost:5000/team");
        await Login("docker://localhost:5000");

        var notice = Assert.Single(_home.Log.Infos, i => i.Contains("namespace login", StringComparison.Ordinal));
        Assert.Contains("docker://localhost:5000/team", notice, StringComparison.Ordinal);
        Assert.Contains("docker://localhost:5000", notice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Helper_store_and_erase_keep_remote_yaml_and_list_in_step()
    {
        await Serve("store", """{"ServerURL":"localhost:5000","Username":"bob","Secret":"pw"}""");
        Assert.Equal(["docker://localhost:5000"], RemoteYamlUris());
        Assert.Equal(["docker://localhost:5000"], (await new ListRegistryLogins(_home.Context()).ExecuteAsync(new ListRegistryLoginsOptions())).Logins.Select(l => l.Uri));

        Assert.Equal((0, ""), await Serve("erase", "localhost:5000"));
        Assert.Empty(RemoteYamlUris());
        Assert.Empty((await new ListRegistryLogins(_home.Context()).ExecuteAsync(new ListRegistryLoginsOptions())).Logins);
    }

    [Fact]
    public async Task List_shows_exactly_what_credential_get_serves_when_other_tools_changed_the_helper()
    {
        var state = FakeCredentialHelper.Install(_home, "pass");
        TestMachine.WriteFile(_home.PrimaryFile, """{"credsStore":"pass"}""");
        await Login("docker://localhost:5000");
        await Login("docker://localhost:5001");
        await Login("docker://localhost:5002/team");
        var store = new DockerCredentialStore(_home.Context(), _home.PrimaryFile);
        var helper = new CredentialHelperClient("pass", _home.Environment);

        // Another tool: erases one login in the helper, stores a registry login and a namespace login there directly.
        await helper.EraseAsync("localhost:5001");
        await helper.StoreAsync(new HelperCredential("localhost:5003", "carol", "pw"));
        await helper.StoreAsync(new HelperCredential("localhost:5004/ns", "dave", "pw"));

        var listed = (await new ListRegistryLogins(_home.Context()).ExecuteAsync(new ListRegistryLoginsOptions())).Logins.Select(l => l.Key!).ToList();
        var served = new List<string>();
        foreach (var uri in new[] { "localhost:5000", "localhost:5001", "localhost:5002/team", "localhost:5003", "localhost:5004/ns" })
        {
            if (await new CredentialResolver(_home.Context()).ResolveAsync($"docker://{uri}/img") is { } match)
            {
                served.Add(match.Key!);
            }
        }

        Assert.Equal(["localhost:5000", "localhost:5002/team", "localhost:5003"], served);
        Assert.Equal(served.Order(), listed.Order());
        Assert.Equal(served.Order(), (await store.ListAsync()).Select(l => l.Key).Order());
        Assert.True(FakeCredentialHelper.Runs(state) > 0);
    }
}

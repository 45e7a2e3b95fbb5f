using System.Text.Json.Nodes;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Credentials;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Logins;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Tests.Registries;

public class RegistryLogoutTests : IDisposable
{
    private readonly TestMachine _home = new();

    public void Dispose() => _home.Dispose();

    private Task<LoginRegistryResult> Login(string uri) =>
        new LoginRegistry(_home.Context(FakeHttpHandler.BasicAuth("alice", "right")))
            .ExecuteAsync(new LoginRegistryOptions(uri, "alice", "right"));

    private Task<LogoutRegistryResult> Logout(string uri) => new LogoutRegistry(_home.Context()).ExecuteAsync(new LogoutRegistryOptions(uri));

    private JsonObject Auths() => JsonNode.Parse(File.ReadAllText(_home.PrimaryFile))!["auths"]!.AsObject();

    private List<string> RemoteYamlUris() => new RemoteConfigStore(_home.Context()).LoadUser().Credentials.Select(c => c.Uri).ToList();

    [Fact]
    public async Task Docker_Hub_logout_finds_the_normalised_key()
    {
        await Login("docker://docker.io");

        var result = await Logout("docker://docker.io");

        Assert.Equal(RegistryReference.DockerHubConfigKey, result.Key);
        Assert.Equal([new ErasedLogin(RegistryReference.DockerHubConfigKey, null)], result.Erased);
        Assert.Empty(Auths());
        Assert.Empty(RemoteYamlUris());
        Assert.Equal([$"Token removed from {_home.PrimaryFile}", "Logout succeeded"], _home.Log.Infos.Skip(2));
    }

    [Fact]
    public async Task Logout_of_one_transport_removes_both_because_they_share_the_secret()
    {
        await Login("docker://localhost:5000");
        await Login("oras://localhost:5000");
        await Login("docker://localhost:5001");

        var result = await Logout("oras://localhost:5000");

        Assert.Equal(2, result.RemovedConfigEntries);
        Assert.Equal(["docker://localhost:5001"], RemoteYamlUris());
        Assert.Equal(["localhost:5001"], Auths().Select(p => p.Key));
    }

    [Fact]
    public async Task Logout_also_removes_legacy_keys_for_the_same_host_but_not_namespaced_ones()
    {
        TestMachine.WriteFile(_home.PrimaryFile, TestMachine.AuthsJson(
            [("https://myreg.io/v2/", "a", "b"), ("myreg.io", "a", "b"), ("myreg.io/team", "a", "b"), ("myreg.io:5000", "a", "b")],
            "\"HttpHeaders\":{\"X-Meta\":\"kept\"}"));

        var result = await Logout("docker://myreg.io");

        Assert.Equal(["https://myreg.io/v2/", "myreg.io"], result.Erased.Select(e => e.Key));
        Assert.Equal(["myreg.io/team", "myreg.io:5000"], Auths().Select(p => p.Key));
        Assert.Equal("kept", (string?)JsonNode.Parse(File.ReadAllText(_home.PrimaryFile))!["HttpHeaders"]!["X-Meta"]);
    }

    [Fact]
    public async Task An_entry_with_a_corrupt_auth_can_still_be_logged_out_of()
    {
        TestMachine.WriteFile(_home.PrimaryFile, """{"auths":{"ghcr.io":{"auth":"%%% not base64"}}}""");

        var result = await Logout("docker://ghcr.io");

        Assert.Equal([new ErasedLogin("ghcr.io", null)], result.Erased);
        Assert.Empty(Auths());
    }

    [Fact]
    public async Task Not_logged_in_is_an_error_and_dockers_own_file_is_not_touched()
    {
        TestMachine.WriteFile(_home.FallbackFile, TestMachine.AuthsJson([("ghcr.io", "a", "b")]));
        var before = File.ReadAllText(_home.FallbackFile);

        var error = await Assert.ThrowsAsync<RemoteException>(() => Logout("docker://ghcr.io"));

        Assert.Equal((RemoteErrorCodes.NotLoggedIn, "not logged in to ghcr.io"), (error.Code, error.Message));
        Assert.Equal(before, File.ReadAllText(_home.FallbackFile));
        Assert.False(File.Exists(_home.UserFile));
    }

    [Fact]
    public async Task A_secret_in_a_helper_is_erased_there()
    {
        var state = FakeCredentialHelper.Install(_home, "fake");
        TestMachine.WriteFile(_home.PrimaryFile, """{"credHelpers":{"localhost:5000":"fake"}}""");
        await Login("docker://localhost:5000");
        Assert.Single(FakeCredentialHelper.StoredFiles(state));

        var result = await Logout("docker://localhost:5000");

        Assert.Equal([new ErasedLogin("localhost:5000", "fake")], result.Erased);
        Assert.Empty(FakeCredentialHelper.StoredFiles(state));
        Assert.Empty(Auths());
    }

    [Fact]
    public async Task A_remote_yaml_entry_without_a_secret_is_still_removed_with_a_warning()
    {
        await Login("docker://localhost:5000");
        File.Delete(_home.PrimaryFile);

        var result = await Logout("docker://localhost:5000");

        Assert.Empty(result.Erased);
        Assert.Equal(1, result.RemovedConfigEntries);
        Assert.Single(_home.Log.Warnings);
    }

    [Fact]
    public async Task Logout_all_clears_every_registry_login_and_keeps_keyserver_logins()
    {
        await Login("docker://localhost:5000");
        await Login("oras://localhost:5001/team");
        await new RemoteConfigStore(_home.Context()).UpdateUserAsync(merged: false, config =>
        {
            config.Credentials.Add(new CredentialConfig { Uri = "https://keys.example.com", Auth = "Bearer t" });
            return 0;
        });

        var result = await new LogoutAllRegistries(_home.Context()).ExecuteAsync(new LogoutAllRegistriesOptions());

        Assert.Equal(["localhost:5000", "localhost:5001/team"], result.Erased.Select(e => e.Key));
        Assert.Equal(2, result.RemovedConfigEntries);
        Assert.Empty(Auths());
        Assert.Equal(["https://keys.example.com"], RemoteYamlUris());
    }

    [Fact]
    public async Task Logout_all_with_nothing_stored_succeeds_and_writes_nothing()
    {
        var result = await new LogoutAllRegistries(_home.Context()).ExecuteAsync(new LogoutAllRegistriesOptions());

        Assert.Empty(result.Erased);
        Assert.Equal(0, result.RemovedConfigEntries);
        Assert.False(File.Exists(_home.PrimaryFile));
        Assert.False(File.Exists(_home.UserFile));
    }
}

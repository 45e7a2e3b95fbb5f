using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Logins;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Tests.Registries;

public class RegistryListTests : IDisposable
{
    private readonly TestMachine _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Lists_remote_yaml_logins_with_a_stored_secret_then_file_only_logins_then_dockers_own_without_secrets()
    {
        await new LoginRegistry(_home.Context(FakeHttpHandler.BasicAuth("alice", "right")))
            .ExecuteAsync(new LoginRegistryOptions("docker://localhost:5000", "alice", "right", Insecure: true));
        await new RemoteConfigStore(_home.Context()).UpdateUserAsync(merged: false, config =>
        {
            config.Credentials.Add(new CredentialConfig { Uri = "https://keys.example.com", Auth = "Bearer secret-token" });
            config.Credentials.Add(new CredentialConfig { Uri = "oras://gone.example.com" });
            return 0;
        });
        await DockerConfigFile.UpdateAsync(_home.PrimaryFile, file =>
        {
            file.SetAuth("podman.example.com", "bob", "pw");
            return Task.FromResult(0);
        });
        TestMachine.WriteFile(_home.FallbackFile, TestMachine.AuthsJson([("localhost:5000", "x", "y"), ("ghcr.io", "carol", "z")]));

        var list = (await new ListRegistryLogins(_home.Context()).ExecuteAsync(new ListRegistryLoginsOptions())).Logins;

        Assert.Equal(
            [
                new RegistryLoginInfo("docker://localhost:5000", "localhost:5000", false, true, _home.PrimaryFile, null, "alice", false),
                new RegistryLoginInfo("https://keys.example.com", null, true, false, _home.UserFile, null, "", false),
                // oras://gone.example.com is in remote.yaml only: credential get would not serve it, so it is not listed.
                new RegistryLoginInfo(null, "podman.example.com", false, false, _home.PrimaryFile, null, "bob", false),
                new RegistryLoginInfo(null, "ghcr.io", false, false, _home.FallbackFile, null, "carol", true),
            ],
            list);
    }

    [Fact]
    public async Task A_broken_docker_file_is_skipped_with_a_warning_but_a_broken_primary_file_is_an_error()
    {
        TestMachine.WriteFile(_home.FallbackFile, "{ broken");
        Assert.Empty((await new ListRegistryLogins(_home.Context()).ExecuteAsync(new ListRegistryLoginsOptions())).Logins);
        Assert.Contains(_home.FallbackFile, Assert.Single(_home.Log.Warnings), StringComparison.Ordinal);

        TestMachine.WriteFile(_home.PrimaryFile, "{ broken");
        await Assert.ThrowsAsync<ConfigFileException>(() => new ListRegistryLogins(_home.Context()).ExecuteAsync(new ListRegistryLoginsOptions()));
    }
}

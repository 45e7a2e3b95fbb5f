using System.Text.Json.Nodes;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Logins;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Tests.Registries;

public class RegistryLoginTests : IDisposable
{
    private readonly TestMachine _home = new();

    public void Dispose() => _home.Dispose();

    private Task<LoginRegistryResult> Login(string uri, string user = "alice", string password = "right", string? authFile = null) =>
        new LoginRegistry(_home.Context(FakeHttpHandler.BasicAuth("alice", "right"), authFile))
            .ExecuteAsync(new LoginRegistryOptions(uri, user, password));

    private JsonObject Auths(string? file = null) => JsonNode.Parse(File.ReadAllText(file ?? _home.PrimaryFile))!["auths"]!.AsObject();

    private List<CredentialConfig> RemoteYamlCredentials() => new RemoteConfigStore(_home.Context()).LoadUser().Credentials;

    [Fact]
    public async Task Login_stores_the_secret_in_the_primary_file_and_bookkeeping_in_remote_yaml()
    {
        var result = await Login("docker://localhost:5000");

        Assert.Equal(TestMachine.Basic("alice", "right"), (string?)Auths()["localhost:5000"]!["auth"]);
        Assert.False(File.Exists(_home.FallbackFile));
        var entry = Assert.Single(RemoteYamlCredentials());
        Assert.Equal(new CredentialConfig { Uri = "docker://localhost:5000" }, entry);
        Assert.Equal(new LoginRegistryResult("docker://localhost:5000", "localhost:5000", _home.PrimaryFile, null, result.Verification, _home.UserFile), result);
        Assert.Equal([$"Password stored in {_home.PrimaryFile}", $"Login recorded in {_home.UserFile}"], _home.Log.Infos);
        Assert.DoesNotContain(_home.Log.All, line => line.Contains("right", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Login_never_writes_dockers_own_file()
    {
        TestMachine.WriteFile(_home.FallbackFile, """{"auths":{"ghcr.io":{"auth":"b2xkOm9sZA=="}},"currentContext":"x"}""");
        var before = File.ReadAllText(_home.FallbackFile);

        await Login("docker://localhost:5000");

        Assert.Equal(before, File.ReadAllText(_home.FallbackFile));
        Assert.True(File.Exists(_home.PrimaryFile));
    }

    [Fact]
    public async Task Repeated_logins_leave_one_entry_and_Docker_Hub_aliases_are_one_login()
    {
        await Login("docker://localhost:5000");
        await Login("docker://localhost:5000/");
        await Login("oras://localhost:5000");

        await new LoginRegistry(_home.Context(FakeHttpHandler.BasicAuth("alice", "right")))
            .ExecuteAsync(new LoginRegistryOptions("docker://docker.io", "alice", "right"));
        await new LoginRegistry(_home.Context(FakeHttpHandler.BasicAuth("alice", "right")))
            .ExecuteAsync(new LoginRegistryOptions("docker://index.docker.io", "alice", "right"));

        Assert.Equal(["docker://localhost:5000", "oras://localhost:5000", "docker://index.docker.io"], RemoteYamlCredentials().Select(c => c.Uri));
        Assert.Equal(["localhost:5000", RegistryReference.DockerHubConfigKey], Auths().Select(p => p.Key));
    }

    [Fact]
    public async Task A_namespaced_login_is_its_own_key()
    {
        await Login("docker://localhost:5000/team");
        await Login("docker://localhost:5000/other");

        Assert.Equal(["localhost:5000/team", "localhost:5000/other"], Auths().Select(p => p.Key));
        Assert.Equal(2, RemoteYamlCredentials().Count);
    }

    [Fact]
    public async Task A_rejected_login_stores_nothing()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => Login("docker://localhost:5000", password: "wrong"));

        Assert.Equal(RemoteErrorCodes.LoginFailed, error.Code);
        Assert.False(File.Exists(_home.PrimaryFile));
        Assert.False(File.Exists(_home.UserFile));
    }

    [Theory]
    [InlineData("docker://localhost:5000", "", "right", RemoteErrorCodes.InvalidArgument, "Docker/OCI registry requires a username")]
    [InlineData("docker://localhost:5000", "alice", "", RemoteErrorCodes.PasswordRequired, "A password is required")]
    [InlineData("https://keys.example.com", "alice", "right", RemoteErrorCodes.TransportNotSupported, "https transport is not supported")]
    [InlineData("localhost:5000", "alice", "right", RemoteErrorCodes.TransportNotSupported, "localhost transport is not supported (for an OCI registry use docker://localhost:5000)")]
    public async Task Bad_input_fails_before_any_request(string uri, string user, string password, string code, string message)
    {
        var registry = FakeHttpHandler.BasicAuth("alice", "right");

        var error = await Assert.ThrowsAsync<RemoteException>(() =>
            new LoginRegistry(_home.Context(registry)).ExecuteAsync(new LoginRegistryOptions(uri, user, password)));

        Assert.Equal((code, message), (error.Code, error.Message));
        Assert.Empty(registry.Requests);
    }

    [Fact]
    public async Task With_an_auth_file_only_that_file_is_written()
    {
        var authFile = Path.Combine(_home.Root, "ci", "auth.json");

        var result = await Login("docker://localhost:5000", authFile: authFile);

        Assert.True(Auths(authFile).ContainsKey("localhost:5000"));
        Assert.Null(result.RemoteConfigFile);
        Assert.False(File.Exists(_home.UserFile));
        Assert.False(File.Exists(_home.PrimaryFile));
    }

    [Fact]
    public async Task A_configured_helper_gets_the_secret_and_the_file_keeps_an_empty_entry()
    {
        var state = FakeCredentialHelper.Install(_home, "fake");
        TestMachine.WriteFile(_home.PrimaryFile, """{"credsStore":"fake"}""");

        var result = await Login("docker://localhost:5000");

        Assert.Equal("fake", result.Helper);
        Assert.Equal("{}", Auths()["localhost:5000"]!.ToJsonString());
        Assert.Contains("\"Secret\":\"right\"", Assert.Single(FakeCredentialHelper.StoredFiles(state)), StringComparison.Ordinal);
        Assert.Contains($"Password stored in credential helper docker-credential-fake (recorded in {_home.PrimaryFile})", _home.Log.Infos);
    }

    [Fact]
    public async Task An_anonymous_registry_logs_a_warning_that_nothing_was_verified()
    {
        var open = new FakeHttpHandler(_ => FakeHttpHandler.Status(System.Net.HttpStatusCode.OK));

        var result = await new LoginRegistry(_home.Context(open)).ExecuteAsync(new LoginRegistryOptions("docker://localhost:5000", "a", "b"));

        Assert.False(result.Verification.CredentialsVerified);
        Assert.Equal("localhost:5000 answers anonymous requests, so it cannot tell whether these credentials are right", Assert.Single(_home.Log.Warnings));
    }

    [Fact]
    public void Options_never_print_the_password() =>
        Assert.DoesNotContain("hunter2", new LoginRegistryOptions("docker://h", "u", "hunter2").ToString(), StringComparison.Ordinal);
}

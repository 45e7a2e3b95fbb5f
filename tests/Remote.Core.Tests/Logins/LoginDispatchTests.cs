using System.Net;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Endpoints;
using DotnetRemote.Core.Logins;

namespace DotnetRemote.Core.Tests.Logins;

/// <summary>
/// <see cref="PrepareLogin"/>, <see cref="Login"/> and <see cref="Logout"/>: the one login/logout path every host
/// takes. What needs no secret is refused before a host asks for one; errors are worded once, in Core.
/// </summary>
public class LoginDispatchTests : IDisposable
{
    private const string Keyserver = "https://keys.example.com";

    private readonly TestMachine _home = new();

    public LoginDispatchTests()
    {
        TestMachine.WriteFile(_home.UserFile, Config);
        if (!OperatingSystem.IsWindows())
        {
            // The mode remote.yaml has after any write, so reading it logs no mode fix.
            File.SetUnixFileMode(_home.UserFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static string Config => $"""
        Active: corp
        Remotes:
          corp:
            URI: library.example.com
            Token: ""
            System: false
            Exclusive: false
            Keyservers:
            - URI: {Keyserver}
              Skip: false
              External: true
              Insecure: false
        """;

    public void Dispose() => _home.Dispose();

    private Task<PrepareLoginResult> Prepare(PrepareLoginOptions options) => new PrepareLogin(_home.Context()).ExecuteAsync(options);

    [Fact]
    public async Task No_argument_is_the_default_remote_with_its_token_page()
    {
        var target = (await Prepare(new PrepareLoginOptions(null))).Target;

        Assert.Equal((LoginKind.Remote, "corp"), (target.Kind, target.Value));
        Assert.Equal(new RemoteLoginTarget("corp", "https://library.example.com/auth/tokens", HasToken: false), target.Remote);
    }

    [Fact]
    public async Task A_registry_without_a_username_is_refused_before_the_secret_in_apptainers_words()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => Prepare(new PrepareLoginOptions("docker://localhost:5000")));

        Assert.Equal((RemoteErrorCodes.InvalidArgument, "while login to docker://localhost:5000: Docker/OCI registry requires a username"), (error.Code, error.Message));
    }

    [Theory]
    [InlineData("docker://localhost:5000")]
    [InlineData(Keyserver)]
    public async Task A_token_file_is_only_for_remotes(string target)
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => Prepare(new PrepareLoginOptions(target, "alice", TokenFile: true)));

        Assert.Equal(RemoteErrorCodes.InvalidArgument, error.Code);
        Assert.StartsWith("--tokenfile is only supported for login to a remote endpoint", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://other.example.com", RemoteErrorCodes.KeyserverNotConfigured, "no external keyserver configuration found for https://other.example.com")]
    [InlineData("hkps://keys.example.com", RemoteErrorCodes.TransportNotSupported, "use the https:// form of hkps://keys.example.com to log in")]
    public async Task A_keyserver_that_cannot_be_logged_in_to_is_refused_before_the_secret(string uri, string code, string message)
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => Prepare(new PrepareLoginOptions(uri)));

        Assert.Equal((code, message), (error.Code, error.Message));
    }

    [Fact]
    public async Task The_registry_command_takes_registry_uris_only()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => Prepare(new PrepareLoginOptions(Keyserver, "alice", Kind: LoginKind.Registry)));

        Assert.Equal((RemoteErrorCodes.TransportNotSupported, "https transport is not supported"), (error.Code, error.Message));
    }

    [Fact]
    public async Task Preparing_writes_nothing_and_contacts_nobody()
    {
        var before = File.ReadAllBytes(_home.UserFile);
        var registry = FakeHttpHandler.BasicAuth("alice", "right");

        var prepared = await new PrepareLogin(_home.Context(registry)).ExecuteAsync(new PrepareLoginOptions("docker://localhost:5000", "alice"));

        Assert.Equal(LoginKind.Registry, prepared.Target.Kind);
        Assert.Empty(registry.Requests);
        Assert.Equal(before, File.ReadAllBytes(_home.UserFile));
        Assert.False(File.Exists(_home.PrimaryFile));
        Assert.Equal([], _home.Log.All);
    }

    [Fact]
    public async Task A_refused_registry_login_keeps_its_code_and_reads_while_login_to()
    {
        var target = (await Prepare(new PrepareLoginOptions("docker://localhost:5000", "alice"))).Target;

        var error = await Assert.ThrowsAsync<RemoteException>(() =>
            new Login(_home.Context(FakeHttpHandler.BasicAuth("alice", "right"))).ExecuteAsync(new LoginOptions(target, "alice", "wrong")));

        Assert.Equal(RemoteErrorCodes.LoginFailed, error.Code);
        Assert.StartsWith("while login to docker://localhost:5000: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_home.PrimaryFile));
    }

    [Fact]
    public async Task A_registry_login_and_logout_go_to_the_registry_operations()
    {
        var target = (await Prepare(new PrepareLoginOptions("docker://localhost:5000", "alice"))).Target;

        var login = await new Login(_home.Context(FakeHttpHandler.BasicAuth("alice", "right"))).ExecuteAsync(new LoginOptions(target, "alice", "right"));
        var logout = await new Logout(_home.Context()).ExecuteAsync(new LogoutOptions(LoginTarget.Classify(_home.Context(), "docker://localhost:5000")));

        Assert.Equal((LoginKind.Registry, "localhost:5000", _home.PrimaryFile), (login.Kind, login.Registry!.Key, login.Registry.File));
        Assert.Equal((LoginKind.Registry, "localhost:5000"), (logout.Kind, logout.Registry!.Key));
        Assert.Null(login.Remote ?? (object?)login.Keyserver ?? logout.Remote ?? (object?)logout.Keyserver);
    }

    [Fact]
    public async Task A_keyserver_login_and_logout_go_to_the_keyserver_operations()
    {
        var keyserver = new FakeHttpHandler(_ => new HttpResponseMessage(HttpStatusCode.OK));
        var target = (await Prepare(new PrepareLoginOptions(Keyserver))).Target;

        var login = await new Login(_home.Context(keyserver)).ExecuteAsync(new LoginOptions(target, "", "token-1"));
        var stored = Assert.Single(new RemoteConfigStore(_home.Context()).LoadUser().Credentials);
        var logout = await new Logout(_home.Context()).ExecuteAsync(new LogoutOptions(target));

        Assert.Equal(new LoginKeyserverResult(Keyserver, Insecure: false, _home.UserFile), login.Keyserver);
        Assert.Equal((Keyserver, "Bearer token-1"), (stored.Uri, stored.Auth));
        Assert.Equal([(Keyserver + "/", "Bearer token-1")], keyserver.Calls);
        Assert.Equal(new LogoutKeyserverResult(Keyserver, Removed: 1), logout.Keyserver);
        Assert.Empty(new RemoteConfigStore(_home.Context()).LoadUser().Credentials);
    }

    [Fact]
    public async Task A_remote_logout_forgets_the_token()
    {
        var store = new RemoteConfigStore(_home.Context());
        await store.UpdateUserAsync(merged: false, config =>
        {
            config.GetRemote("corp").Token = "library-token";
            return 0;
        });

        var logout = await new Logout(_home.Context()).ExecuteAsync(new LogoutOptions(LoginTarget.Classify(_home.Context(), "corp")));

        Assert.Equal(new LogoutRemoteResult("corp", _home.UserFile), logout.Remote);
        Assert.Equal("", store.LoadUser().GetRemote("corp").Token);
    }

    [Fact]
    public void No_options_or_result_that_holds_a_secret_prints_it()
    {
        var target = new LoginTarget(LoginKind.Registry, "docker://h", null);

        Assert.All(
            new object[]
            {
                new LoginOptions(target, "u", "hunter2"),
                new LoginRemoteOptions("corp", "hunter2"),
                new LoginKeyserverOptions(Keyserver, "u", "hunter2"),
                new LoginRegistryOptions("docker://h", "u", "hunter2"),
                new GetLoginPasswordResult("hunter2"),
            },
            value => Assert.DoesNotContain("hunter2", value.ToString(), StringComparison.Ordinal));
    }
}

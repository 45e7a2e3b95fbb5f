using DotnetRemote.Core.Credentials;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Tests.Registries;

namespace DotnetRemote.Core.Tests.Credentials;

public class CredentialHelperClientTests : IDisposable
{
    private readonly TestMachine _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Store_get_list_and_erase_round_trip_with_secrets_only_on_stdin()
    {
        var state = FakeCredentialHelper.Install(_home, "fake");
        var client = new CredentialHelperClient("fake", _home.Environment);

        await client.StoreAsync(new HelperCredential("ghcr.io", "alice", "top-secret"));
        var found = await client.GetAsync("ghcr.io");
        var list = await client.ListAsync();
        var erased = await client.EraseAsync("ghcr.io");

        Assert.Equal(new HelperCredential("ghcr.io", "alice", "top-secret"), found);
        Assert.Equal("alice", list["ghcr.io"]);
        Assert.True(erased);
        Assert.Null(await client.GetAsync("ghcr.io"));
        Assert.False(await client.EraseAsync("ghcr.io"));
        Assert.Contains("docker-credential-fake store", FakeCredentialHelper.ArgvLog(state), StringComparison.Ordinal);
        Assert.DoesNotContain("top-secret", FakeCredentialHelper.ArgvLog(state), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_helper_missing_from_PATH_is_a_credential_store_error()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => new CredentialHelperClient("absent", _home.Environment).GetAsync("ghcr.io"));

        Assert.Equal(RemoteErrorCodes.CredentialStore, error.Code);
        Assert.Equal("credential helper docker-credential-absent not found in PATH", error.Message);
    }

    [Fact]
    public async Task A_failing_helper_reports_its_own_message()
    {
        FakeCredentialHelper.Install(_home, "broken", "#!/bin/sh\ncat >/dev/null\necho 'error getting credentials - err: exit status 1, out: no DBus session'\nexit 1\n");

        var error = await Assert.ThrowsAsync<RemoteException>(() => new CredentialHelperClient("broken", _home.Environment).GetAsync("ghcr.io"));

        Assert.Equal(RemoteErrorCodes.CredentialStore, error.Code);
        Assert.Equal("credential helper docker-credential-broken get failed: error getting credentials - err: exit status 1, out: no DBus session", error.Message);
    }

    [Fact]
    public async Task A_hanging_helper_is_killed_after_the_timeout()
    {
        FakeCredentialHelper.Install(_home, "slow", "#!/bin/sh\nexec sleep 30\n");
        var client = new CredentialHelperClient("slow", _home.Environment, TimeSpan.FromMilliseconds(300));
        var started = DateTime.UtcNow;

        var error = await Assert.ThrowsAsync<RemoteException>(() => client.GetAsync("ghcr.io"));

        Assert.Equal("credential helper docker-credential-slow get failed: timed out after 0.3 s", error.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_reply_that_is_not_JSON_is_an_error()
    {
        FakeCredentialHelper.Install(_home, "garbled", "#!/bin/sh\ncat >/dev/null\necho 'Username: alice'\n");

        var error = await Assert.ThrowsAsync<RemoteException>(() => new CredentialHelperClient("garbled", _home.Environment).GetAsync("ghcr.io"));

        Assert.Equal("credential helper docker-credential-garbled get failed: the reply is not valid JSON", error.Message);
    }

    [Fact]
    public void Helper_names_cannot_be_paths() =>
        Assert.Throws<RemoteException>(() => new CredentialHelperClient("../evil", _home.Environment));
}

using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Keyservers;

namespace DotnetRemote.Core.Tests.Keyservers;

/// <summary>add-keyserver / remove-keyserver on the system file (docs/compatibility.md#keyserver-add, #keyserver-remove, fixes of #fixes-keyservers).</summary>
public sealed class KeyserverOrderingTests : IDisposable
{
    private const string OpenPgp = "https://keys.openpgp.org";
    private readonly TestMachine _machine = new();

    public void Dispose() => _machine.Dispose();

    [Fact]
    public async Task Adding_to_the_stock_remote_stores_the_own_keyserver_first_then_appends()
    {
        await Add("https://pgp.example.com");

        Assert.Equal(
            [
                new KeyserverConfig { Uri = OpenPgp, External = false },
                new KeyserverConfig { Uri = "https://pgp.example.com", External = true },
            ],
            SystemKeyservers());
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(_machine.SystemFile));
    }

    [Fact]
    public async Task The_maximum_order_appends()
    {
        await Add("https://a.example.com");

        await Add("https://b.example.com", order: 3);

        Assert.Equal([OpenPgp, "https://a.example.com", "https://b.example.com"], VisibleKeyservers());
    }

    [Fact]
    public async Task Order_1_puts_the_new_keyserver_first()
    {
        await Add("https://pgp.example.com", order: 1);

        Assert.Equal(["https://pgp.example.com", OpenPgp], SystemKeyservers().Select(k => k.Uri));
    }

    [Fact]
    public async Task Insecure_is_recorded_on_the_new_entry()
    {
        await Add("http://keys.internal:11371", insecure: true);

        Assert.True(SystemKeyservers().Single(k => k.External).Insecure);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(99)]
    public async Task An_order_past_the_end_names_the_maximum(int order)
    {
        await Add("https://a.example.com");

        var error = await Assert.ThrowsAsync<RemoteException>(() => Add("https://b.example.com", order: order));

        Assert.Equal("order is out of range: maximum is 3", error.Message);
        Assert.Equal(RemoteErrorCodes.KeyserverOrder, error.Code);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task An_order_below_1_is_rejected(int order)
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => Add("https://a.example.com", order: order));

        Assert.Equal("order must be > 0", error.Message);
        Assert.False(File.Exists(_machine.SystemFile));
    }

    [Theory]
    [InlineData("https://keys.openpgp.org")]
    [InlineData("https://keys.openpgp.org/pks/lookup")]
    [InlineData("hkps://keys.openpgp.org")]
    public async Task The_same_keyserver_twice_is_already_configured(string uri)
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => Add(uri));

        Assert.Equal($"{uri} is already configured", error.Message);
        Assert.Equal(RemoteErrorCodes.KeyserverExists, error.Code);
    }

    [Fact]
    public async Task Removing_the_own_keyserver_keeps_it_as_skipped()
    {
        await Add("https://pgp.example.com");

        await Remove(OpenPgp);

        Assert.Equal(
            [
                new KeyserverConfig { Uri = OpenPgp, External = false, Skip = true },
                new KeyserverConfig { Uri = "https://pgp.example.com", External = true },
            ],
            SystemKeyservers());
    }

    [Fact]
    public async Task Removing_an_external_keyserver_deletes_it()
    {
        await Add("https://pgp.example.com");

        await Remove("https://pgp.example.com");

        Assert.Equal([new KeyserverConfig { Uri = OpenPgp }], SystemKeyservers());
    }

    [Fact]
    public async Task The_primary_keyserver_cannot_be_removed()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => Remove(OpenPgp));

        Assert.Equal($"the primary keyserver {OpenPgp} can't be removed", error.Message);
        Assert.Equal(RemoteErrorCodes.KeyserverPrimary, error.Code);
    }

    [Fact]
    public async Task The_last_visible_keyserver_cannot_be_removed_even_when_skipped_ones_exist()
    {
        await Add("https://pgp.example.com");
        await Remove(OpenPgp);

        var error = await Assert.ThrowsAsync<RemoteException>(() => Remove("https://pgp.example.com"));

        Assert.Equal("the primary keyserver https://pgp.example.com can't be removed", error.Message);
    }

    [Fact]
    public async Task Removing_an_unknown_or_skipped_keyserver_is_not_configured()
    {
        await Add("https://pgp.example.com");
        await Remove(OpenPgp);

        var unknown = await Assert.ThrowsAsync<RemoteException>(() => Remove("https://nope.example.com"));
        var skipped = await Assert.ThrowsAsync<RemoteException>(() => Remove(OpenPgp));

        Assert.Equal("keyserver https://nope.example.com is not configured", unknown.Message);
        Assert.Equal($"keyserver {OpenPgp} is not configured", skipped.Message);
    }

    [Fact]
    public async Task Adding_a_skipped_own_keyserver_again_re_enables_it()
    {
        await Add("https://pgp.example.com");
        await Remove(OpenPgp);

        await Add(OpenPgp);

        Assert.Equal(
            [
                new KeyserverConfig { Uri = "https://pgp.example.com", External = true },
                new KeyserverConfig { Uri = OpenPgp, External = false, Skip = false },
            ],
            SystemKeyservers());
    }

    [Fact]
    public async Task Re_enabling_a_skipped_keyserver_takes_insecure()
    {
        await Add("https://pgp.example.com");
        await Remove(OpenPgp);

        await Add(OpenPgp, insecure: true);

        Assert.True(SystemKeyservers().Single(k => k.Uri == OpenPgp).Insecure);
    }

    [Fact]
    public async Task Fix_order_counts_visible_keyservers_appending_after_a_skipped_entry()
    {
        // [A(skip), B] + add --order 2 C: shown as #1 B, #2 C (Apptainer would show C first).
        WriteSystemKeyservers(("https://a.example.com", true, false), ("https://b.example.com", false, true));

        await Add("https://c.example.com", order: 2);

        Assert.Equal(["https://b.example.com", "https://c.example.com"], VisibleKeyservers());
    }

    [Fact]
    public async Task Fix_order_counts_visible_keyservers_inserting_between_visible_entries()
    {
        // [A(skip), B, D] + add --order 2 C: shown as B, C, D.
        WriteSystemKeyservers(("https://a.example.com", true, false), ("https://b.example.com", false, true), ("https://d.example.com", false, true));

        await Add("https://c.example.com", order: 2);

        Assert.Equal(["https://b.example.com", "https://c.example.com", "https://d.example.com"], VisibleKeyservers());
        Assert.Equal(4, SystemKeyservers().Count);
    }

    [Fact]
    public async Task Fix_the_maximum_order_counts_only_visible_keyservers()
    {
        WriteSystemKeyservers(("https://a.example.com", true, false), ("https://b.example.com", false, true));

        var error = await Assert.ThrowsAsync<RemoteException>(() => Add("https://c.example.com", order: 3));

        Assert.Equal("order is out of range: maximum is 2", error.Message);
    }

    [Theory]
    [InlineData("ftp://keys.example.com")]
    [InlineData("keys.example.com")]
    public async Task An_unsupported_scheme_is_rejected_before_anything_is_written(string uri)
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => Add(uri));

        Assert.Equal(RemoteErrorCodes.KeyserverScheme, error.Code);
        Assert.StartsWith("unsupported keyserver protocol scheme", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_machine.SystemFile));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task A_blank_url_is_an_empty_uri(string uri)
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => Add(uri));

        Assert.Equal("invalid URI: cannot have empty URI", error.Message);
    }

    [Fact]
    public async Task A_non_root_user_cannot_add_or_remove_and_nothing_is_written()
    {
        var context = _machine.Context(isRoot: false);

        var add = await Assert.ThrowsAsync<RemoteException>(() => new AddKeyserver(context).ExecuteAsync(new AddKeyserverOptions("https://a.example.com")));
        var remove = await Assert.ThrowsAsync<RemoteException>(() => new RemoveKeyserver(context).ExecuteAsync(new RemoveKeyserverOptions(OpenPgp)));

        Assert.Equal("Unable to modify keyserver configuration: not root user", add.Message);
        Assert.Equal("Unable to modify keyserver configuration: not root user", remove.Message);
        Assert.Equal(RemoteErrorCodes.NotRoot, add.Code);
        Assert.False(File.Exists(_machine.SystemFile));
    }

    [Fact]
    public async Task A_named_remote_gets_the_keyserver_and_discovery_fills_its_own_first()
    {
        _machine.WriteSystem(SampleYaml.StockSystem + "  corp:\n    URI: corp.example.com\n    System: true\n    Exclusive: false\n");
        var http = new FakeHttpHandler().Discovery("corp.example.com", "https://keys.corp.example.com");

        await new AddKeyserver(_machine.Context(isRoot: true, http: http)).ExecuteAsync(new AddKeyserverOptions("https://pgp.example.com", RemoteName: "corp"));

        var system = RemoteConfigYaml.Parse(_machine.ReadSystem(), _machine.SystemFile);
        Assert.Equal(["https://keys.corp.example.com", "https://pgp.example.com"], system.Remotes["corp"].Keyservers.Select(k => k.Uri));
        Assert.Empty(system.Remotes["DefaultRemote"].Keyservers);
    }

    [Fact]
    public async Task A_user_remote_name_is_not_a_system_remote()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(
            () => new AddKeyserver(_machine.Context(isRoot: true)).ExecuteAsync(new AddKeyserverOptions("https://a.example.com", RemoteName: "nope")));

        Assert.Equal("no endpoint found: nope is not a remote", error.Message);
    }

    [Fact]
    public async Task A_system_file_without_a_default_has_no_endpoint()
    {
        _machine.WriteSystem("Active: \"\"\nRemotes:\n  corp:\n    URI: corp.example.com\n    System: true\n    Exclusive: false\n");

        var error = await Assert.ThrowsAsync<RemoteException>(() => Add("https://a.example.com"));

        Assert.Equal("no endpoint found: no default endpoint set: use 'dotnet remote use <endpoint>', available endpoints are: corp", error.Message);
    }

    [Fact]
    public async Task A_non_system_endpoint_in_the_system_file_is_refused()
    {
        _machine.WriteSystem("Active: odd\nRemotes:\n  odd:\n    URI: odd.example.com\n    System: false\n    Exclusive: false\n");

        var error = await Assert.ThrowsAsync<RemoteException>(() => Add("https://a.example.com"));

        Assert.Equal("current endpoint is not a system defined endpoint", error.Message);
    }

    [Fact]
    public async Task The_user_file_is_never_touched()
    {
        _machine.WriteUser("Active: \"\"\nRemotes: {}\n");
        var before = File.ReadAllBytes(_machine.UserFile);

        await Add("https://pgp.example.com");
        await Remove("https://pgp.example.com");

        Assert.Equal(before, File.ReadAllBytes(_machine.UserFile));
    }

    private Task<AddKeyserverResult> Add(string uri, int? order = null, bool insecure = false) =>
        new AddKeyserver(_machine.Context(isRoot: true)).ExecuteAsync(new AddKeyserverOptions(uri, null, order, insecure));

    private Task<RemoveKeyserverResult> Remove(string uri) =>
        new RemoveKeyserver(_machine.Context(isRoot: true)).ExecuteAsync(new RemoveKeyserverOptions(uri));

    private List<KeyserverConfig> SystemKeyservers() =>
        RemoteConfigYaml.Parse(_machine.ReadSystem(), _machine.SystemFile).Remotes["DefaultRemote"].Keyservers;

    private string[] VisibleKeyservers() => SystemKeyservers().Where(k => !k.Skip).Select(k => k.Uri).ToArray();

    private void WriteSystemKeyservers(params (string Uri, bool Skip, bool External)[] keyservers) =>
        _machine.WriteSystem(SampleYaml.StockSystem + "    Keyservers:\n" + string.Concat(keyservers.Select(k =>
            $"    - URI: {k.Uri}\n      Skip: {(k.Skip ? "true" : "false")}\n      External: {(k.External ? "true" : "false")}\n      Insecure: false\n")));
}

using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Keyservers;
using DotnetRemote.Core.Remotes;

namespace DotnetRemote.Core.Tests.Remotes;

/// <summary>add / remove / use on the engine (docs/compatibility.md#remote-add, #remote-remove, #remote-use, fixes of #deviations).</summary>
public sealed class RemoteOperationsTests : IDisposable
{
    private const string CompanySystem = SampleYaml.StockSystem + """
          company-remote:
            URI: enterprise.example.com
            System: true
            Exclusive: true

        """;

    private readonly TestMachine _machine = new();
    private readonly RecordingLog _log = new();

    public void Dispose() => _machine.Dispose();

    [Fact]
    public async Task Add_stores_the_normalised_uri_and_does_not_change_the_active_remote()
    {
        var result = await Add(new AddRemoteOptions("myremote", "https://enterprise.example.com/"));

        Assert.Equal("enterprise.example.com", result.StoredUri);
        Assert.Equal(
            "Active: \"\"\nRemotes:\n  myremote:\n    URI: enterprise.example.com\n    System: false\n    Exclusive: false\n",
            _machine.ReadUser());
        Assert.Equal(["INFO:    Remote \"myremote\" added."], _log.Lines);
    }

    [Fact]
    public async Task Add_keeps_a_port()
    {
        await Add(new AddRemoteOptions("ported", "https://host:8443/path"));

        Assert.Equal("host:8443/path", User().Remotes["ported"].Uri);
    }

    [Fact]
    public async Task Add_with_use_makes_the_new_remote_active()
    {
        await Add(new AddRemoteOptions("myremote", "enterprise.example.com", Use: true));

        Assert.Equal("myremote", User().Active);
        Assert.Contains("INFO:    Remote \"myremote\" now in use.", _log.Lines);
    }

    [Fact]
    public async Task Add_twice_is_already_a_remote_and_keeps_the_first()
    {
        await Add(new AddRemoteOptions("myremote", "one.example.com"));

        var error = await Assert.ThrowsAsync<RemoteException>(() => Add(new AddRemoteOptions("myremote", "two.example.com")));

        Assert.Equal("myremote is already a remote", error.Message);
        Assert.Equal("one.example.com", User().Remotes["myremote"].Uri);
    }

    [Fact]
    public async Task Add_an_http_uri_needs_insecure()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => Add(new AddRemoteOptions("lab", "http://lab.internal")));

        Assert.Equal("http URI requires --insecure or APPTAINER_ADD_INSECURE=true", error.Message);
        Assert.False(File.Exists(_machine.UserFile));

        await Add(new AddRemoteOptions("lab", "http://lab.internal", Insecure: true));
        Assert.True(User().Remotes["lab"].Insecure);
    }

    [Fact]
    public async Task Add_an_https_uri_with_insecure_ignores_it_and_says_so()
    {
        await Add(new AddRemoteOptions("secure", "https://secure.example.com", Insecure: true));

        Assert.False(User().Remotes["secure"].Insecure);
        Assert.Equal("INFO:    --insecure ignored for https remote", _log.Lines.First());
    }

    [Fact]
    public async Task Add_an_https_uri_without_insecure_prints_no_insecure_notice()
    {
        await Add(new AddRemoteOptions("secure", "https://secure.example.com"));

        Assert.DoesNotContain(_log.Lines, l => l.Contains("--insecure", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(" ", "x.example.com", "invalid name: cannot have empty name")]
    [InlineData("x", " ", "invalid URI: cannot have empty URI")]
    public async Task Add_rejects_blank_arguments(string name, string uri, string message)
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => Add(new AddRemoteOptions(name, uri)));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task Add_global_as_non_root_is_refused_and_creates_no_system_file()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => Add(new AddRemoteOptions("company-remote", "https://enterprise.example.com", Global: true)));

        Assert.Equal("Unable to modify global endpoint configuration file: not root user", error.Message);
        Assert.Equal(RemoteErrorCodes.NotRoot, error.Code);
        Assert.False(File.Exists(_machine.SystemFile));
    }

    [Fact]
    public async Task Add_global_as_root_extends_the_stock_system_file()
    {
        await Add(new AddRemoteOptions("company-remote", "https://enterprise.example.com", Global: true), isRoot: true);

        var system = RemoteConfigYaml.Parse(_machine.ReadSystem(), _machine.SystemFile);
        Assert.Equal("DefaultRemote", system.Active);
        Assert.True(system.Remotes["DefaultRemote"].System);
        Assert.Equal(("enterprise.example.com", true), (system.Remotes["company-remote"].Uri, system.Remotes["company-remote"].System));
        Assert.False(File.Exists(_machine.UserFile));
    }

    [Fact]
    public async Task Remove_deletes_the_remote_and_clears_active()
    {
        _machine.WriteUser("Active: mine\nRemotes:\n  mine:\n    URI: m.example.com\n    System: false\n    Exclusive: false\n  other:\n    URI: o.example.com\n    System: false\n    Exclusive: false\n");

        await new RemoveRemote(Context()).ExecuteAsync(new RemoveRemoteOptions("mine"));

        var user = User();
        Assert.Equal("", user.Active);
        Assert.Equal(["other"], user.Remotes.Keys);
        Assert.Equal(["INFO:    Remote \"mine\" removed."], _log.Lines);
    }

    [Fact]
    public async Task Remove_an_unknown_name_is_not_a_remote()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => new RemoveRemote(Context()).ExecuteAsync(new RemoveRemoteOptions("ghost")));

        Assert.Equal("ghost is not a remote", error.Message);
    }

    [Fact]
    public async Task Remove_a_system_remote_from_the_user_file_is_refused()
    {
        _machine.WriteSystem(CompanySystem);

        var error = await Assert.ThrowsAsync<RemoteException>(() => new RemoveRemote(Context()).ExecuteAsync(new RemoveRemoteOptions("company-remote")));

        Assert.Equal("company-remote is global and can't be removed", error.Message);
    }

    [Fact]
    public async Task Remove_a_live_system_copy_stored_in_the_user_file_is_refused()
    {
        _machine.WriteSystem(CompanySystem);
        _machine.WriteUser("Active: \"\"\nRemotes:\n  company-remote:\n    URI: enterprise.example.com\n    System: true\n    Exclusive: true\n");
        var before = _machine.ReadUser();

        var error = await Assert.ThrowsAsync<RemoteException>(() => new RemoveRemote(Context()).ExecuteAsync(new RemoveRemoteOptions("company-remote")));

        Assert.Equal("company-remote is global and can't be removed", error.Message);
        Assert.Equal(before, _machine.ReadUser());
    }

    [Fact]
    public async Task Fix_a_stale_system_copy_the_administrator_deleted_can_be_removed()
    {
        _machine.WriteUser("Active: old-corp\nRemotes:\n  old-corp:\n    URI: old.example.com\n    System: true\n    Exclusive: false\n");

        await new RemoveRemote(Context()).ExecuteAsync(new RemoveRemoteOptions("old-corp"));

        Assert.Empty(User().Remotes);
        Assert.Equal("", User().Active);
    }

    [Fact]
    public async Task A_stale_exclusive_copy_the_administrator_deleted_no_longer_blocks_use()
    {
        // The system file (the authority on exclusivity) no longer has old-corp; a copy Apptainer wrote earlier remains.
        _machine.WriteUser("Active: old-corp\nRemotes:\n  old-corp:\n    URI: old.example.com\n    System: true\n    Exclusive: true\n");

        await new UseRemote(Context()).ExecuteAsync(new UseRemoteOptions("DefaultRemote"));

        Assert.Equal("DefaultRemote", User().Active);
    }

    [Fact]
    public async Task Remove_global_as_root_edits_the_system_file()
    {
        _machine.WriteSystem(CompanySystem);

        await new RemoveRemote(Context(isRoot: true)).ExecuteAsync(new RemoveRemoteOptions("company-remote", Global: true));

        Assert.Equal(SampleYaml.StockSystem, _machine.ReadSystem());
    }

    [Fact]
    public async Task Use_sets_active_without_copying_system_remotes_into_the_user_file()
    {
        await Add(new AddRemoteOptions("myremote", "enterprise.example.com"));

        await new UseRemote(Context()).ExecuteAsync(new UseRemoteOptions("myremote"));

        var user = User();
        Assert.Equal("myremote", user.Active);
        Assert.Equal(["myremote"], user.Remotes.Keys);
        Assert.Contains("INFO:    Remote \"myremote\" now in use.", _log.Lines);
    }

    [Fact]
    public async Task Use_a_system_remote_stores_only_the_active_name()
    {
        await new UseRemote(Context()).ExecuteAsync(new UseRemoteOptions("DefaultRemote"));

        Assert.Equal("Active: DefaultRemote\nRemotes: {}\n", _machine.ReadUser());
    }

    [Fact]
    public async Task Use_an_unknown_name_is_not_a_remote_and_writes_nothing()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => new UseRemote(Context()).ExecuteAsync(new UseRemoteOptions("ghost")));

        Assert.Equal("ghost is not a remote", error.Message);
        Assert.False(File.Exists(_machine.UserFile));
    }

    [Fact]
    public async Task Use_is_refused_while_a_system_remote_is_exclusive()
    {
        _machine.WriteSystem(CompanySystem);
        await Add(new AddRemoteOptions("myremote", "https://enterprise.example.com"));
        var before = _machine.ReadUser();

        var error = await Assert.ThrowsAsync<RemoteException>(() => new UseRemote(Context()).ExecuteAsync(new UseRemoteOptions("myremote")));

        Assert.Equal("could not use myremote: remote company-remote has been set exclusive by the system administrator", error.Message);
        Assert.Equal(RemoteErrorCodes.RemoteExclusive, error.Code);
        Assert.Equal(before, _machine.ReadUser());
    }

    [Fact]
    public async Task Fix_a_user_remote_named_like_the_exclusive_one_does_not_bypass_it()
    {
        _machine.WriteSystem(CompanySystem);
        _machine.WriteUser("Active: company-remote\nRemotes:\n  company-remote:\n    URI: evil.example.com\n    System: false\n    Exclusive: false\n  myremote:\n    URI: m.example.com\n    System: false\n    Exclusive: false\n");

        var error = await Assert.ThrowsAsync<RemoteException>(() => new UseRemote(Context()).ExecuteAsync(new UseRemoteOptions("myremote")));
        var listing = await new ListRemotes(Context()).ExecuteAsync(new ListRemotesOptions());

        Assert.Equal("could not use myremote: remote company-remote has been set exclusive by the system administrator", error.Message);
        var company = listing.Remotes.Single(r => r.Name == "company-remote");
        Assert.Equal(("enterprise.example.com", true, true, true), (company.Uri, company.Active, company.Global, company.Exclusive));
    }

    [Fact]
    public async Task Use_the_exclusive_remote_itself_is_allowed()
    {
        _machine.WriteSystem(CompanySystem);

        await new UseRemote(Context()).ExecuteAsync(new UseRemoteOptions("company-remote"));

        Assert.Equal("company-remote", User().Active);
    }

    [Fact]
    public async Task Use_exclusive_as_non_root_is_refused()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => new UseRemote(Context()).ExecuteAsync(new UseRemoteOptions("DefaultRemote", Exclusive: true)));

        Assert.Equal("unable to set endpoint as exclusive: not root user", error.Message);
        Assert.False(File.Exists(_machine.SystemFile));
    }

    [Fact]
    public async Task Use_global_as_non_root_is_refused_first()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => new UseRemote(Context()).ExecuteAsync(new UseRemoteOptions("DefaultRemote", Global: true, Exclusive: true)));

        Assert.Equal("Unable to modify global endpoint configuration file: not root user", error.Message);
    }

    [Fact]
    public async Task Use_exclusive_as_root_marks_the_system_remote_and_clears_the_previous_default()
    {
        _machine.WriteSystem(CompanySystem.Replace("Active: DefaultRemote", "Active: company-remote", StringComparison.Ordinal));
        await Add(new AddRemoteOptions("other", "other.example.com", Global: true), isRoot: true);

        await new UseRemote(Context(isRoot: true)).ExecuteAsync(new UseRemoteOptions("other", Exclusive: true));

        var system = RemoteConfigYaml.Parse(_machine.ReadSystem(), _machine.SystemFile);
        Assert.Equal("other", system.Active);
        Assert.True(system.Remotes["other"].Exclusive);
        Assert.False(system.Remotes["company-remote"].Exclusive);
        Assert.False(File.Exists(_machine.UserFile));
    }

    [Fact]
    public async Task Use_exclusive_of_a_name_missing_from_the_system_file_is_not_a_remote()
    {
        await Add(new AddRemoteOptions("myremote", "m.example.com"));

        var error = await Assert.ThrowsAsync<RemoteException>(() => new UseRemote(Context(isRoot: true)).ExecuteAsync(new UseRemoteOptions("myremote", Exclusive: true)));

        Assert.Equal("myremote is not a remote", error.Message);
    }

    [Fact]
    public async Task List_on_a_fresh_machine_shows_the_stock_remote_and_keyserver_and_creates_only_an_empty_user_file()
    {
        var listing = await new ListRemotes(Context()).ExecuteAsync(new ListRemotesOptions());

        Assert.Equal([new RemoteEntry("DefaultRemote", "cloud.apptainer.org", Active: true, Global: true, Exclusive: false, Insecure: false)], listing.Remotes);
        Assert.Equal([new KeyserverEntry("https://keys.openpgp.org", Insecure: false, Order: 1, Own: true)], listing.Keyservers);
        Assert.Empty(listing.Logins);

        // Apptainer 1.2 creates its config folder and an empty remote.yaml on first use; never the system file.
        Assert.Equal("", File.ReadAllText(Path.Combine(_machine.ConfigDir, "remote.yaml")));
        Assert.False(File.Exists(_machine.SystemFile));
    }

    [Fact]
    public async Task List_without_a_default_remote_has_no_keyserver_section()
    {
        _machine.WriteSystem("Active: \"\"\nRemotes: {}\n");
        _machine.WriteUser("Active: \"\"\nRemotes:\n  cloud:\n    URI: cloud.sycloud.io\n    System: false\n    Exclusive: false\n");

        var listing = await new ListRemotes(Context()).ExecuteAsync(new ListRemotesOptions());

        Assert.Null(listing.Keyservers);
        Assert.False(Assert.Single(listing.Remotes).Active);
    }

    [Fact]
    public async Task List_hides_the_keyserver_section_when_discovery_fails()
    {
        _machine.WriteUser("Active: offline\nRemotes:\n  offline:\n    URI: offline.example.com\n    System: false\n    Exclusive: false\n");

        var listing = await new ListRemotes(Context()).ExecuteAsync(new ListRemotesOptions());

        Assert.Null(listing.Keyservers);
    }

    [Fact]
    public async Task List_discovers_the_default_remotes_keyserver_once_and_caches_it()
    {
        _machine.WriteUser("Active: myremote\nRemotes:\n  myremote:\n    URI: enterprise.example.com\n    System: false\n    Exclusive: false\n");
        var http = new FakeHttpHandler().Discovery("enterprise.example.com", "https://keys.example.com");

        var first = await new ListRemotes(_machine.Context(http: http)).ExecuteAsync(new ListRemotesOptions());
        var second = await new ListRemotes(_machine.Context(http: http)).ExecuteAsync(new ListRemotesOptions());

        Assert.Equal([new KeyserverEntry("https://keys.example.com", false, 1, true)], first.Keyservers);
        Assert.Equal(first.Keyservers, second.Keyservers);
        Assert.Equal(["GET https://enterprise.example.com/assets/config/config.prod.json"], http.Requests);
        Assert.True(File.Exists(Path.Combine(_machine.ConfigDir, "remote-cache", "https-enterprise-example-com-assets-config-config-prod-json.json")));
    }

    [Fact]
    public async Task List_numbers_only_visible_keyservers_and_marks_the_own_one()
    {
        _machine.WriteSystem(SampleYaml.StockSystem + """
                Keyservers:
                - URI: https://keys.openpgp.org
                  Skip: true
                  External: false
                  Insecure: false
                - URI: https://pgp.example.com
                  Skip: false
                  External: true
                  Insecure: false
                - URI: http://keys.internal:11371
                  Skip: false
                  External: true
                  Insecure: true

            """);

        var listing = await new ListRemotes(Context()).ExecuteAsync(new ListRemotesOptions());

        Assert.Equal(
            [new KeyserverEntry("https://pgp.example.com", false, 1, false), new KeyserverEntry("http://keys.internal:11371", true, 2, false)],
            listing.Keyservers);
    }

    private RemoteContext Context(bool isRoot = false) => _machine.Context(isRoot, log: _log);

    private Task<AddRemoteResult> Add(AddRemoteOptions options, bool isRoot = false) => new AddRemote(Context(isRoot)).ExecuteAsync(options);

    private RemoteConfig User() => RemoteConfigYaml.Parse(_machine.ReadUser(), _machine.UserFile);
}

using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Keyservers;
using DotnetRemote.Core.Manifests;
using DotnetRemote.Core.Remotes;

namespace DotnetRemote.Core.Tests.Manifests;

/// <summary><c>apply --system</c> on the engine: the plan, <c>--check</c> (a dry run), <c>--prune</c>, and what is refused.</summary>
public sealed class SystemManifestTests : IDisposable
{
    private const UnixFileMode Public = (UnixFileMode)0b110_100_100;

    /// <summary>A site's fleet manifest: its own exclusive remote, the stock remote's keyserver hidden behind the site's.</summary>
    private const string FleetManifest = """
        remotes:
          DefaultRemote:
            uri: cloud.apptainer.org
            keyservers:
              - uri: https://keys.openpgp.org
                skip: true
              - uri: https://pgp.site.example
          site:
            uri: https://library.site.example
            exclusive: true

        """;

    /// <summary>The system file <see cref="FleetManifest"/> makes, in Apptainer 1.2.5's layout.</summary>
    internal const string FleetSystemFile = """
        Active: site
        Remotes:
          DefaultRemote:
            URI: cloud.apptainer.org
            System: true
            Exclusive: false
            Keyservers:
            - URI: https://keys.openpgp.org
              Skip: true
              External: false
              Insecure: false
            - URI: https://pgp.site.example
              Skip: false
              External: true
              Insecure: false
          site:
            URI: library.site.example
            System: true
            Exclusive: true

        """;

    private readonly TestMachine _machine = new();
    private readonly FakeHttpHandler _web = new();
    private readonly RecordingLog _log = new();

    public void Dispose() => _machine.Dispose();

    private string ManifestPath => Path.Combine(_machine.Root, "fleet.yaml");

    private Task<ApplyManifestResult> ApplyAsync(string yaml, bool root = true, bool dryRun = false, bool prune = false, bool noVerify = false)
    {
        File.WriteAllText(ManifestPath, yaml);
        var manifest = ManifestReader.Load(ManifestPath, _ => null);
        var options = new ApplyManifestOptions(manifest, dryRun, noVerify, SystemScope: true, Prune: prune);
        return new ApplyManifest(_machine.Context(isRoot: root, http: _web, log: _log)).ExecuteAsync(options);
    }

    private byte[]? SystemBytes() => File.Exists(_machine.SystemFile) ? File.ReadAllBytes(_machine.SystemFile) : null;

    private RemoteConfig System() => RemoteConfigYaml.Parse(_machine.ReadSystem(), _machine.SystemFile);

    private static string[] Changed(ApplyManifestResult result) =>
        [.. result.Changes.Where(c => c.Action != "unchanged").Select(c => $"{c.Kind} {c.Target}: {c.Action} {c.Detail}")];

    [Fact]
    public async Task Apply_writes_the_system_file_in_Apptainers_layout_0644_and_the_strict_reader_accepts_it()
    {
        var result = await ApplyAsync(FleetManifest);

        Assert.True(result.Applied);
        Assert.Equal(
            [
                "keyservers DefaultRemote: update https://pgp.site.example (hidden: https://keys.openpgp.org)",
                "remote site: add library.site.example",
                "exclusive site: update true",
                "active site: update site",
            ],
            Changed(result));
        Assert.Equal(FleetSystemFile, _machine.ReadSystem());
        Assert.Equal(Public, File.GetUnixFileMode(_machine.SystemFile));
        Assert.Equal(FleetSystemFile, RemoteConfigYaml.Write(System()));
        Assert.DoesNotContain(Directory.GetFiles(_machine.SystemDir), f => f.EndsWith(".tmp", StringComparison.Ordinal));
        Assert.False(File.Exists(_machine.UserFile));
    }

    [Fact]
    public async Task The_file_is_byte_identical_to_what_the_single_root_commands_make_and_check_finds_nothing_to_change()
    {
        var root = _machine.Context(isRoot: true, http: _web, log: _log);
        await new AddKeyserver(root).ExecuteAsync(new AddKeyserverOptions("https://pgp.site.example"));
        await new RemoveKeyserver(root).ExecuteAsync(new RemoveKeyserverOptions("https://keys.openpgp.org"));
        await new AddRemote(root).ExecuteAsync(new AddRemoteOptions("site", "https://library.site.example", Global: true));
        await new UseRemote(root).ExecuteAsync(new UseRemoteOptions("site", Exclusive: true));
        var byCommands = SystemBytes();

        var check = await ApplyAsync(FleetManifest, dryRun: true);
        var apply = await ApplyAsync(FleetManifest);

        Assert.Equal(FleetSystemFile, _machine.ReadSystem());
        Assert.False(check.ChangesAnything);
        Assert.False(apply.Applied);
        Assert.Equal(byCommands, SystemBytes());
    }

    [Fact]
    public async Task A_second_apply_changes_nothing_and_does_not_rewrite_the_file()
    {
        await ApplyAsync(FleetManifest);
        var before = SystemBytes();
        var written = File.GetLastWriteTimeUtc(_machine.SystemFile);
        File.SetLastWriteTimeUtc(_machine.SystemFile, written.AddMinutes(-5));

        var second = await ApplyAsync(FleetManifest);
        var check = await ApplyAsync(FleetManifest, dryRun: true);

        Assert.False(second.Applied);
        Assert.False(second.ChangesAnything);
        Assert.All(second.Changes, c => Assert.Equal("unchanged", c.Action));
        Assert.False(check.ChangesAnything);
        Assert.Equal(before, SystemBytes());
        Assert.Equal(written.AddMinutes(-5), File.GetLastWriteTimeUtc(_machine.SystemFile));
    }

    [Fact]
    public async Task A_file_in_another_YAML_layout_that_means_the_same_is_left_alone()
    {
        var otherLayout = FleetSystemFile.Replace("\n  ", "\n    ", StringComparison.Ordinal);
        _machine.WriteSystem(otherLayout);
        Assert.Equal(FleetSystemFile, RemoteConfigYaml.Write(System()));

        var result = await ApplyAsync(FleetManifest);

        Assert.False(result.ChangesAnything);
        Assert.Equal(otherLayout, _machine.ReadSystem());
    }

    [Fact]
    public async Task Check_reports_the_plan_and_writes_nothing()
    {
        var check = await ApplyAsync(FleetManifest, dryRun: true);

        Assert.True(check.ChangesAnything);
        Assert.False(check.Applied);
        Assert.Equal(4, Changed(check).Length);
        Assert.False(File.Exists(_machine.SystemFile));
        Assert.False(Directory.Exists(_machine.SystemDir));
    }

    [Fact]
    public async Task Check_after_a_hand_edit_reports_the_drift()
    {
        await ApplyAsync(FleetManifest);
        _machine.WriteSystem(_machine.ReadSystem().Replace("URI: library.site.example", "URI: library.elsewhere.example", StringComparison.Ordinal));

        var check = await ApplyAsync(FleetManifest, dryRun: true);

        Assert.Equal(["remote site: update library.site.example"], Changed(check));
    }

    [Fact]
    public async Task A_regular_user_is_refused_with_the_not_root_message_and_nothing_is_written()
    {
        _machine.WriteSystem(SampleYaml.StockSystem);

        var error = await Assert.ThrowsAsync<RemoteException>(() => ApplyAsync(FleetManifest, root: false));

        Assert.Equal(RemoteErrorCodes.NotRoot, error.Code);
        Assert.Equal("Unable to modify global endpoint configuration file: not root user", error.Message);
        Assert.Equal(SampleYaml.StockSystem, _machine.ReadSystem());
        Assert.Equal([_machine.SystemFile], Directory.GetFiles(_machine.SystemDir));
    }

    [Fact]
    public async Task A_regular_user_may_check_the_world_readable_file()
    {
        _machine.WriteSystem(SampleYaml.StockSystem);

        var check = await ApplyAsync(FleetManifest, root: false, dryRun: true);

        Assert.True(check.ChangesAnything);
        Assert.Equal(SampleYaml.StockSystem, _machine.ReadSystem());
    }

    [Fact]
    public async Task A_token_is_refused_naming_the_remote_and_its_line_without_the_secret()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => ApplyAsync("""
            remotes:
              site:
                uri: https://library.site.example
                token: a-secret-site-token
                use: true

            """));

        Assert.Equal(RemoteErrorCodes.ManifestInvalid, error.Code);
        Assert.StartsWith($"{ManifestPath}:3: remote site has a token", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("a-secret-site-token", error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(_machine.SystemFile));
        Assert.Empty(_web.Requests);
    }

    [Fact]
    public async Task A_login_is_refused_naming_it_and_its_line()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => ApplyAsync("""
            remotes:
              DefaultRemote:
                uri: cloud.apptainer.org
            logins:
              - uri: docker://registry.site.example
                username: ci
                password: a-secret-password

            """));

        Assert.Equal(RemoteErrorCodes.ManifestInvalid, error.Code);
        Assert.StartsWith($"{ManifestPath}:5: login docker://registry.site.example: logins are per user", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("a-secret-password", error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(_machine.SystemFile));
    }

    [Fact]
    public async Task Two_exclusive_remotes_in_the_manifest_are_refused()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => ApplyAsync("""
            remotes:
              one:
                uri: one.example.com
                exclusive: true
              two:
                uri: two.example.com
                exclusive: true

            """));

        Assert.Equal($"{ManifestPath}:6: remotes one and two are both exclusive; at most one remote can be exclusive", error.Message);
        Assert.False(File.Exists(_machine.SystemFile));
    }

    [Fact]
    public async Task An_exclusive_remote_left_in_the_file_makes_a_second_one_refused_and_the_file_stays()
    {
        await ApplyAsync(FleetManifest);
        var before = SystemBytes();

        var error = await Assert.ThrowsAsync<RemoteException>(() => ApplyAsync("remotes:\n  other:\n    uri: other.example.com\n    exclusive: true\n"));

        Assert.Equal(RemoteErrorCodes.ManifestInvalid, error.Code);
        Assert.Equal($"{ManifestPath}: the system file would have 2 exclusive remotes (other, site); at most one remote can be exclusive", error.Message);
        Assert.Equal(before, SystemBytes());
    }

    [Fact]
    public async Task Use_on_another_remote_than_the_exclusive_one_is_refused()
    {
        await ApplyAsync(FleetManifest);
        var before = SystemBytes();

        var error = await Assert.ThrowsAsync<RemoteException>(() => ApplyAsync("remotes:\n  other:\n    uri: other.example.com\n    use: true\n"));

        Assert.Equal($"{ManifestPath}: remote site is exclusive but other would be the active remote; declare site without exclusive, or remove it", error.Message);
        Assert.Equal(before, SystemBytes());
    }

    [Fact]
    public async Task Removing_the_only_remote_leaves_no_active_remote_and_is_refused()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => ApplyAsync("remotes:\n  DefaultRemote:\n    remove: true\n"));

        Assert.Equal($"{ManifestPath}: the system file would have no active remote: declare one remote with use: true (or exclusive: true)", error.Message);
        Assert.False(File.Exists(_machine.SystemFile));
    }

    [Fact]
    public async Task Pruning_the_active_remote_without_a_new_one_is_refused()
    {
        await ApplyAsync("remotes:\n  site:\n    uri: library.site.example\n    use: true\n");
        var before = SystemBytes();

        var error = await Assert.ThrowsAsync<RemoteException>(() => ApplyAsync("remotes:\n  lab:\n    uri: library.lab.example\n", prune: true));

        Assert.Contains("would have no active remote", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, SystemBytes());
    }

    [Fact]
    public async Task Without_prune_undeclared_remotes_stay()
    {
        await ApplyAsync("remotes:\n  site:\n    uri: library.site.example\n    use: true\n");

        var result = await ApplyAsync("remotes:\n  lab:\n    uri: library.lab.example\n");

        Assert.Equal(["remote lab: add library.lab.example"], Changed(result));
        Assert.Equal(["DefaultRemote", "lab", "site"], System().Remotes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("site", System().Active);
    }

    [Fact]
    public async Task Prune_removes_undeclared_remotes_but_keeps_DefaultRemote_and_says_so()
    {
        await ApplyAsync("remotes:\n  site:\n    uri: library.site.example\n  old:\n    uri: library.old.example\n    use: true\n");

        var result = await ApplyAsync("remotes:\n  site:\n    uri: library.site.example\n    use: true\n", prune: true);

        Assert.Equal(["active site: update site", "remote old: remove library.old.example"], Changed(result));
        Assert.Equal(["DefaultRemote", "site"], System().Remotes.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("INFO:    DefaultRemote is kept: the built-in remote is removed only when the manifest declares it with remove: true", _log.Lines);
    }

    [Fact]
    public async Task DefaultRemote_goes_only_when_declared_with_remove_true()
    {
        var result = await ApplyAsync("remotes:\n  DefaultRemote:\n    remove: true\n  site:\n    uri: library.site.example\n    use: true\n", prune: true);

        Assert.Equal(["remote DefaultRemote: remove cloud.apptainer.org", "remote site: add library.site.example", "active site: update site"], Changed(result));
        Assert.Equal("Active: site\nRemotes:\n  site:\n    URI: library.site.example\n    System: true\n    Exclusive: false\n", _machine.ReadSystem());

        var again = await ApplyAsync("remotes:\n  DefaultRemote:\n    remove: true\n  site:\n    uri: library.site.example\n    use: true\n", prune: true);

        Assert.False(again.ChangesAnything);
        Assert.Contains(new ManifestChange("remote", "DefaultRemote", "unchanged", "absent"), again.Changes);
    }

    [Fact]
    public async Task Remove_true_works_without_prune_too()
    {
        await ApplyAsync("remotes:\n  site:\n    uri: library.site.example\n    use: true\n  lab:\n    uri: library.lab.example\n");

        var result = await ApplyAsync("remotes:\n  lab:\n    remove: true\n");

        Assert.Equal(["remote lab: remove library.lab.example"], Changed(result));
        Assert.False(System().Remotes.ContainsKey("lab"));
    }

    [Fact]
    public async Task Keyserver_orders_are_visible_positions_and_the_discovered_own_keyserver_is_not_External()
    {
        _web.Discovery("enterprise.example.com", "https://keys.enterprise.example.com");

        await ApplyAsync("""
            remotes:
              company:
                uri: https://enterprise.example.com
                use: true
                keyservers:
                  - uri: https://keys.enterprise.example.com
                  - uri: http://keys.internal:11371
                    insecure: true
                    order: 1
                  - uri: https://pgp.example.com

            """);

        Assert.Equal(
            [
                new KeyserverConfig { Uri = "http://keys.internal:11371", External = true, Insecure = true },
                new KeyserverConfig { Uri = "https://keys.enterprise.example.com", External = false },
                new KeyserverConfig { Uri = "https://pgp.example.com", External = true },
            ],
            System().Remotes["company"].Keyservers);
    }

    [Fact]
    public async Task No_verify_asks_no_server_for_the_own_keyserver()
    {
        _web.Discovery("enterprise.example.com", "https://keys.enterprise.example.com");

        await ApplyAsync("remotes:\n  company:\n    uri: enterprise.example.com\n    use: true\n    keyservers:\n      - uri: https://pgp.example.com\n", noVerify: true);

        Assert.Empty(_web.Requests);
        Assert.Equal([new KeyserverConfig { Uri = "https://pgp.example.com", External = true }], System().Remotes["company"].Keyservers);
    }

    [Fact]
    public async Task An_unreachable_endpoint_names_the_remote_when_its_own_keyserver_is_needed()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => ApplyAsync("remotes:\n  company:\n    uri: unreachable.example.com\n    use: true\n    keyservers:\n      - uri: https://pgp.example.com\n"));

        Assert.StartsWith($"{ManifestPath}:3: remote company: finding its own keyserver: ", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_machine.SystemFile));
    }

    [Fact]
    public async Task A_hidden_keyserver_stored_elsewhere_in_the_list_means_the_same_list()
    {
        _machine.WriteSystem(SampleYaml.StockSystem + """
                Keyservers:
                - URI: https://pgp.site.example
                  Skip: false
                  External: true
                  Insecure: false
                - URI: https://keys.openpgp.org
                  Skip: true
                  External: false
                  Insecure: false

            """);
        var before = SystemBytes();

        var check = await ApplyAsync(FleetManifest.Replace("    exclusive: true\n", "", StringComparison.Ordinal), dryRun: true);

        Assert.Equal(["remote site: add library.site.example"], Changed(check));
        Assert.Equal(before, SystemBytes());
    }

    [Fact]
    public async Task Every_keyserver_hidden_is_refused()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => ApplyAsync("remotes:\n  DefaultRemote:\n    uri: cloud.apptainer.org\n    keyservers:\n      - uri: https://keys.openpgp.org\n        skip: true\n"));

        Assert.Equal($"{ManifestPath}:3: remote DefaultRemote: every keyserver is hidden; one must stay visible (the primary keyserver)", error.Message);
    }

    [Fact]
    public async Task The_same_keyserver_twice_is_refused_with_hkp_rules()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => ApplyAsync("remotes:\n  DefaultRemote:\n    uri: cloud.apptainer.org\n    keyservers:\n      - uri: hkp://keys.internal\n      - uri: http://keys.internal:11371\n"));

        Assert.StartsWith($"{ManifestPath}:5: remote DefaultRemote: keyserver hkp://keys.internal is declared twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_remote_name_that_looks_like_YAML_cannot_inject_keys_into_the_system_file()
    {
        await ApplyAsync("remotes:\n  \"evil: x\\nActive: evil # \":\n    uri: evil.example.com\n    use: true\n");

        var system = System();
        Assert.Equal(["DefaultRemote", "evil: x\nActive: evil # "], system.Remotes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("evil: x\nActive: evil # ", system.Active);
        Assert.True(system.Remotes["evil: x\nActive: evil # "].System);
        Assert.Equal(RemoteConfigYaml.Write(system), _machine.ReadSystem());
    }

    [Fact]
    public async Task A_system_file_that_does_not_parse_is_reported_and_never_overwritten()
    {
        _machine.WriteSystem("Active: DefaultRemote\nRemotes:\n  DefaultRemote:\n    URI: cloud.apptainer.org\n    Colour: blue\n");
        var before = SystemBytes();

        var error = await Assert.ThrowsAsync<ConfigFileException>(() => ApplyAsync(FleetManifest));

        Assert.Equal(_machine.SystemFile, error.FilePath);
        Assert.Equal(before, SystemBytes());
    }

    [Theory]
    [InlineData("remotes:\n  lab:\n    uri: lab.example.com\n    remove: true\n", 3, "remote lab has remove: true and nothing else may be declared for it")]
    [InlineData("remotes:\n  lab:\n    uri: lab.example.com\n    keyservers:\n      - uri: https://k.example.com\n        skip: true\n        order: 1\n", 5, "a hidden keyserver (skip: true) has no order")]
    public void The_reader_refuses_contradictory_declarations_with_their_line(string yaml, int line, string detail)
    {
        File.WriteAllText(ManifestPath, yaml);

        var error = Assert.Throws<ConfigFileException>(() => ManifestReader.Load(ManifestPath, _ => null));

        Assert.Equal($"{ManifestPath}:{line}: {detail}", error.Message);
    }

    [Fact]
    public void The_reader_reads_exclusive_remove_and_skip()
    {
        File.WriteAllText(ManifestPath, FleetManifest + "  old:\n    remove: true\n");

        var manifest = ManifestReader.Load(ManifestPath, _ => null);

        Assert.Equal([false, true, false], manifest.Remotes.Select(r => r.Exclusive));
        Assert.Equal([false, false, true], manifest.Remotes.Select(r => r.Remove));
        Assert.Equal([true, false], manifest.Remotes[0].Keyservers.Select(k => k.Skip));
    }
}

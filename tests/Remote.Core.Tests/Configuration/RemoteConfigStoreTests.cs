using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Tests.Configuration;

public sealed class RemoteConfigStoreTests : IDisposable
{
    private readonly TestMachine _machine = new();

    public void Dispose() => _machine.Dispose();

    [Fact]
    public async Task A_user_file_is_created_0600_in_a_0700_directory()
    {
        var store = new RemoteConfigStore(_machine.Context());

        await store.UpdateUserAsync(merged: false, config => config.Active = "x");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_machine.ConfigDir));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_machine.UserFile));
        Assert.Equal("Active: x\nRemotes: {}\n", _machine.ReadUser());
    }

    [Fact]
    public async Task A_rewritten_user_file_is_0600_even_if_it_was_world_readable()
    {
        _machine.WriteUser("Active: a\n");
        File.SetUnixFileMode(_machine.UserFile, (UnixFileMode)0b110_100_100);

        await new RemoteConfigStore(_machine.Context()).UpdateUserAsync(merged: false, config => config.Active = "b");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_machine.UserFile));
    }

    [Fact]
    public void Reading_the_default_user_file_makes_it_private_and_says_so_as_apptainer_does()
    {
        _machine.WriteUser("Active: a\n");
        File.SetUnixFileMode(_machine.ConfigDir, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(_machine.UserFile, (UnixFileMode)0b110_100_100);
        var log = new RecordingLog();

        new RemoteConfigStore(_machine.Context(log: log)).LoadUser();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_machine.ConfigDir));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_machine.UserFile));
        Assert.Contains($"WARNING: File mode (644) on {_machine.UserFile} needs to be 600, fixing that...", log.Lines);
    }

    [Fact]
    public void A_config_file_given_with_config_keeps_its_mode()
    {
        var other = Path.Combine(_machine.Root, "shared.yaml");
        File.WriteAllText(other, "Active: a\n");
        File.SetUnixFileMode(other, (UnixFileMode)0b110_100_100);

        new RemoteConfigStore(_machine.Context(configFile: other)).LoadUser();

        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(other));
    }

    [Fact]
    public async Task The_system_file_is_written_0644()
    {
        var store = new RemoteConfigStore(_machine.Context(isRoot: true));

        await store.UpdateSystemAsync(config => config.Remotes["corp"] = new EndpointConfig { Uri = "corp.example.com", System = true });

        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(_machine.SystemFile));
        var written = RemoteConfigYaml.Parse(_machine.ReadSystem(), _machine.SystemFile);
        Assert.Equal(["DefaultRemote", "corp"], written.Remotes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("DefaultRemote", written.Active);
    }

    [Fact]
    public void A_missing_user_file_loads_as_empty_and_is_not_created()
    {
        var config = new RemoteConfigStore(_machine.Context()).LoadUser();

        Assert.Empty(config.Remotes);
        Assert.False(File.Exists(_machine.UserFile));
        Assert.False(Directory.Exists(_machine.ConfigDir));
    }

    [Fact]
    public void A_missing_system_file_loads_as_the_stock_default()
    {
        var config = new RemoteConfigStore(_machine.Context()).LoadSystem();

        Assert.Equal(SampleYaml.StockSystem, RemoteConfigYaml.Write(config));
    }

    [Fact]
    public async Task A_broken_user_file_is_reported_with_path_and_line_and_left_byte_for_byte_untouched()
    {
        const string broken = "Active: a\nRemotes:\n  a:\n    URI: a.example.com\n    Colour: red\n";
        _machine.WriteUser(broken);
        var before = File.ReadAllBytes(_machine.UserFile);
        var store = new RemoteConfigStore(_machine.Context());

        var error = await Assert.ThrowsAsync<ConfigFileException>(() => store.UpdateUserAsync(merged: false, config => config.Active = "b"));

        Assert.Equal(_machine.UserFile, error.FilePath);
        Assert.Equal(5, error.Line);
        Assert.Equal(before, File.ReadAllBytes(_machine.UserFile));
        Assert.Empty(TempFiles(_machine.ConfigDir));
    }

    [Fact]
    public async Task A_broken_system_file_fails_user_commands_that_merge_without_touching_either_file()
    {
        _machine.WriteUser("Active: \"\"\nRemotes: {}\n");
        _machine.WriteSystem("Active: DefaultRemote\nRemotes: [\n");
        var userBefore = File.ReadAllBytes(_machine.UserFile);
        var systemBefore = File.ReadAllBytes(_machine.SystemFile);
        var store = new RemoteConfigStore(_machine.Context());

        var error = await Assert.ThrowsAsync<ConfigFileException>(() => store.UpdateUserAsync(merged: true, config => config.Active = "x"));

        Assert.Equal(_machine.SystemFile, error.FilePath);
        Assert.NotNull(error.Line);
        Assert.Equal(userBefore, File.ReadAllBytes(_machine.UserFile));
        Assert.Equal(systemBefore, File.ReadAllBytes(_machine.SystemFile));
    }

    [Fact]
    public async Task A_broken_system_file_is_not_overwritten_by_a_root_edit()
    {
        _machine.WriteSystem("Active: DefaultRemote\nBogus: 1\n");
        var before = File.ReadAllBytes(_machine.SystemFile);

        var error = await Assert.ThrowsAsync<ConfigFileException>(
            () => new RemoteConfigStore(_machine.Context(isRoot: true)).UpdateSystemAsync(config => config.Active = "x"));

        Assert.Equal((_machine.SystemFile, 2), (error.FilePath, error.Line));
        Assert.Equal(before, File.ReadAllBytes(_machine.SystemFile));
    }

    [Fact]
    public async Task A_change_that_fails_halfway_writes_nothing()
    {
        _machine.WriteUser(SampleYaml.V125Example);
        var store = new RemoteConfigStore(_machine.Context());

        Func<RemoteConfig, int> failingChange = config =>
        {
            config.Remotes.Clear();
            config.Active = "";
            throw new RemoteException("refused");
        };

        await Assert.ThrowsAsync<RemoteException>(() => store.UpdateUserAsync(merged: false, failingChange));

        Assert.Equal(SampleYaml.V125Example, _machine.ReadUser());
        Assert.Empty(TempFiles(_machine.ConfigDir));
    }

    [Fact]
    public async Task A_successful_write_leaves_no_temporary_file_behind()
    {
        var store = new RemoteConfigStore(_machine.Context());

        for (var i = 0; i < 3; i++)
        {
            await store.UpdateUserAsync(merged: false, config => config.Remotes[$"r{i}"] = new EndpointConfig { Uri = $"h{i}.example.com" });
        }

        Assert.Empty(TempFiles(_machine.ConfigDir));
        Assert.Equal(3, store.LoadUser().Remotes.Count);
    }

    [Fact]
    public async Task A_symlinked_config_is_updated_at_its_target_and_stays_a_link()
    {
        var realDir = Path.Combine(_machine.Root, "dotfiles");
        Directory.CreateDirectory(realDir);
        var target = Path.Combine(realDir, "remote.yaml");
        File.WriteAllText(target, "Active: \"\"\nRemotes: {}\n");
        Directory.CreateDirectory(_machine.ConfigDir);
        File.CreateSymbolicLink(_machine.UserFile, target);

        await new RemoteConfigStore(_machine.Context()).UpdateUserAsync(merged: false, config => config.Active = "linked");

        Assert.NotNull(new FileInfo(_machine.UserFile).LinkTarget);
        Assert.Equal("Active: linked\nRemotes: {}\n", File.ReadAllText(target));
    }

    [Fact]
    public async Task A_merged_update_stores_only_what_the_user_changed()
    {
        var store = new RemoteConfigStore(_machine.Context());

        await store.UpdateUserAsync(merged: true, config =>
        {
            Assert.Contains("DefaultRemote", config.Remotes.Keys);
            config.Remotes["mine"] = new EndpointConfig { Uri = "mine.example.com" };
            config.Active = "mine";
            return 0;
        });

        Assert.Equal("Active: mine\nRemotes:\n  mine:\n    URI: mine.example.com\n    System: false\n    Exclusive: false\n", _machine.ReadUser());
    }

    [Fact]
    public async Task A_config_override_file_is_the_one_written()
    {
        var custom = Path.Combine(_machine.Root, "custom", "my.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(custom)!);

        await new RemoteConfigStore(_machine.Context(configFile: custom)).UpdateUserAsync(merged: false, config => config.Active = "c");

        Assert.Equal("Active: c\nRemotes: {}\n", File.ReadAllText(custom));
        Assert.False(File.Exists(_machine.UserFile));
    }

    [Fact]
    public async Task A_config_override_in_a_missing_folder_is_an_error_and_creates_nothing()
    {
        var folder = Path.Combine(_machine.Root, "missing");
        var custom = Path.Combine(folder, "my.yaml");
        var store = new RemoteConfigStore(_machine.Context(configFile: custom));

        var update = await Assert.ThrowsAsync<RemoteException>(() => store.UpdateUserAsync(merged: false, config => config.Active = "c"));
        var ensure = Assert.Throws<RemoteException>(store.EnsureUserFile);

        Assert.Equal($"while opening remote config file: open {custom}: no such file or directory", update.Message);
        Assert.Equal(update.Message, ensure.Message);
        Assert.False(Directory.Exists(folder));
        Assert.False(File.Exists(_machine.UserFile));
    }

    [Fact]
    public async Task Parallel_updates_in_one_process_lose_nothing()
    {
        var updates = Enumerable.Range(0, 24).Select(i => Task.Run(() =>
            new RemoteConfigStore(_machine.Context()).UpdateUserAsync(merged: false, config =>
            {
                config.Remotes[$"r{i}"] = new EndpointConfig { Uri = $"h{i}.example.com" };
                return i;
            })));

        await Task.WhenAll(updates);

        var config = new RemoteConfigStore(_machine.Context()).LoadUser();
        Assert.Equal(Enumerable.Range(0, 24).Select(i => $"r{i}").Order(StringComparer.Ordinal), config.Remotes.Keys.Order(StringComparer.Ordinal));
    }

    private static string[] TempFiles(string directory) =>
        Directory.GetFiles(directory).Where(f => f.EndsWith(".tmp", StringComparison.Ordinal)).ToArray();
}

using System.Collections.Concurrent;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Logins;

namespace DotnetRemote.Core.Tests.Configuration;

/// <summary>
/// The unit of work: one command (one <see cref="RemoteContext"/>) reads each remote.yaml once, merges once and prints
/// the merge's notes once, and still never writes over a change another process made in between.
/// </summary>
public sealed class ConfigSnapshotTests : IDisposable
{
    private const string Shadowed = "INFO:    mine defined both globally and individually, using individual";
    private readonly TestMachine _machine = new();
    private readonly DebugLog _log = new();

    public ConfigSnapshotTests()
    {
        _machine.WriteUser("Active: mine\nRemotes:\n  mine:\n    URI: cloud.example.com\n");
        _machine.WriteSystem("Active: mine\nRemotes:\n  mine:\n    URI: other.example.com\n");
    }

    public void Dispose() => _machine.Dispose();

    private RemoteContext Context() =>
        _machine.Context(http: FakeHttpHandler.BasicAuth("alice", "right"), log: _log);

    /// <summary>What <c>dotnet remote login -u alice docker://127.0.0.1:5000</c> runs: the target, then the login.</summary>
    private static async Task LoginAsync(RemoteContext context)
    {
        Assert.Equal(LoginKind.Registry, LoginTarget.Classify(context, "docker://127.0.0.1:5000").Kind);
        await new LoginRegistry(context).ExecuteAsync(new LoginRegistryOptions("docker://127.0.0.1:5000", "alice", "right"));
    }

    private static void Age(params string[] paths)
    {
        foreach (var path in paths)
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-1));
        }
    }

    private int Reads(string path) => _log.Debugs.Count(line => line.StartsWith($"read {path} (", StringComparison.Ordinal));

    private int Comparisons(string path) => _log.Debugs.Count(line => line == $"comparing {path} with the copy read before");

    [Fact]
    public async Task A_login_reads_each_remote_yaml_once_and_prints_the_merge_note_once()
    {
        Age(_machine.UserFile, _machine.SystemFile);
        using var context = Context();

        await LoginAsync(context);

        Assert.Equal(1, Reads(_machine.UserFile));
        Assert.Equal(1, Reads(_machine.SystemFile));
        Assert.Equal(0, Comparisons(_machine.UserFile));
        Assert.Equal(0, Comparisons(_machine.SystemFile));
        Assert.Single(_log.Lines, Shadowed);
        Assert.Contains("docker://127.0.0.1:5000", _machine.ReadUser(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_written_just_before_are_compared_by_content_instead_of_parsed_again()
    {
        using var context = Context();

        await LoginAsync(context);

        Assert.Equal(1, Reads(_machine.UserFile));
        Assert.Equal(1, Reads(_machine.SystemFile));
        Assert.True(Comparisons(_machine.UserFile) >= 1);
        Assert.Single(_log.Lines, Shadowed);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_change_another_process_makes_between_the_steps_is_read_again_and_kept(bool aged)
    {
        if (aged)
        {
            Age(_machine.UserFile, _machine.SystemFile);
        }

        using var context = Context();
        Assert.Equal(LoginKind.Registry, LoginTarget.Classify(context, "docker://127.0.0.1:5000").Kind);

        // Another process adds a remote after the command read the file: in place, as Apptainer writes.
        File.AppendAllText(_machine.UserFile, "  theirs:\n    URI: theirs.example.com\n");
        await new LoginRegistry(context).ExecuteAsync(new LoginRegistryOptions("docker://127.0.0.1:5000", "alice", "right"));

        var user = new RemoteConfigStore(_machine.Context()).LoadUser();
        Assert.Equal(["mine", "theirs"], user.Remotes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("docker://127.0.0.1:5000", Assert.Single(user.Credentials).Uri);
        Assert.Equal(2, Reads(_machine.UserFile));
        Assert.Single(_log.Lines, Shadowed);
    }

    [Fact]
    public async Task A_same_size_rewrite_right_after_the_read_is_not_missed()
    {
        using var context = Context();
        Assert.Equal("cloud.example.com", new RemoteConfigStore(context).LoadMerged().Remotes["mine"].Uri);

        // Same length, same second: only the content tells.
        File.WriteAllText(_machine.UserFile, "Active: mine\nRemotes:\n  mine:\n    URI: cloud.example.org\n");
        await new RemoteConfigStore(context).UpdateUserAsync(merged: true, config => config.Remotes["mine"].Token = "t");

        Assert.Contains("cloud.example.org", _machine.ReadUser(), StringComparison.Ordinal);
        Assert.Equal("cloud.example.org", new RemoteConfigStore(context).LoadMerged().Remotes["mine"].Uri);
    }

    [Fact]
    public void Copies_handed_out_do_not_change_the_snapshot()
    {
        using var context = Context();
        var store = new RemoteConfigStore(context);

        store.LoadMerged().Remotes.Clear();
        store.LoadUser().Remotes.Clear();
        store.LoadSystem().Remotes.Clear();

        Assert.Equal("cloud.example.com", store.Snapshot().Merged.Remotes["mine"].Uri);
        Assert.Equal("other.example.com", store.Snapshot().System.Remotes["mine"].Uri);
        Assert.Same(store.Snapshot(), new RemoteConfigStore(context).Snapshot());
    }

    [Fact]
    public void Each_context_reads_for_itself()
    {
        using (var first = Context())
        {
            _ = new RemoteConfigStore(first).LoadMerged();
        }

        using var second = Context();
        _ = new RemoteConfigStore(second).LoadMerged();

        Assert.Equal(2, Reads(_machine.UserFile));
        Assert.Equal(2, _log.Lines.Count(line => line == Shadowed));
    }

    [Fact]
    public void The_merge_is_pure_and_returns_its_notes()
    {
        var user = new RemoteConfig();
        user.Remotes["mine"] = new EndpointConfig { Uri = "cloud.example.com" };
        var system = new RemoteConfig();
        system.Remotes["mine"] = new EndpointConfig { Uri = "other.example.com", System = true };
        system.Remotes["corp"] = new EndpointConfig { Uri = "corp.example.com", System = true, Exclusive = true };
        user.Remotes["corp"] = new EndpointConfig { Uri = "evil.example.com" };

        var result = ConfigMerge.Merge(user, system);

        Assert.Equal(
            [
                new ConfigNote(IsWarning: true, "corp is set exclusive by the system administrator, using the global definition"),
                new ConfigNote(IsWarning: false, "mine defined both globally and individually, using individual"),
            ],
            result.Notes);
        Assert.Equal("corp", result.Merged.Active);
    }

    /// <summary>Keeps INFO/WARNING lines as the tool prints them, and the debug lines.</summary>
    private sealed class DebugLog : IRemoteLog
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ConcurrentQueue<string> Debugs { get; } = new();

        public bool IsDebugEnabled => true;

        public void Info(string message) => Lines.Enqueue("INFO:    " + message);

        public void Warning(string message) => Lines.Enqueue("WARNING: " + message);

        public void Debug(string message) => Debugs.Enqueue(message);
    }
}

using System.Text.Json.Nodes;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Exec;
using DotnetRemote.Core.Manifests;
using DotnetRemote.Core.Tests.Manifests;

namespace DotnetRemote.Core.Tests.Exec;

/// <summary>The exec operation on the engine: the manifest goes into the scope only, the child sees the scope, the scope goes.</summary>
public sealed class ExecInScopeTests : IDisposable
{
    private readonly ManifestSandbox _sandbox = new();
    private readonly string _runtime;

    public ExecInScopeTests()
    {
        _runtime = Path.Combine(_sandbox.Machine.Root, "run");
        Directory.CreateDirectory(_runtime);
        _sandbox.SetVariable("XDG_RUNTIME_DIR", _runtime);
    }

    public void Dispose() => _sandbox.Dispose();

    private string Base => Path.Combine(_runtime, "dotnet-remote");

    private static readonly Dictionary<string, string> Parent = new(StringComparer.Ordinal)
    {
        ["PATH"] = "/usr/bin:/bin",
        ["REGISTRY_PASSWORD"] = ManifestSandbox.RegistryPassword,
        ["COMPANY_TOKEN"] = ManifestSandbox.ValidToken,
        ["DOCKER_PASSWORD"] = "users-own-docker-password",
    };

    private ExecInScope Exec(IChildProcessLauncher launcher) =>
        new(new RemoteContext(_sandbox.Machine.Paths(), _sandbox.Log, _sandbox.Web, isRoot: false, environment: Variable), launcher);

    private string? Variable(string name) => _sandbox.Variable(name) ?? _sandbox.Machine.Environment(name);

    private Manifest Company() => _sandbox.Read(ManifestSandbox.CompanyManifest);

    [Fact]
    public async Task The_child_sees_the_applied_manifest_in_the_scope_and_the_users_files_are_not_written()
    {
        var launcher = new FakeLauncher(exitCode: 7);

        var exit = (await Exec(launcher).ExecuteAsync(new ExecInScopeOptions(Company(), new ChildCommand("skopeo", ["copy", "a", "b"]), Parent, ExecOutput.Inherit))).ExitCode;

        Assert.Equal(7, exit);
        var started = Assert.Single(launcher.Started);
        Assert.Equal("skopeo", started.Command.FileName);
        Assert.Equal(["copy", "a", "b"], started.Command.Arguments);
        var scope = started.Environment["APPTAINER_CONFIGDIR"];
        Assert.Equal(Base, Path.GetDirectoryName(scope));
        Assert.Equal(Path.Combine(scope, "docker"), started.Environment["DOCKER_CONFIG"]);
        Assert.Equal(Path.Combine(scope, "docker-config.json"), started.Environment["REGISTRY_AUTH_FILE"]);
        Assert.Contains($"URI: {ManifestSandbox.LibraryHost}", started.Files["remote.yaml"], StringComparison.Ordinal);
        Assert.Contains(TestMachine.Basic(ManifestSandbox.RegistryUser, ManifestSandbox.RegistryPassword), started.Files["docker/config.json"], StringComparison.Ordinal);

        // No secret in the child's environment; the user's own docker password neither.
        Assert.DoesNotContain(started.Environment.Values, value => value.Contains(ManifestSandbox.RegistryPassword, StringComparison.Ordinal) || value.Contains(ManifestSandbox.ValidToken, StringComparison.Ordinal));
        Assert.False(started.Environment.ContainsKey("DOCKER_PASSWORD"));
        Assert.Equal("/usr/bin:/bin", started.Environment["PATH"]);

        Assert.False(Directory.Exists(scope));
        Assert.Null(_sandbox.Snapshot().RemoteYaml);
        Assert.Null(_sandbox.Snapshot().DockerConfig);
    }

    [Fact]
    public async Task A_rejected_password_stops_before_the_command_and_leaves_no_folder()
    {
        _sandbox.SetVariable("REGISTRY_PASSWORD", "wrong-password");
        var launcher = new FakeLauncher(exitCode: 0);

        var error = await Assert.ThrowsAsync<RemoteException>(() => Exec(launcher).ExecuteAsync(new ExecInScopeOptions(Company(), new ChildCommand("true", []), Parent, ExecOutput.Inherit)));

        Assert.Contains($"{_sandbox.ManifestPath}:{ManifestSandbox.RegistryLoginLine}", error.Message, StringComparison.Ordinal);
        Assert.Empty(launcher.Started);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Base));
    }

    [Fact]
    public async Task A_command_that_cannot_start_leaves_no_folder()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() =>
            Exec(ProcessLauncher.Instance).ExecuteAsync(new ExecInScopeOptions(Company(), new ChildCommand("/nonexistent/program", []), Parent, ExecOutput.Inherit, NoVerify: true)));

        Assert.Equal(RemoteErrorCodes.ExecFailed, error.Code);
        Assert.Equal("cannot run /nonexistent/program: no such file or directory (is it on PATH?)", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Base));
    }

    [Fact]
    public async Task Without_keep_user_state_the_users_logins_are_invisible_and_with_it_copied_and_left_unchanged()
    {
        _sandbox.Machine.WriteUser("Active: mine\nRemotes:\n  mine:\n    URI: mine.example.com\n    Token: users-own-token\n    System: false\n    Exclusive: false\n");
        File.WriteAllText(_sandbox.DockerConfigFile, "{\"auths\":{\"users.example.com\":{\"auth\":\"" + TestMachine.Basic("me", "users-pw") + "\"}}}");
        var dockerDirectory = Path.Combine(_sandbox.Machine.Home, ".docker");
        Directory.CreateDirectory(dockerDirectory);
        File.WriteAllText(Path.Combine(dockerDirectory, "config.json"), "{\"auths\":{\"docker-only.example.com\":{\"auth\":\"" + TestMachine.Basic("d", "docker-pw") + "\"}}}");
        var before = _sandbox.Snapshot();
        var dockerBefore = File.ReadAllText(Path.Combine(dockerDirectory, "config.json"));

        var isolated = new FakeLauncher(exitCode: 0);
        await Exec(isolated).ExecuteAsync(new ExecInScopeOptions(Company(), new ChildCommand("x", []), Parent, ExecOutput.Inherit));
        var kept = new FakeLauncher(exitCode: 0, childWrites: true);
        await Exec(kept).ExecuteAsync(new ExecInScopeOptions(Company(), new ChildCommand("x", []), Parent, ExecOutput.Inherit, KeepUserState: true));

        var inside = isolated.Started[0].Files;
        Assert.DoesNotContain("users-own-token", inside["remote.yaml"], StringComparison.Ordinal);
        Assert.Equal([ManifestSandbox.RegistryHost], Keys(inside["docker-config.json"]));

        var copied = kept.Started[0].Files;
        Assert.Contains("users-own-token", copied["remote.yaml"], StringComparison.Ordinal);
        Assert.Contains($"URI: {ManifestSandbox.LibraryHost}", copied["remote.yaml"], StringComparison.Ordinal);
        Assert.Equal(["users.example.com", "docker-only.example.com", ManifestSandbox.RegistryHost], Keys(copied["docker-config.json"]));

        // What the child did inside (a login of its own) stayed inside.
        Assert.Equal(before, _sandbox.Snapshot());
        Assert.Equal(dockerBefore, File.ReadAllText(Path.Combine(dockerDirectory, "config.json")));
    }

    [Fact]
    public async Task The_real_launcher_passes_exit_codes_and_128_plus_the_signal_and_captures_lines()
    {
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var output = new ExecOutput(lines.Enqueue, line => lines.Enqueue("err: " + line));
        var exec = Exec(ProcessLauncher.Instance);

        var exit = (await exec.ExecuteAsync(new ExecInScopeOptions(Company(), new ChildCommand("/bin/sh", ["-c", "echo out; echo oops >&2; test -f \"$REGISTRY_AUTH_FILE\" && exit 3"]), Parent, output, NoVerify: true))).ExitCode;
        var killed = (await exec.ExecuteAsync(new ExecInScopeOptions(Company(), new ChildCommand("/bin/sh", ["-c", "kill -TERM $$"]), Parent, output, NoVerify: true))).ExitCode;

        Assert.Equal(3, exit);
        Assert.Equal(128 + 15, killed);
        Assert.Equal(["err: oops", "out"], lines.Order());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Base));
    }

    [Fact]
    public async Task The_real_child_gets_exactly_the_computed_environment()
    {
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();

        await Exec(ProcessLauncher.Instance).ExecuteAsync(new ExecInScopeOptions(Company(), new ChildCommand("/usr/bin/env", []), Parent, new ExecOutput(lines.Enqueue, lines.Enqueue), NoVerify: true));

        Assert.Equal(["APPTAINER_CONFIGDIR", "DOCKER_CONFIG", "DOTNET_REMOTE_EXEC_DIR", "PATH", "REGISTRY_AUTH_FILE"], lines.Select(line => line[..line.IndexOf('=', StringComparison.Ordinal)]).Order());
    }

    [Fact]
    public async Task A_cancelled_host_terminates_the_child_and_removes_the_folder()
    {
        using var cancel = new CancellationTokenSource();
        var lines = new List<string>();
        var output = new ExecOutput(line =>
        {
            lines.Add(line);
            cancel.Cancel();
        }, null);

        var exit = (await Exec(ProcessLauncher.Instance).ExecuteAsync(new ExecInScopeOptions(Company(), new ChildCommand("/bin/sh", ["-c", "echo started; exec sleep 60"]), Parent, output, NoVerify: true), cancel.Token)).ExitCode;

        Assert.Equal(128 + 15, exit);
        Assert.Equal(["started"], lines);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Base));
    }

    private static List<string> Keys(string dockerConfig) =>
        [.. JsonNode.Parse(dockerConfig)!["auths"]!.AsObject().Select(entry => entry.Key)];

    private sealed record StartedChild(ChildCommand Command, IReadOnlyDictionary<string, string> Environment, IReadOnlyDictionary<string, string> Files);

    /// <summary>Records what it was asked to start and what the scope held at that moment; "ends" with a fixed code.</summary>
    private sealed class FakeLauncher(int exitCode, bool childWrites = false) : IChildProcessLauncher
    {
        public List<StartedChild> Started { get; } = [];

        public IChildProcess Start(ChildCommand command, IReadOnlyDictionary<string, string> environment, ExecOutput output)
        {
            var scope = environment["APPTAINER_CONFIGDIR"];
            var files = new Dictionary<string, string>
            {
                ["remote.yaml"] = File.Exists(Path.Combine(scope, "remote.yaml")) ? File.ReadAllText(Path.Combine(scope, "remote.yaml")) : "",
                ["docker-config.json"] = File.ReadAllText(Path.Combine(scope, "docker-config.json")),
                ["docker/config.json"] = File.ReadAllText(Path.Combine(environment["DOCKER_CONFIG"], "config.json")),
            };
            Started.Add(new StartedChild(command, new Dictionary<string, string>(environment), files));
            if (childWrites)
            {
                File.WriteAllText(Path.Combine(environment["DOCKER_CONFIG"], "config.json"), "{\"auths\":{\"child.example.com\":{}}}");
            }

            return new FinishedChild(exitCode);
        }
    }

    private sealed class FinishedChild(int exitCode) : IChildProcess
    {
        public int Id => 0;

        public void Signal(int signal)
        {
        }

        public Task<int> WaitForExitAsync() => Task.FromResult(exitCode);

        public void Dispose()
        {
        }
    }
}

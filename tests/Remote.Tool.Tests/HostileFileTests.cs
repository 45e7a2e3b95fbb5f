using System.Net;
using System.Net.Sockets;
using DotnetRemote.Tool.Tests.TestSupport;
using static DotnetRemote.Tool.Tests.TestSupport.RootAndNobody;

namespace DotnetRemote.Tool.Tests;

/// <summary>
/// Root with a config folder another user controls (a CI workspace, <c>sudo -E</c>): the attacker, user nobody,
/// plants symlinks or owns the folder; root must refuse with one FATAL line and touch nothing. Also the signals and
/// the crash inputs through the real process.
/// </summary>
public sealed class HostileFileTests : IDisposable
{
    private const UnixFileMode StickyWorldWritable = (UnixFileMode)0b1_111_111_111;
    private readonly TestMachine _machine = new();

    public void Dispose() => _machine.Dispose();

    private string Victim => Path.Combine(_machine.Root, "victim");

    [SkippableFact]
    public async Task Root_refuses_a_config_folder_owned_by_another_user()
    {
        Skip.IfNot(ToolProcess.IsRoot, "needs root (the attacker side runs as nobody)");
        OpenTo(Nobody);
        Directory.CreateDirectory(_machine.ConfigDir);
        Run("chown", $"{Nobody}:{Nobody}", _machine.ConfigDir);
        File.SetUnixFileMode(_machine.ConfigDir, (UnixFileMode)0b111_111_101);
        await RunAsNobody("sh", "-c", $"printf 'Active: evil\\nRemotes:\\n  evil:\\n    URI: evil.example.com\\n' > {_machine.UserFile}");

        var list = await ToolProcess.RunAsync(_machine.Variables, "list");
        var add = await ToolProcess.RunAsync(_machine.Variables, "add", "--no-login", "mine", "mine.example.com");

        foreach (var result in new[] { list, add })
        {
            Assert.Equal(255, result.ExitCode);
            Assert.Equal($"FATAL:   Bad ownership or modes for {_machine.ConfigDir}: it is owned by uid {Nobody}, not root; running as root, dotnet remote only uses files and folders root owns (fix it with chown/chmod, or run as that user)\n", result.Stderr);
        }

        // Neither chmodded nor written: the folder stays as the other user left it.
        Assert.Equal((UnixFileMode)0b111_111_101, File.GetUnixFileMode(_machine.ConfigDir));
        Assert.Equal(Nobody, OwnerOf(_machine.UserFile));
        Assert.DoesNotContain("mine", File.ReadAllText(_machine.UserFile), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Root_refuses_a_world_writable_folder_without_the_sticky_bit()
    {
        Skip.IfNot(ToolProcess.IsRoot, "needs root");
        Directory.CreateDirectory(_machine.ConfigDir);
        File.SetUnixFileMode(_machine.ConfigDir, (UnixFileMode)0b111_111_111);

        var result = await ToolProcess.RunAsync(_machine.Variables, "add", "--no-login", "mine", "mine.example.com");

        Assert.Equal(new CliResult(255, "", $"FATAL:   Bad ownership or modes for {_machine.ConfigDir}: the folder is writable by other users; running as root, dotnet remote only uses files and folders root owns (fix it with chown/chmod, or run as that user)\n"), result);
        Assert.False(File.Exists(_machine.UserFile));
    }

    [SkippableFact]
    public async Task Root_refuses_a_remote_yaml_symlink_planted_by_another_user()
    {
        Skip.IfNot(ToolProcess.IsRoot, "needs root (the attacker side runs as nobody)");
        var victimContent = "root's own file\n";
        PrepareStickyFolder();
        File.WriteAllText(Victim, victimContent);
        File.SetUnixFileMode(Victim, (UnixFileMode)0b110_100_100);
        await RunAsNobody("ln", "-s", Victim, _machine.UserFile);

        var list = await ToolProcess.RunAsync(_machine.Variables, "list");
        var add = await ToolProcess.RunAsync(_machine.Variables, "add", "--no-login", "mine", "mine.example.com");

        foreach (var result in new[] { list, add })
        {
            Assert.Equal(new CliResult(255, "", $"FATAL:   Bad ownership or modes for {_machine.UserFile}: it is a symbolic link owned by uid {Nobody}; running as root, dotnet remote only uses files and folders root owns (fix it with chown/chmod, or run as that user)\n"), result);
        }

        Assert.Equal(victimContent, File.ReadAllText(Victim));
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(Victim));
    }

    [SkippableFact]
    public async Task Root_does_not_follow_a_lock_symlink_planted_by_another_user()
    {
        Skip.IfNot(ToolProcess.IsRoot, "needs root (the attacker side runs as nobody)");
        PrepareStickyFolder();
        var nologin = Path.Combine(_machine.Root, "nologin");
        await RunAsNobody("ln", "-s", nologin, _machine.UserFile + ".lock");

        var result = await ToolProcess.RunAsync(_machine.Variables, "add", "--no-login", "mine", "mine.example.com");

        Assert.Equal(255, result.ExitCode);
        Assert.Equal($"FATAL:   could not lock {_machine.UserFile}: {_machine.UserFile}.lock is a symbolic link; refusing to follow it (remove it)\n", result.Stderr);
        Assert.False(File.Exists(nologin));
    }

    [SkippableFact]
    public async Task Root_refuses_a_docker_config_symlink_planted_by_another_user_for_docker_and_skopeo_too()
    {
        Skip.IfNot(ToolProcess.IsRoot, "needs root (the attacker side runs as nobody)");
        PrepareStickyFolder();
        File.WriteAllText(Victim, "{\"auths\":{}}\n");
        var dockerConfig = Path.Combine(_machine.ConfigDir, "docker-config.json");
        await RunAsNobody("ln", "-s", Victim, dockerConfig);

        var helper = ToolProcess.Start(_machine.Variables, ["credential-helper", "store"]);
        await helper.StandardInput.WriteAsync("""{"ServerURL":"registry.example.com","Username":"root","Secret":"root-secret"}""");
        var store = await ToolProcess.WaitAsync(helper);

        Assert.Equal(1, store.ExitCode);
        Assert.StartsWith($"Bad ownership or modes for {dockerConfig}: it is a symbolic link owned by uid {Nobody}", store.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("root-secret", File.ReadAllText(Victim), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Sigterm_during_a_network_wait_prints_one_line_and_exits_143()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "POSIX signals");
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        _machine.WriteUser($"Active: hole\nRemotes:\n  hole:\n    URI: 127.0.0.1:{port}\n    Insecure: true\n");
        var process = ToolProcess.Start(_machine.Variables, ["status", "hole"]);
        var firstLine = await process.StandardError.ReadLineAsync();
        using (var accepted = await silent.AcceptTcpClientAsync())
        {
            // Connected and waiting for an answer that never comes.
            Run("kill", "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var rest = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();

            Assert.Equal("INFO:    Checking status of remote: hole", firstLine);
            Assert.Equal("FATAL:   terminated (SIGTERM); nothing was left half-written\n", rest);
            Assert.Equal(143, process.ExitCode);
        }

        process.Dispose();
    }

    [Fact]
    public async Task The_crash_inputs_of_issue_9_end_in_one_fatal_line()
    {
        Directory.CreateDirectory(_machine.ConfigDir);
        var dockerConfig = Path.Combine(_machine.ConfigDir, "docker-config.json");
        File.WriteAllText(dockerConfig, "{\"auths\":{\"a\":{},\"a\":{}}}");
        File.SetUnixFileMode(dockerConfig, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var login = await ToolProcess.RunAsync(_machine.Variables, "logout", "docker://a");
        var empty = await ToolProcess.RunAsync(_machine.Variables, "credential", "get", "");
        var port = await ToolProcess.RunAsync(_machine.Variables, "add", "--no-login", "p", "https://h.example.com:99999");

        Assert.Equal((255, ""), (login.ExitCode, login.Stdout));
        Assert.StartsWith($"FATAL:   {dockerConfig}: invalid JSON: Duplicate property 'a'", login.Stderr, StringComparison.Ordinal);
        Assert.Single(login.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Equal(new CliResult(255, "", "FATAL:   no URI given: name an image (docker://, oras://), a keyserver (https://), a library (library://) URI or a remote\n"), empty);
        Assert.Equal(new CliResult(255, "", "FATAL:   invalid URI: https://h.example.com:99999 has no valid host[:port] (a port is 1-65535)\n"), port);
    }

    /// <summary>A root-owned config folder with mode 1777 (like /tmp): the attacker can plant names in it.</summary>
    private void PrepareStickyFolder()
    {
        OpenTo(Nobody);
        Directory.CreateDirectory(_machine.ConfigDir);
        File.SetUnixFileMode(_machine.ConfigDir, StickyWorldWritable);
    }

    private void OpenTo(int uid)
    {
        _ = uid;
        File.SetUnixFileMode(_machine.Root, (UnixFileMode)0b111_101_101);
    }
}

using System.Text;
using DotnetRemote.Integration.Tests.Tests.Logins;

namespace DotnetRemote.Integration.Tests.Tests.Exec;

/// <summary>
/// <c>dotnet remote exec</c> as a process: the private configuration is gone after success, failure, a child killed by
/// SIGTERM, SIGINT or SIGTERM of the tool; a <c>kill -9</c> leftover stays private and the next exec removes it; no
/// secret in the child's /proc cmdline or environ. No server needed: the manifest is applied with --no-verify.
/// </summary>
public sealed class ExecLifecycleTests : IDisposable
{
    private const string Password = "exec-lifecycle-secret-0123";
    private const string Username = "ci-bot";

    private readonly ExecSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private string Manifest() => _sandbox.Manifest("""
        logins:
          - uri: docker://registry.example.com
            username: ci-bot
            password: ${env:REGISTRY_PASSWORD}

        """);

    private Dictionary<string, string> Environment() => _sandbox.Environment(new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = Password });

    private string[] Exec(params string[] command) => ["exec", "-f", Manifest(), "--no-verify", "--", .. command];

    private static string Base64Login => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"));

    [Fact]
    public async Task Success_and_failure_pass_the_exit_code_and_leave_no_folder()
    {
        var success = await _sandbox.RunAsync(Exec("/bin/sh", "-c", "grep -q registry.example.com \"$DOCKER_CONFIG/config.json\" && echo \"inside=$DOTNET_REMOTE_EXEC_DIR\""), Environment());
        var failure = await _sandbox.RunAsync(Exec("/bin/sh", "-c", "echo to-stderr >&2; exit 3"), Environment());

        Assert.True(success.ExitCode == 0, success.ToString());
        var inside = success.StdOut.Split('\n').Single(line => line.StartsWith("inside=", StringComparison.Ordinal))["inside=".Length..];
        Assert.StartsWith(_sandbox.TempDirectory, inside, StringComparison.Ordinal);
        Assert.False(Directory.Exists(inside));
        Assert.True(failure.ExitCode == 3, failure.ToString());
        Assert.Contains("to-stderr", failure.StdErr, StringComparison.Ordinal);
        Assert.Empty(_sandbox.Scopes);
        ToolAssert.NeverPrinted(success, Password, Base64Login);
    }

    [Fact]
    public async Task A_child_killed_by_SIGTERM_gives_143_and_leaves_no_folder()
    {
        var result = await _sandbox.RunAsync(Exec("/bin/sh", "-c", "kill -TERM $$"), Environment());

        Assert.True(result.ExitCode == 143, result.ToString());
        Assert.Empty(_sandbox.Scopes);
    }

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public async Task A_signal_to_the_tool_is_passed_to_the_child_and_the_folder_is_removed(string signal, int exitCode)
    {
        using var tool = await _sandbox.StartAsync(
            Exec("/bin/sh", "-c", $"trap 'echo child-got-{signal}; exit {exitCode}' {signal}; echo ready; while :; do sleep 0.1; done"),
            Environment());
        await tool.WaitForLineAsync("ready");
        Assert.Single(_sandbox.Scopes);

        RunningTool.Signal(tool.Process.Id, signal);
        var result = await tool.EndAsync();

        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Contains($"child-got-{signal}\n", result.StdOut, StringComparison.Ordinal);
        Assert.Empty(_sandbox.Scopes);
    }

    [Fact]
    public async Task After_kill_9_of_the_tool_the_leftover_stays_private_and_the_next_exec_removes_it()
    {
        using var tool = await _sandbox.StartAsync(Exec("/bin/sh", "-c", "echo pid=$$; exec sleep 60"), Environment());
        var childPid = int.Parse(await tool.WaitForLineAsync("pid="), System.Globalization.CultureInfo.InvariantCulture);
        var leftover = Assert.Single(_sandbox.Scopes);

        // The tool first, so it cannot clean up; then its orphan, which holds the output pipes open.
        tool.Process.Kill();
        RunningTool.Signal(childPid, "KILL");
        await tool.Process.WaitForExitAsync();

        Assert.True(Directory.Exists(leftover));
        ToolAssert.HasMode(leftover, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        ToolAssert.HasMode(Path.GetDirectoryName(leftover)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        ToolAssert.HasMode(Path.Combine(leftover, "docker-config.json"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (System.Environment.IsPrivilegedProcess)
        {
            // Another user (nobody) can neither list the folder nor read the secret in it.
            var read = await RemoteTool.RunProcessAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "cat", Path.Combine(leftover, "docker-config.json")], null, null);
            Assert.True(read.ExitCode != 0, read.ToString());
            Assert.DoesNotContain(Base64Login, read.StdOut, StringComparison.Ordinal);
            var list = await RemoteTool.RunProcessAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "ls", Path.GetDirectoryName(leftover)!], null, null);
            Assert.True(list.ExitCode != 0, list.ToString());
        }

        var next = await _sandbox.RunAsync(["exec", "--", "/bin/true"], _sandbox.Environment());

        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.Contains($"removed the private configuration {leftover}", next.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(leftover));
        Assert.Empty(_sandbox.Scopes);
    }

    [Fact]
    public async Task SIGINT_while_the_manifest_is_being_verified_stops_before_the_command_with_130_and_no_folder()
    {
        // A registry that accepts the connection and never answers: the verification waits on it.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var manifest = _sandbox.Manifest($"""
            logins:
              - uri: docker://127.0.0.1:{port}
                username: ci-bot
                password: ${"{"}env:REGISTRY_PASSWORD{"}"}

            """, "silent.yaml");
        using var tool = await _sandbox.StartAsync(["exec", "-f", manifest, "--", "/bin/sh", "-c", "echo must-not-run"], Environment());
        using var accepted = await silent.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Single(_sandbox.Scopes);

        RunningTool.Signal(tool.Process.Id, "INT");
        var result = await tool.EndAsync();

        Assert.True(result.ExitCode == 130, result.ToString());
        Assert.DoesNotContain("must-not-run", result.StdOut, StringComparison.Ordinal);
        Assert.Empty(_sandbox.Scopes);
    }

    [SkippableFact]
    public async Task A_folder_of_another_user_in_the_base_is_never_removed()
    {
        Skip.IfNot(System.Environment.IsPrivilegedProcess, "needs root to give a folder to user nobody");
        var first = await _sandbox.RunAsync(["exec", "--", "/bin/true"], _sandbox.Environment());
        Assert.True(first.ExitCode == 0, first.ToString());
        var userBase = Assert.Single(Directory.EnumerateDirectories(_sandbox.TempDirectory, "dotnet-remote-*"));
        var foreign = Path.Combine(userBase, "exec-1-0123456789abcdef");
        Directory.CreateDirectory(foreign);
        Directory.SetLastWriteTimeUtc(foreign, DateTime.UtcNow.AddHours(-1));
        var chown = await RemoteTool.RunProcessAsync("chown", ["65534", foreign], null, null);
        Assert.True(chown.ExitCode == 0, chown.ToString());

        var next = await _sandbox.RunAsync(["exec", "--", "/bin/true"], _sandbox.Environment());

        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.True(Directory.Exists(foreign), "another user's folder was removed");
    }

    [Fact]
    public async Task No_secret_is_in_the_childs_cmdline_or_environment_only_in_its_files()
    {
        using var tool = await _sandbox.StartAsync(Exec("/bin/sh", "-c", "echo pid=$$; exec sleep 60"), Environment());
        var childPid = await tool.WaitForLineAsync("pid=");

        var cmdline = Encoding.UTF8.GetString(await File.ReadAllBytesAsync($"/proc/{childPid}/cmdline")).Replace('\0', ' ');
        var environ = Encoding.UTF8.GetString(await File.ReadAllBytesAsync($"/proc/{childPid}/environ")).Split('\0');
        var authFile = environ.Single(v => v.StartsWith("REGISTRY_AUTH_FILE=", StringComparison.Ordinal))["REGISTRY_AUTH_FILE=".Length..];

        Assert.Equal("sleep 60 ", cmdline);
        foreach (var secret in new[] { Password, Base64Login })
        {
            Assert.DoesNotContain(environ, variable => variable.Contains(secret, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(environ, variable => variable.StartsWith("REGISTRY_PASSWORD=", StringComparison.Ordinal));
        Assert.Contains(Base64Login, await File.ReadAllTextAsync(authFile), StringComparison.Ordinal);

        RunningTool.Signal(tool.Process.Id, "TERM");
        var result = await tool.EndAsync();
        Assert.True(result.ExitCode == 143, result.ToString());
        Assert.Empty(_sandbox.Scopes);
    }

    [Fact]
    public async Task A_manifest_error_runs_nothing_and_leaves_no_folder()
    {
        var environment = _sandbox.Environment();
        var result = await _sandbox.RunAsync(Exec("/bin/sh", "-c", "echo must-not-run"), environment);

        ToolAssert.FailedWithOneFatal(result, "REGISTRY_PASSWORD");
        Assert.DoesNotContain("must-not-run", result.StdOut, StringComparison.Ordinal);
        Assert.Empty(_sandbox.Scopes);
    }
}

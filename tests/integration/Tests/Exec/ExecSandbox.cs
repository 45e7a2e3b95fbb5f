using System.Diagnostics;
using System.Text;

namespace DotnetRemote.Integration.Tests.Tests.Exec;

/// <summary>
/// A <see cref="RemoteTool"/> sandbox for <c>exec</c>: its own <c>TMPDIR</c> (so the private configurations it creates,
/// and any leftover, are in <see cref="TempDirectory"/>), no <c>XDG_RUNTIME_DIR</c>, and the tool started without waiting
/// (to signal it while its command runs).
/// </summary>
internal sealed class ExecSandbox : IDisposable
{
    public ExecSandbox()
    {
        TempDirectory = Path.Combine(Tool.Root, "tmp");
        Directory.CreateDirectory(TempDirectory);
    }

    public RemoteTool Tool { get; } = new();

    public string TempDirectory { get; }

    /// <summary>Every private configuration folder that exists now (exec-* under the per-user base).</summary>
    public IReadOnlyList<string> Scopes =>
        [.. Directory.EnumerateDirectories(TempDirectory, "dotnet-remote-*").SelectMany(d => Directory.EnumerateDirectories(d, "exec-*"))];

    public Dictionary<string, string> Environment(IDictionary<string, string>? overrides = null)
    {
        var environment = Tool.Environment(overrides);
        environment["TMPDIR"] = TempDirectory;
        environment.Remove("XDG_RUNTIME_DIR");
        return environment;
    }

    /// <summary>Writes a manifest into the sandbox and returns its path.</summary>
    public string Manifest(string yaml, string name = "remotes.yaml")
    {
        var path = Path.Combine(Tool.Root, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    public async Task<ToolResult> RunAsync(string[] args, IDictionary<string, string>? env = null)
    {
        var launcher = await RemoteTool.LauncherAsync();
        return await RemoteTool.RunProcessAsync(launcher[0], [.. launcher.Skip(1), .. args], null, env ?? Environment());
    }

    /// <summary>Starts the tool; stdout and stderr are collected line by line (see <see cref="RunningTool"/>).</summary>
    public async Task<RunningTool> StartAsync(string[] args, IDictionary<string, string>? env = null)
    {
        var launcher = await RemoteTool.LauncherAsync();
        var info = RemoteTool.StartInfo(launcher[0], launcher.Skip(1).Concat(args), env ?? Environment());
        info.WorkingDirectory = Tool.Root;
        return new RunningTool(Process.Start(info) ?? throw new InvalidOperationException("could not start the tool"));
    }

    public void Dispose() => Tool.Dispose();
}

/// <summary>A started tool: its lines as they come, signals, and its end.</summary>
internal sealed class RunningTool : IDisposable
{
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    public RunningTool(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
    }

    public Process Process { get; }

    public string StdOut
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StdErr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Waits (up to a minute) for a stdout line starting with <paramref name="prefix"/> and returns the rest of it.</summary>
    public async Task<string> WaitForLineAsync(string prefix)
    {
        for (var i = 0; i < 1200; i++)
        {
            var line = StdOut.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            if (line is not null)
            {
                return line[prefix.Length..];
            }

            if (Process.HasExited)
            {
                break;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no line \"{prefix}\" from the tool: {await EndAsync(kill: true)}");
    }

    /// <summary>kill -SIGNAL PID (the test host has no managed way to send anything but SIGKILL).</summary>
    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    public async Task<ToolResult> EndAsync(bool kill = false)
    {
        if (kill && !Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }

        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await Process.WaitForExitAsync(guard.Token);
        return new ToolResult(Process.ExitCode, StdOut, StdErr);
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }

        Process.Dispose();
    }

    private void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            buffer.Append(line).Append('\n');
        }
    }
}

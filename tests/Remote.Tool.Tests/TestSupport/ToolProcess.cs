using System.Diagnostics;

namespace DotnetRemote.Tool.Tests.TestSupport;

/// <summary>Runs the built tool (<c>dotnet dotnet-remote.dll</c>, copied next to the tests) as a real process.</summary>
internal static class ToolProcess
{
    /// <summary>The tool's assembly: the project reference copies it into the test output folder.</summary>
    public static string ToolDll { get; } = Path.Combine(AppContext.BaseDirectory, "dotnet-remote.dll");

    public static string DotnetHost { get; } =
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static bool IsRoot => Environment.IsPrivilegedProcess;

    /// <summary>
    /// A start of <paramref name="program"/> with its three streams redirected and exactly <paramref name="environment"/>
    /// plus PATH (no inherited APPTAINER_* variable) and the dotnet CLI's telemetry off.
    /// </summary>
    public static ProcessStartInfo StartInfo(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }

    /// <summary>
    /// Starts the tool in HOME with exactly <paramref name="environment"/> plus PATH (<see cref="StartInfo"/>),
    /// optionally as another uid through <c>setpriv</c>. Does not wait.
    /// </summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, IEnumerable<string> args, int? uid = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string[] tool = [ToolDll, .. args];
        var start = uid is int id ? StartInfo("setpriv", [.. RootAndNobody.AsUser(id), DotnetHost, .. tool], environment) : StartInfo(DotnetHost, tool, environment);
        start.WorkingDirectory = environment.TryGetValue("HOME", out var home) ? home : Path.GetTempPath();
        return Process.Start(start) ?? throw new InvalidOperationException("could not start " + start.FileName);
    }

    /// <summary>Waits for a started tool and collects what it printed.</summary>
    public static Task<CliResult> WaitAsync(Process process) => WaitAsync(process, stdin: "");

    /// <summary>Writes <paramref name="stdin"/> to a started process, waits for it and collects what it printed.</summary>
    public static async Task<CliResult> WaitAsync(Process process, string stdin)
    {
        ArgumentNullException.ThrowIfNull(process);
        using (process)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();

            // A guard against a hung tool, not a speed assertion.
            using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await process.WaitForExitAsync(guard.Token);
            return new CliResult(process.ExitCode, await stdout, await stderr);
        }
    }

    public static Task<CliResult> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        WaitAsync(Start(environment, args));

    public static Task<CliResult> RunAsAsync(int uid, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        WaitAsync(Start(environment, args, uid));
}

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
    /// Starts the tool with exactly <paramref name="environment"/> plus PATH (no inherited APPTAINER_* variable),
    /// optionally as another uid through <c>setpriv</c>. Does not wait.
    /// </summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, IEnumerable<string> args, int? uid = null)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = environment.TryGetValue("HOME", out var home) ? home : Path.GetTempPath(),
        };
        if (uid is int id)
        {
            start.FileName = "setpriv";
            foreach (var arg in (string[])[$"--reuid={id}", $"--regid={id}", "--clear-groups", DotnetHost])
            {
                start.ArgumentList.Add(arg);
            }
        }
        else
        {
            start.FileName = DotnetHost;
        }

        start.ArgumentList.Add(ToolDll);
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

        return Process.Start(start) ?? throw new InvalidOperationException("could not start " + start.FileName);
    }

    /// <summary>Waits for a started tool and collects what it printed.</summary>
    public static async Task<CliResult> WaitAsync(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        using (process)
        {
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

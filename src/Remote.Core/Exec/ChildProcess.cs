using System.ComponentModel;
using System.Diagnostics;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Exec;

/// <summary>What to run: the program (looked up on PATH), its arguments, and the folder it starts in (null: the current one).</summary>
internal sealed record ChildCommand(string FileName, IReadOnlyList<string> Arguments, string? WorkingDirectory = null)
{
    public override string ToString() => string.Join(' ', new[] { FileName }.Concat(Arguments));
}

/// <summary>
/// How the child's output travels. <see cref="Inherit"/>: the child gets this process's stdin, stdout and stderr
/// themselves (a terminal stays a terminal). Otherwise stdin is empty and each output line goes to a callback (a build
/// log).
/// </summary>
internal sealed record ExecOutput(Action<string>? StandardOutputLine, Action<string>? StandardErrorLine)
{
    public static readonly ExecOutput Inherit = new(null, null);

    public bool Inherits => StandardOutputLine is null && StandardErrorLine is null;
}

/// <summary>A started child: its id, a signal, and its exit code (128+signal when a signal ended it).</summary>
internal interface IChildProcess : IDisposable
{
    int Id { get; }

    /// <summary>Sends a POSIX signal (SIGKILL on Windows, which has no others).</summary>
    void Signal(int signal);

    Task<int> WaitForExitAsync();
}

/// <summary>Starts children; the engine's only door to the operating system's processes, replaceable in tests.</summary>
internal interface IChildProcessLauncher
{
    /// <exception cref="RemoteException">The program cannot be started (not found, not executable).</exception>
    IChildProcess Start(ChildCommand command, IReadOnlyDictionary<string, string> environment, ExecOutput output);
}

/// <summary>The real launcher: <see cref="Process"/> with exactly the given environment and no shell.</summary>
internal sealed class ProcessLauncher : IChildProcessLauncher
{
    public static readonly ProcessLauncher Instance = new();

    public IChildProcess Start(ChildCommand command, IReadOnlyDictionary<string, string> environment, ExecOutput output)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(output);
        var info = new ProcessStartInfo(command.FileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = !output.Inherits,
            RedirectStandardOutput = !output.Inherits,
            RedirectStandardError = !output.Inherits,
        };
        foreach (var argument in command.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (command.WorkingDirectory is { Length: > 0 } workingDirectory)
        {
            info.WorkingDirectory = workingDirectory;
        }

        info.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info };
        if (!output.Inherits)
        {
            process.OutputDataReceived += (_, e) => Forward(e.Data, output.StandardOutputLine);
            process.ErrorDataReceived += (_, e) => Forward(e.Data, output.StandardErrorLine);
        }

        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException or IOException)
        {
            process.Dispose();
            var reason = ex is Win32Exception { NativeErrorCode: var code }
                ? code switch
                {
                    2 => "no such file or directory (is it on PATH?)",
                    13 => "permission denied",
                    8 => "not an executable",
                    _ => $"error {code}",
                }
                : ex.Message;
            throw new RemoteException(RemoteErrorCodes.ExecFailed, $"cannot run {command.FileName}: {reason}", ex);
        }

        if (!output.Inherits)
        {
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        return new StartedProcess(process);
    }

    private static void Forward(string? line, Action<string>? sink)
    {
        if (line is not null)
        {
            sink?.Invoke(line);
        }
    }

    private sealed class StartedProcess(Process process) : IChildProcess
    {
        public int Id => process.Id;

        public void Signal(int signal)
        {
            // A reaped child's id may already belong to another process.
            if (process.HasExited)
            {
                return;
            }

            if (OperatingSystem.IsWindows())
            {
                TryKill();
            }
            else
            {
                PosixNative.Kill(process.Id, signal);
            }
        }

        public async Task<int> WaitForExitAsync()
        {
            // Also waits for the redirected output to end, so no line is lost.
            await process.WaitForExitAsync();

            // On Unix .NET reports 128+N for a child ended by signal N, as shells do.
            return process.ExitCode;
        }

        public void Dispose() => process.Dispose();

        private void TryKill()
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }
}

using System.Runtime.InteropServices;

namespace DotnetRemote.Tool.Cli;

/// <summary>
/// SIGINT and SIGTERM end the tool with one line and the shell's codes (130, 143). The signal cancels the running
/// command, so a network wait stops at once; every file write is atomic (temp file, rename), so nothing is left
/// half-written. A command that does not stop within <see cref="Grace"/> (a blocked system call) is ended then.
/// </summary>
internal sealed class Termination : IDisposable
{
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(3);

    private readonly CancellationTokenSource _cancel = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly ConsoleLog _log;
    private int _signal;

    private Termination(ConsoleLog log) => _log = log;

    public CancellationToken Token => _cancel.Token;

    /// <summary>The exit code for the signal received (130 for SIGINT, 143 for SIGTERM), or null.</summary>
    public int? ExitCode => Volatile.Read(ref _signal) switch
    {
        2 => 130,
        15 => 143,
        _ => null,
    };

    public static Termination Register(ConsoleLog log)
    {
        var termination = new Termination(log);
        if (!OperatingSystem.IsWindows())
        {
            termination._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, termination.OnSignal));
            termination._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, termination.OnSignal));
        }

        return termination;
    }

    /// <summary>The one line printed when a signal ended the command.</summary>
    public void Report() => _log.Fatal(ExitCode == 130 ? "interrupted (SIGINT); nothing was left half-written" : "terminated (SIGTERM); nothing was left half-written");

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        var number = context.Signal == PosixSignal.SIGINT ? 2 : 15;
        if (Interlocked.CompareExchange(ref _signal, number, 0) != 0)
        {
            return;
        }

        _cancel.Cancel();
        _ = Task.Delay(Grace).ContinueWith(
            _ =>
            {
                Report();
                Environment.Exit(ExitCode ?? 143);
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cancel.Dispose();
    }
}

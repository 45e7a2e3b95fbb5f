using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Tool.Cli;

/// <summary>
/// Apptainer's diagnostic lines on stderr (<see cref="ApptainerLog"/>), its <c>FATAL:</c> line, and under
/// <c>-d/--debug</c> also Apptainer's <c>DEBUG   [U=uid,P=pid]</c> lines.
/// </summary>
internal sealed class ConsoleLog(TextWriter error) : ApptainerLog(error), IRemoteLog
{
    private string? _debugPrefix;

    /// <summary>Set by the global <c>-d/--debug</c> option.</summary>
    public bool IsDebugEnabled { get; set; }

    public void Fatal(string message) => Error.Write($"FATAL:   {message}\n");

    public void Debug(string message)
    {
        if (!IsDebugEnabled)
        {
            return;
        }

        _debugPrefix ??= $"DEBUG   {$"[U={ProcessIdentity.UserId},P={Environment.ProcessId}]",-20}";
        lock (Error)
        {
            Error.Write($"{_debugPrefix}{message}\n");
        }
    }
}

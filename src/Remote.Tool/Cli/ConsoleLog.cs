using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Tool.Cli;

/// <summary>
/// Apptainer's diagnostic lines on stderr: a level label padded to 8 characters, then the message. Under
/// <c>-d/--debug</c> also Apptainer's <c>DEBUG   [U=uid,P=pid]</c> lines.
/// </summary>
internal sealed class ConsoleLog(TextWriter error) : IRemoteLog
{
    private string? _debugPrefix;

    /// <summary>Set by the global <c>-d/--debug</c> option.</summary>
    public bool IsDebugEnabled { get; set; }

    public void Info(string message) => error.Write($"INFO:    {message}\n");

    public void Warning(string message) => error.Write($"WARNING: {message}\n");

    public void Fatal(string message) => error.Write($"FATAL:   {message}\n");

    public void Debug(string message)
    {
        if (!IsDebugEnabled)
        {
            return;
        }

        _debugPrefix ??= $"DEBUG   {$"[U={ProcessIdentity.UserId},P={Environment.ProcessId}]",-20}";
        lock (error)
        {
            error.Write($"{_debugPrefix}{message}\n");
        }
    }
}

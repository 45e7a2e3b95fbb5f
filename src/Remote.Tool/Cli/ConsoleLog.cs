using DotnetRemote.Core;

namespace DotnetRemote.Tool.Cli;

/// <summary>Apptainer's diagnostic lines on stderr: a level label padded to 8 characters, then the message.</summary>
internal sealed class ConsoleLog(TextWriter error) : IRemoteLog
{
    public void Info(string message) => error.Write($"INFO:    {message}\n");

    public void Warning(string message) => error.Write($"WARNING: {message}\n");

    public void Fatal(string message) => error.Write($"FATAL:   {message}\n");
}

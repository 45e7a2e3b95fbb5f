using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.CredentialHelper;

/// <summary>The tool's diagnostic lines (Apptainer's: a level label padded to 8 characters); no debug output.</summary>
internal sealed class StderrLog(TextWriter error) : IRemoteLog
{
    public void Info(string message) => error.Write($"INFO:    {message}\n");

    public void Warning(string message) => error.Write($"WARNING: {message}\n");
}

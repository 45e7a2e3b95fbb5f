namespace DotnetRemote.Core.Diagnostics;

/// <summary>
/// Apptainer's diagnostic lines: a level label padded to 8 characters, then the message (<c>INFO:    …</c>,
/// <c>WARNING: …</c>). The tool adds its debug and fatal lines on top; the native credential helper uses it as is.
/// </summary>
internal class ApptainerLog(TextWriter error) : IRemoteLog
{
    protected TextWriter Error { get; } = error ?? throw new ArgumentNullException(nameof(error));

    public void Info(string message) => Error.Write($"INFO:    {message}\n");

    public void Warning(string message) => Error.Write($"WARNING: {message}\n");
}

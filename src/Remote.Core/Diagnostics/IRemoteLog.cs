namespace DotnetRemote.Core.Diagnostics;

/// <summary>
/// Where the engine reports progress. The tool writes Apptainer's <c>INFO:</c>/<c>WARNING:</c> lines to stderr,
/// MSBuild logs messages and warnings. Implementations never receive a secret.
/// </summary>
internal interface IRemoteLog
{
    /// <summary>True when <see cref="Debug"/> lines are wanted (the tool's <c>-d/--debug</c>); callers skip building them otherwise.</summary>
    bool IsDebugEnabled => false;

    void Info(string message);

    void Warning(string message);

    /// <summary>
    /// What happened on the wire and on disk: HTTP requests (method, URL, status, which kind of credential was sent),
    /// file reads and writes, credential helper calls. Never a secret.
    /// </summary>
    void Debug(string message)
    {
    }
}

/// <summary>Discards everything; for callers that only want results.</summary>
internal sealed class NullRemoteLog : IRemoteLog
{
    public static readonly NullRemoteLog Instance = new();

    public void Info(string message)
    {
    }

    public void Warning(string message)
    {
    }
}

namespace DotnetRemote.Core;

/// <summary>
/// Where the engine reports progress. The tool writes Apptainer's <c>INFO:</c>/<c>WARNING:</c> lines to stderr,
/// MSBuild logs messages and warnings. Implementations never receive a secret.
/// </summary>
public interface IRemoteLog
{
    void Info(string message);

    void Warning(string message);
}

/// <summary>Discards everything; for callers that only want results.</summary>
public sealed class NullRemoteLog : IRemoteLog
{
    public static readonly NullRemoteLog Instance = new();

    public void Info(string message)
    {
    }

    public void Warning(string message)
    {
    }
}

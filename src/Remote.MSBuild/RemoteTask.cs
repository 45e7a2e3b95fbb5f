using DotnetRemote.Core;
using Microsoft.Build.Framework;
using MSBuildTask = Microsoft.Build.Utilities.Task;

namespace DotnetRemote.MSBuild;

/// <summary>
/// What every task shares: a <see cref="RemoteContext"/> from the build's environment, engine messages as MSBuild
/// messages, and a <see cref="RemoteException"/> as one MSBuild error carrying its stable <c>RMT</c> code.
/// </summary>
public abstract class RemoteTask : MSBuildTask
{
    /// <summary>Another remote.yaml than the user's (like the tool's <c>--config</c>).</summary>
    public string? ConfigFile { get; set; }

    /// <summary>The project that declared the items, for error locations (the targets set it).</summary>
    public string? ProjectFile { get; set; }

    public sealed override bool Execute()
    {
        try
        {
            ExecuteAsync(CreateContext()).GetAwaiter().GetResult();
        }
        catch (RemoteException ex)
        {
            Log.LogError(subcategory: null, errorCode: ex.Code, helpKeyword: null, file: ProjectFile ?? BuildEngine?.ProjectFileOfTaskNode, lineNumber: 0, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0, message: ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The host boundary: a bug is one error with the general code, not MSBuild's "task failed unexpectedly"
            // with a stack trace; the trace goes to the diagnostic log only (-v:diag).
            var message = $"unexpected error: {ex.Message.ReplaceLineEndings(" ").Trim()} ({ex.GetType().Name})";
            Log.LogError(subcategory: null, errorCode: RemoteErrorCodes.Failure, helpKeyword: null, file: ProjectFile ?? BuildEngine?.ProjectFileOfTaskNode, lineNumber: 0, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0, message: message);
            Log.LogMessage(MessageImportance.Low, ex.ToString());
        }

        return !Log.HasLoggedErrors;
    }

    protected abstract Task ExecuteAsync(RemoteContext context);

    /// <summary>Where an item came from, for error messages: <c>RemoteLogin 'docker://host'</c>.</summary>
    protected static string Origin(string itemType, ITaskItem item) => $"{itemType} '{item.ItemSpec}'";

    protected static bool Flag(ITaskItem item, string metadata) =>
        bool.TryParse(item.GetMetadata(metadata), out var value) && value;

    protected static string? Metadata(ITaskItem item, string metadata) =>
        item.GetMetadata(metadata) is { Length: > 0 } value ? value : null;

    private RemoteContext CreateContext() =>
        new(RemotePaths.FromProcessEnvironment(string.IsNullOrEmpty(ConfigFile) ? null : ConfigFile), new MSBuildRemoteLog(Log));

    private sealed class MSBuildRemoteLog(Microsoft.Build.Utilities.TaskLoggingHelper log) : IRemoteLog
    {
        public void Info(string message) => log.LogMessage(MessageImportance.High, message);

        public void Warning(string message) => log.LogWarning(message);
    }
}

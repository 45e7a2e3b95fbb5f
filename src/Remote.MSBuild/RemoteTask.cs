using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using Microsoft.Build.Framework;
using MSBuildTask = Microsoft.Build.Utilities.Task;

namespace DotnetRemote.MSBuild;

/// <summary>
/// What every task shares: a <see cref="RemoteContext"/> from the build's environment, engine messages as MSBuild
/// messages, and a <see cref="RemoteException"/> as one MSBuild error carrying its stable <c>RMT</c> code and, where
/// known, the file and line of the item or manifest entry that caused it. Cancelable: MSBuild's Cancel (Ctrl+C)
/// stops a verification in flight.
/// </summary>
public abstract class RemoteTask : MSBuildTask, ICancelableTask
{
    private readonly Lock _gate = new();
    private Action? _cancel;
    private bool _canceled;

    /// <summary>Another remote.yaml than the user's (like the tool's <c>--config</c>).</summary>
    public string? ConfigFile { get; set; }

    /// <summary>The project that declared the items, for error locations (the targets set it).</summary>
    public string? ProjectFile { get; set; }

    /// <summary>Test seam: the environment the task reads instead of the process's (paths, secrets, CI variables).</summary>
    internal Func<string, string?>? EnvironmentOverride { get; set; }

    /// <summary>Test seam: the HTTP stack (an in-memory server) instead of the network.</summary>
    internal HttpMessageHandler? HttpHandlerOverride { get; set; }

    /// <summary>Test seam: the clock.</summary>
    internal TimeProvider? TimeOverride { get; set; }

    /// <summary>Stops at the next await (a verification's request ends at once).</summary>
    protected CancellationToken CancellationToken { get; private set; }

    public void Cancel()
    {
        lock (_gate)
        {
            _canceled = true;
            _cancel?.Invoke();
        }
    }

    public sealed override bool Execute()
    {
        using var cancellation = new CancellationTokenSource();
        lock (_gate)
        {
            _cancel = cancellation.Cancel;
            if (_canceled)
            {
                cancellation.Cancel();
            }
        }

        CancellationToken = cancellation.Token;
        try
        {
            using var context = CreateContext();
#pragma warning disable VSTHRD002 // ITask.Execute is synchronous by contract; MSBuild runs it on a thread of its own, without a synchronization context.
            ExecuteAsync(context).GetAwaiter().GetResult();
#pragma warning restore VSTHRD002
        }
        catch (RemoteException ex)
        {
            var (file, line) = Locate(ex);
            Log.LogError(subcategory: null, errorCode: ex.Code, helpKeyword: null, file: file, lineNumber: line, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0, message: ex.Message);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Log.LogError(subcategory: null, errorCode: RemoteErrorCodes.Canceled, helpKeyword: null, file: DefaultFile, lineNumber: 0, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0, message: $"{GetType().Name} was canceled");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The host boundary: a bug is one error with the general code, not MSBuild's "task failed unexpectedly"
            // with a stack trace; the trace goes to the diagnostic log only (-v:diag).
            var message = $"unexpected error: {ex.Message.ReplaceLineEndings(" ").Trim()} ({ex.GetType().Name})";
            Log.LogError(subcategory: null, errorCode: RemoteErrorCodes.Failure, helpKeyword: null, file: DefaultFile, lineNumber: 0, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0, message: message);
            Log.LogMessage(MessageImportance.Low, ex.ToString());
        }
        finally
        {
            lock (_gate)
            {
                _cancel = null;
            }
        }

        return !Log.HasLoggedErrors;
    }

    private protected abstract Task ExecuteAsync(RemoteContext context);

    /// <summary>The project file errors point to when nothing more precise is known.</summary>
    protected string? DefaultFile => ProjectFile ?? BuildEngine?.ProjectFileOfTaskNode;

    /// <summary>
    /// Where an error points: the file and line of what caused it (0: no line), also when the engine worded it for its
    /// context (<c>while login to …: </c> around a remote.yaml error).
    /// </summary>
    private protected virtual (string? File, int Line) Locate(RemoteException exception) =>
        (exception as ConfigFileException ?? exception.InnerException as ConfigFileException) is { FilePath.Length: > 0 } config ? (config.FilePath, config.Line ?? 0) : (DefaultFile, 0);

    /// <summary>A warning with its code and location.</summary>
    protected void Warn(string code, string message, string? file = null, int line = 0) =>
        Log.LogWarning(subcategory: null, warningCode: code, helpKeyword: null, file: file ?? DefaultFile, lineNumber: line, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0, message: message);

    /// <summary>Reads a variable of the build's environment (or the test seam's).</summary>
    protected string? Variable(string name) => (EnvironmentOverride ?? Environment.GetEnvironmentVariable)(name);

    /// <summary>Where an item came from, for error messages: <c>RemoteLogin 'docker://host'</c>.</summary>
    protected static string Origin(string itemType, ITaskItem item) => $"{itemType} '{item.ItemSpec}'";

    protected static bool Flag(ITaskItem item, string metadata) =>
        bool.TryParse(item.GetMetadata(metadata), out var value) && value;

    protected static string? Metadata(ITaskItem item, string metadata) =>
        item.GetMetadata(metadata) is { Length: > 0 } value ? value : null;

    private RemoteContext CreateContext()
    {
        var environment = EnvironmentOverride ?? Environment.GetEnvironmentVariable;
        return new(
            RemotePaths.FromEnvironment(environment, string.IsNullOrEmpty(ConfigFile) ? null : ConfigFile),
            new MSBuildRemoteLog(this),
            HttpHandlerOverride,
            time: TimeOverride,
            environment: environment);
    }

    private sealed class MSBuildRemoteLog(RemoteTask task) : IRemoteLog
    {
        public void Info(string message) => task.Log.LogMessage(MessageImportance.High, message);

        public void Warning(string message) => task.Warn(RemoteErrorCodes.EngineWarning, message);
    }
}

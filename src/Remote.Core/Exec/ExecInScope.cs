using System.Runtime.InteropServices;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.IO;
using DotnetRemote.Core.Manifests;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Exec;

/// <param name="Manifest">The logins and remotes the command gets.</param>
/// <param name="Command">The command to run (no shell).</param>
/// <param name="Environment">The caller's whole environment, which the child inherits less its credentials.</param>
/// <param name="Output">Where the child's output goes (inherited, or captured line by line).</param>
/// <param name="KeepUserState">Start from a copy of the user's remote.yaml and logins instead of an empty state.</param>
/// <param name="NoVerify">Skip the online checks of tokens and passwords.</param>
/// <param name="ForwardSignals">
/// Take SIGINT, SIGTERM, SIGHUP and SIGQUIT of this process and pass them to the child (the tool); the tool then ends
/// with the child, after cleaning up. A signal before the child started stops the scope: exit 128+signal.
/// </param>
internal sealed record ExecInScopeOptions(Manifest Manifest, ChildCommand Command, IReadOnlyDictionary<string, string> Environment, ExecOutput Output, bool KeepUserState = false, bool NoVerify = false, bool ForwardSignals = false);

/// <param name="ExitCode">The child's exit code; 128+N when signal N ended it (or stopped the scope before it started).</param>
internal sealed record ExecInScopeResult(int ExitCode);

/// <summary>
/// <c>exec -f MANIFEST -- COMMAND</c>: applies a manifest into a private, temporary configuration (same verification,
/// all-or-nothing rules as <c>apply</c>), runs the command with docker, the containers tools, Apptainer, the .NET SDK
/// and dotnet remote pointed at it, and removes it whatever happens. Secrets reach the command only as files there.
/// </summary>
internal sealed class ExecInScope(RemoteContext context, IChildProcessLauncher? launcher = null)
{
    /// <summary>After a host's cancellation the child gets SIGTERM, then SIGKILL when it has not ended this much later.</summary>
    public static readonly TimeSpan KillGracePeriod = TimeSpan.FromSeconds(10);

    private readonly IChildProcessLauncher _launcher = launcher ?? ProcessLauncher.Instance;

    public async Task<ExecInScopeResult> ExecuteAsync(ExecInScopeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ExecInScopeResult(await RunAsync(options.Manifest, options.Command, options.Environment, options.Output, options, cancellationToken).ConfigureAwait(false));
    }

    private async Task<int> RunAsync(Manifest manifest, ChildCommand command, IReadOnlyDictionary<string, string> environment, ExecOutput output, ExecInScopeOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var signals = options.ForwardSignals ? new SignalForwarder(stop) : null;
        using var scope = ExecScope.Create(ExecScope.BaseDirectory(context.Environment), context.Log);
        try
        {
            using var scopeContext = context.WithPaths(PathsOf(scope));
            if (options.KeepUserState)
            {
                await CopyUserStateAsync(scope);
            }

            await new ApplyManifest(scopeContext).ExecuteAsync(new ApplyManifestOptions(manifest, DryRun: false, options.NoVerify), stop.Token);
            if (signals?.Received is int early)
            {
                return 128 + early;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var childEnvironment = ExecEnvironment.For(scope, environment, manifest.Secrets);
            var configHome = environment.TryGetValue("XDG_CONFIG_HOME", out var xdg) && Path.IsPathFullyQualified(xdg) ? xdg
                : environment.TryGetValue("HOME", out var home) && Path.IsPathFullyQualified(home) ? Path.Combine(home, ".config") : null;
            if (configHome is not null && scope.HideContainersAuthFile(configHome) is { } standIn)
            {
                childEnvironment["XDG_CONFIG_HOME"] = standIn;
            }

            using var child = _launcher.Start(command, childEnvironment, output);
            signals?.Attach(child);
            using var cancellation = cancellationToken.Register(() => Terminate(child));
            return await child.WaitForExitAsync();
        }
        catch (Exception ex) when (ex is OperationCanceledException or RemoteException && signals?.Received is int signal)
        {
            // Stopped by a signal before the command ran (the apply's requests were cancelled).
            return 128 + signal;
        }
    }

    /// <summary>The paths every engine operation uses inside the scope; the system file stays the caller's.</summary>
    public RemotePaths PathsOf(ExecScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return new RemotePaths
        {
            UserConfigDirectory = scope.Directory,
            UserConfigFile = scope.RemoteYaml,
            SystemConfigFile = context.Paths.SystemConfigFile,
            DockerConfigFile = scope.DockerConfigFile,
            DockerFallbackFile = null,
        };
    }

    /// <summary>
    /// --keep-user-state: the user's remote.yaml, and their logins (docker-config.json, completed by the entries of
    /// ~/.docker/config.json it lacks, as lookups would fall back to them). Both are parsed first, so a broken file is an
    /// error naming it, and written 0600.
    /// </summary>
    private async Task CopyUserStateAsync(ExecScope scope)
    {
        var paths = context.Paths;
        if (File.Exists(paths.UserConfigFile))
        {
            new Configuration.RemoteConfigStore(context).LoadUser();
            AtomicFile.WriteAllText(scope.RemoteYaml, await ReadAsync(paths.UserConfigFile), AtomicFile.PrivateFile);
        }

        var logins = DockerConfigFile.Load(paths.DockerConfigFile);
        var fallback = paths.DockerFallbackFile is { } fallbackFile && File.Exists(fallbackFile) ? DockerConfigFile.Load(fallbackFile) : null;
        await DockerConfigFile.UpdateAsync(scope.DockerConfigFile, file =>
        {
            file.AddMissingFrom(logins);
            if (fallback is not null)
            {
                file.AddMissingFrom(fallback);
            }

            return Task.FromResult(0);
        }, context.Time, CancellationToken.None);
    }

    private static async Task<string> ReadAsync(string path)
    {
        try
        {
            return await File.ReadAllTextAsync(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RemoteException(RemoteErrorCodes.ConfigIo, $"cannot read {path}: {ex.Message}", ex);
        }
    }

    private static void Terminate(IChildProcess child)
    {
        child.Signal(PosixNative.SIGTERM);
        _ = Task.Delay(KillGracePeriod).ContinueWith(_ => child.Signal(PosixNative.SIGKILL), TaskScheduler.Default);
    }

    /// <summary>
    /// Holds SIGINT, SIGTERM, SIGHUP and SIGQUIT for the scope's lifetime: before the child starts, a signal cancels the
    /// apply; afterwards it is passed to the child. Either way this process does not die before it has cleaned up.
    /// </summary>
    private sealed class SignalForwarder : IDisposable
    {
        private readonly List<PosixSignalRegistration> _registrations = [];
        private readonly CancellationTokenSource _stop;
        private readonly Lock _gate = new();
        private IChildProcess? _child;
        private int? _received;

        public SignalForwarder(CancellationTokenSource stop)
        {
            _stop = stop;
            foreach (var (signal, number) in new[] { (PosixSignal.SIGINT, PosixNative.SIGINT), (PosixSignal.SIGTERM, PosixNative.SIGTERM), (PosixSignal.SIGHUP, PosixNative.SIGHUP), (PosixSignal.SIGQUIT, PosixNative.SIGQUIT) })
            {
                try
                {
                    _registrations.Add(PosixSignalRegistration.Create(signal, context => OnSignal(context, number)));
                }
                catch (PlatformNotSupportedException)
                {
                }
            }
        }

        public int? Received
        {
            get
            {
                lock (_gate)
                {
                    return _received;
                }
            }
        }

        public void Attach(IChildProcess child)
        {
            lock (_gate)
            {
                _child = child;
            }
        }

        public void Dispose()
        {
            foreach (var registration in _registrations)
            {
                registration.Dispose();
            }
        }

        private void OnSignal(PosixSignalContext signalContext, int number)
        {
            signalContext.Cancel = true;
            IChildProcess? child;
            lock (_gate)
            {
                _received = number;
                child = _child;
            }

            if (child is null)
            {
                _stop.Cancel();
            }
            else
            {
                child.Signal(number);
            }
        }
    }
}

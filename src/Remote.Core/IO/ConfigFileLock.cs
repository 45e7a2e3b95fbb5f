using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.IO;

/// <summary>
/// A cross-process exclusive lock on a sidecar <c>&lt;file&gt;.lock</c>. On Unix .NET takes an advisory
/// <c>flock</c> for <see cref="FileShare.None"/>, so every dotnet-remote process (tool, MSBuild, Cake) agrees.
/// The sidecar is never deleted: deleting it would let two writers lock two different inodes.
/// </summary>
internal sealed class ConfigFileLock : IDisposable
{
    private readonly IDisposable _held;

    private ConfigFileLock(IDisposable held) => _held = held;

    /// <summary>How long a writer waits for another process's lock before giving up (<see cref="RemoteErrorCodes.ConfigLocked"/>).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Takes the lock, waiting (asynchronously, on <paramref name="time"/>'s clock) while another process holds it, up
    /// to <paramref name="timeout"/> (30 s). On Linux the sidecar is opened without following a link (a planted
    /// <c>.lock</c> symlink cannot make the caller create or truncate a file elsewhere), must be a regular file (root's:
    /// owned by root), and gets <paramref name="mode"/> back if someone pre-created it wider.
    /// </summary>
    public static async Task<ConfigFileLock> AcquireAsync(string filePath, UnixFileMode mode, TimeProvider time, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(filePath);
        ArgumentNullException.ThrowIfNull(time);
        var lockPath = filePath + ".lock";
        var started = time.GetTimestamp();
        var limit = timeout ?? DefaultTimeout;
        FileSafety.RequireSafeDirectory(Path.GetDirectoryName(Path.GetFullPath(lockPath))!);
        var delay = 1;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TryAcquire(filePath, lockPath, mode, time.GetElapsedTime(started) >= limit) is { } held)
            {
                return held;
            }

            // Another process holds it; back off briefly (1, 2, 4 … 50 ms) without blocking a thread.
            await Task.Delay(TimeSpan.FromMilliseconds(delay), time, cancellationToken).ConfigureAwait(false);
            delay = Math.Min(delay * 2, 50);
        }
    }

    /// <summary>
    /// <see cref="AcquireAsync"/> for the one synchronous caller, a reader that finds an unfinished journal
    /// (<see cref="FileJournal.RecoverPending"/>, after a writer was killed): reads are synchronous, so it blocks while
    /// it waits, on the real clock.
    /// </summary>
    public static ConfigFileLock Acquire(string filePath, UnixFileMode mode, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(filePath);
        var lockPath = filePath + ".lock";
        var started = TimeProvider.System.GetTimestamp();
        var limit = timeout ?? DefaultTimeout;
        FileSafety.RequireSafeDirectory(Path.GetDirectoryName(Path.GetFullPath(lockPath))!);
        var delay = 1;
        while (true)
        {
            if (TryAcquire(filePath, lockPath, mode, TimeProvider.System.GetElapsedTime(started) >= limit) is { } held)
            {
                return held;
            }

            Thread.Sleep(delay);
            delay = Math.Min(delay * 2, 50);
        }
    }

    /// <summary>One attempt: the lock, or null while another process holds it; after the time limit that is an error.</summary>
    private static ConfigFileLock? TryAcquire(string filePath, string lockPath, UnixFileMode mode, bool lastAttempt) =>
        UnixFile.IsSupported ? TryAcquireNoFollow(filePath, lockPath, mode, lastAttempt) : TryAcquireManaged(filePath, lockPath, mode, lastAttempt);

    private static ConfigFileLock? TryAcquireNoFollow(string filePath, string lockPath, UnixFileMode mode, bool lastAttempt)
    {
        var handle = UnixFile.OpenNoFollow(lockPath, UnixFile.OReadWrite, create: true, mode, out var errno);
        if (handle.IsInvalid)
        {
            handle.Dispose();
            // ELOOP, or EACCES where the kernel's protected_regular/protected_symlinks refuse first: say why.
            throw errno == UnixFile.ELoop || IsSymbolicLink(lockPath)
                ? new RemoteException(RemoteErrorCodes.ConfigUnsafe, $"could not lock {filePath}: {lockPath} is a symbolic link; refusing to follow it (remove it)")
                : new RemoteException(RemoteErrorCodes.ConfigIo, $"could not lock {filePath}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}");
        }

        try
        {
            var status = UnixFile.HandleStatus(handle);
            if (status.Kind != UnixFileKind.Regular)
            {
                throw new RemoteException(RemoteErrorCodes.ConfigUnsafe, $"could not lock {filePath}: {lockPath} is not a regular file");
            }

            if (FileSafety.RunningAsRoot && status.OwnerId != 0)
            {
                throw new RemoteException(RemoteErrorCodes.ConfigUnsafe, $"Bad ownership or modes for {lockPath}: it is owned by uid {status.OwnerId}, not root; running as root, dotnet remote only uses files and folders root owns");
            }

            if (status.Mode != mode && !OperatingSystem.IsWindows())
            {
                TrySetMode(handle, mode);
            }

            if (UnixFile.TryLockExclusive(handle, out errno))
            {
                return new ConfigFileLock(handle);
            }
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        handle.Dispose();
        if (errno != UnixFile.EWouldBlock || lastAttempt)
        {
            throw new RemoteException(RemoteErrorCodes.ConfigLocked, $"could not lock {filePath}: {(errno == UnixFile.EWouldBlock ? "another dotnet remote process holds it" : System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno))}");
        }

        return null;
    }

    private static bool IsSymbolicLink(string path)
    {
        try
        {
            return UnixFile.LinkStatus(path) is { Kind: UnixFileKind.SymbolicLink };
        }
        catch (IOException)
        {
            return false;
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void TrySetMode(Microsoft.Win32.SafeHandles.SafeFileHandle handle, UnixFileMode mode)
    {
        try
        {
            File.SetUnixFileMode(handle, mode);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Someone else's lock file: its mode is theirs to fix; the lock still works.
        }
    }

    private static ConfigFileLock? TryAcquireManaged(string filePath, string lockPath, UnixFileMode mode, bool lastAttempt)
    {
        try
        {
            if (new FileInfo(lockPath).LinkTarget is not null)
            {
                throw new RemoteException(RemoteErrorCodes.ConfigUnsafe, $"could not lock {filePath}: {lockPath} is a symbolic link; refusing to follow it (remove it)");
            }

            var options = new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
            };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = mode;
            }

            return new ConfigFileLock(new FileStream(lockPath, options));
        }
        catch (IOException) when (!lastAttempt && File.Exists(lockPath))
        {
            // Another process holds it.
            return null;
        }
        catch (IOException ex)
        {
            throw new RemoteException(RemoteErrorCodes.ConfigLocked, $"could not lock {filePath}: {ex.Message}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new RemoteException(RemoteErrorCodes.ConfigIo, $"could not lock {filePath}: {ex.Message}", ex);
        }
    }

    public void Dispose() => _held.Dispose();
}

namespace DotnetRemote.Core.IO;

/// <summary>
/// A cross-process exclusive lock on a sidecar <c>&lt;file&gt;.lock</c>. On Unix .NET takes an advisory
/// <c>flock</c> for <see cref="FileShare.None"/>, so every dotnet-remote process (tool, MSBuild, Cake) agrees.
/// The sidecar is never deleted: deleting it would let two writers lock two different inodes.
/// </summary>
public sealed class ConfigFileLock : IDisposable
{
    private readonly FileStream _stream;

    private ConfigFileLock(FileStream stream) => _stream = stream;

    public static ConfigFileLock Acquire(string filePath, UnixFileMode mode, TimeSpan? timeout = null)
    {
        var lockPath = filePath + ".lock";
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var delay = 1;
        while (true)
        {
            try
            {
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
            catch (IOException) when (DateTime.UtcNow < deadline && File.Exists(lockPath))
            {
                // Another process holds it; back off briefly (1, 2, 4 … 50 ms).
                Thread.Sleep(delay);
                delay = Math.Min(delay * 2, 50);
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
    }

    public void Dispose() => _stream.Dispose();
}

using System.Text;

namespace DotnetRemote.Core.IO;

/// <summary>
/// Replaces a file's content all at once: a temp file in the same folder, fsync, then rename over the target,
/// so a reader sees the old file or the new one and a crash never leaves a truncated file (spec §7.1).
/// </summary>
public static class AtomicFile
{
    public const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode PublicFile = PrivateFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static void WriteAllText(string path, string content, UnixFileMode mode)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(content);
        var target = ResolveLinks(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(target))!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = mode;
            }

            using (var stream = new FileStream(temp, options))
            {
                var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(content);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                // The umask may have narrowed the create mode; the target's mode is part of the contract.
                File.SetUnixFileMode(temp, mode);
            }

            File.Move(temp, target, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new RemoteException(RemoteErrorCodes.ConfigIo, $"while writing {path}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Creates the folder (and parents) with <paramref name="mode"/> when missing. The mode is set after creating, so
    /// the umask cannot narrow it (a root umask of 077 would otherwise make the system folder unreadable to users).
    /// </summary>
    public static void EnsureDirectory(string directory, UnixFileMode mode)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                var created = new List<string>();
                for (var missing = Path.GetFullPath(directory); !Directory.Exists(missing); missing = Path.GetDirectoryName(missing)!)
                {
                    created.Add(missing);
                    if (Path.GetDirectoryName(missing) is null)
                    {
                        break;
                    }
                }

                Directory.CreateDirectory(directory, mode);
                foreach (var folder in created)
                {
                    File.SetUnixFileMode(folder, mode);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RemoteException(RemoteErrorCodes.ConfigIo, $"could not create {directory}: {ex.Message}", ex);
        }
    }

    /// <summary>Follows symbolic links so a linked config file is updated where it really lives (as docker does).</summary>
    private static string ResolveLinks(string path)
    {
        var info = new FileInfo(path);
        return info.LinkTarget is null ? path : info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

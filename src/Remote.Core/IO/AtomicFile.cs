using System.Text;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.IO;

/// <summary>
/// Replaces a file's content all at once: a temp file in the same folder, fsync, then rename over the target,
/// so a reader sees the old file or the new one and a crash never leaves a truncated file (docs/compatibility.md#fix-atomic-writes).
/// </summary>
internal static class AtomicFile
{
    public const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode PublicFile = PrivateFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Writes <paramref name="content"/> (UTF-8) to <paramref name="path"/>, or to the file a link there leads to.</summary>
    public static void WriteAllText(string path, string content, UnixFileMode mode)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(content);
        FileSafety.RequireSafeFileAndDirectory(path);
        RenameIntoPlace(ResolveLinks(path), path, temp => WriteTemp(temp, mode, stream => stream.Write(Utf8(content))));
    }

    /// <summary>
    /// Makes <paramref name="path"/> a regular file with <paramref name="source"/>'s bytes and <paramref name="mode"/>
    /// in one rename (temp file in the same folder, fsync, chmod, rename). Unlike <see cref="WriteAllText"/> the name
    /// itself is replaced: a symbolic link there is replaced, never followed (its target stays as it was), and a
    /// running executable there is replaced too (writing into it would fail with ETXTBSY).
    /// </summary>
    public static void ReplaceWithCopy(string source, string path, UnixFileMode mode)
    {
        ArgumentNullException.ThrowIfNull(source);
        Replace(path, temp => WriteTemp(temp, mode, stream =>
        {
            using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read);
            input.CopyTo(stream);
        }));
    }

    /// <summary>As <see cref="ReplaceWithCopy"/>, with <paramref name="content"/> (UTF-8) as the file's bytes.</summary>
    public static void ReplaceWithText(string path, string content, UnixFileMode mode)
    {
        ArgumentNullException.ThrowIfNull(content);
        Replace(path, temp => WriteTemp(temp, mode, stream => stream.Write(Utf8(content))));
    }

    /// <summary>Makes <paramref name="path"/> a symbolic link to <paramref name="target"/> in one rename (a file or link there is replaced, not followed).</summary>
    public static void ReplaceWithLink(string path, string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        Replace(path, temp => File.CreateSymbolicLink(temp, target));
    }

    private static void Replace(string path, Action<string> createTemp)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileSafety.RequireSafeDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        RenameIntoPlace(path, path, createTemp);
    }

    /// <summary>
    /// Creates a temp file beside <paramref name="destination"/> with <paramref name="createTemp"/>, then renames it over
    /// <paramref name="destination"/>; failures name <paramref name="shownPath"/> (what the caller asked to write).
    /// </summary>
    private static void RenameIntoPlace(string destination, string shownPath, Action<string> createTemp)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(destination))!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(destination)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var renamed = false;
        try
        {
            createTemp(temp);
            File.Move(temp, destination, overwrite: true);
            renamed = true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RemoteException(RemoteErrorCodes.ConfigIo, $"while writing {shownPath}: {ex.Message}", ex);
        }
        finally
        {
            // Every failure path (a full disk, a cancelled or interrupted write) takes its copy of the secrets with it.
            if (!renamed)
            {
                TryDelete(temp);
            }
        }
    }

    private static void WriteTemp(string temp, UnixFileMode mode, Action<FileStream> write)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        using (var stream = new FileStream(temp, options))
        {
            write(stream);
            stream.Flush(flushToDisk: true);
        }

        if (!OperatingSystem.IsWindows())
        {
            // The umask may have narrowed the create mode; the target's mode is part of the contract.
            File.SetUnixFileMode(temp, mode);
        }
    }

    private static byte[] Utf8(string content) => new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(content);

    /// <summary>
    /// Deletes the temp copies of <paramref name="path"/> that a killed writer left behind (they may hold tokens and
    /// passwords). Call it only while holding the file's lock: temp files are only made by the lock holder, so any
    /// found then belongs to a writer that died. Returns how many were removed.
    /// </summary>
    public static int SweepLeftovers(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string target;
        try
        {
            target = ResolveLinks(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            target = path;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(target))!;
        var removed = 0;
        try
        {
            foreach (var leftover in Directory.EnumerateFiles(directory, $".{Path.GetFileName(target)}.*.tmp"))
            {
                if (IsTempName(Path.GetFileName(leftover), Path.GetFileName(target)) && TryDelete(leftover))
                {
                    removed++;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A folder that cannot be listed has no leftovers we could remove either.
        }

        return removed;
    }

    // .<name>.<pid>.<32 hex>.tmp, exactly as WriteAllText names them.
    private static bool IsTempName(string candidate, string name)
    {
        var middle = candidate[(name.Length + 2)..^4].Split('.');
        return middle.Length == 2 && middle[0].All(char.IsAsciiDigit) && middle[0].Length > 0 && middle[1].Length == 32 && middle[1].All(char.IsAsciiHexDigit);
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

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return false;
    }
}

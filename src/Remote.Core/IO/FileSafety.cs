using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.IO;

/// <summary>
/// What root accepts in the files it reads and writes, as ssh's StrictModes does: a config folder or file owned by
/// another user, or a symbolic link another user planted, is refused. A user who can write root's config folder (a CI
/// workspace, <c>sudo -E</c> with the user's HOME) could otherwise make root create, chmod or overwrite any file, or
/// send root's tokens where the user chooses. Regular users are not restricted: their files are their own business.
/// </summary>
internal static class FileSafety
{
    /// <summary>True when the process runs with an effective uid of 0 (the checks apply then only).</summary>
    public static bool RunningAsRoot => !OperatingSystem.IsWindows() && Environment.IsPrivilegedProcess;

    /// <summary>Refuses, as root, a folder another user owns or may write (without the sticky bit), or a link in it.</summary>
    public static void RequireSafeDirectory(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!RunningAsRoot || !UnixFile.IsSupported)
        {
            return;
        }

        var status = Status(directory, out var linkOwner);
        if (status is null)
        {
            return;
        }

        RequireRootOwned(directory, linkOwner, status);
        const UnixFileMode othersWrite = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
        if ((status.Mode & othersWrite) != 0 && (status.Mode & UnixFileMode.StickyBit) == 0)
        {
            throw Unsafe(directory, "the folder is writable by other users");
        }
    }

    /// <summary>Refuses, as root, a file (or the link leading to it) that another user owns, and anything but a regular file.</summary>
    public static void RequireSafeFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!RunningAsRoot || !UnixFile.IsSupported)
        {
            return;
        }

        var status = Status(path, out var linkOwner);
        if (status is null)
        {
            // A dangling link another user planted would make root create its target.
            if (linkOwner is uint owner && owner != 0)
            {
                throw Unsafe(path, $"it is a symbolic link owned by uid {owner}");
            }

            return;
        }

        RequireRootOwned(path, linkOwner, status);
        if (status.Kind != UnixFileKind.Regular)
        {
            throw Unsafe(path, "it is not a regular file");
        }
    }

    /// <summary>Checks a file and the folder holding it.</summary>
    public static void RequireSafeFileAndDirectory(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        RequireSafeDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        RequireSafeFile(path);
    }

    private static UnixFileStatus? Status(string path, out uint? linkOwner)
    {
        try
        {
            var link = UnixFile.LinkStatus(path);
            linkOwner = link is { Kind: UnixFileKind.SymbolicLink } ? link.OwnerId : null;
            return link is { Kind: UnixFileKind.SymbolicLink } ? UnixFile.TargetStatus(path) : link;
        }
        catch (IOException ex)
        {
            throw new RemoteException(RemoteErrorCodes.ConfigIo, $"cannot check {path}: {ex.Message}", ex);
        }
    }

    private static void RequireRootOwned(string path, uint? linkOwner, UnixFileStatus status)
    {
        if (linkOwner is uint owner && owner != 0)
        {
            throw Unsafe(path, $"it is a symbolic link owned by uid {owner}");
        }

        if (status.OwnerId != 0)
        {
            throw Unsafe(path, $"it is owned by uid {status.OwnerId}, not root");
        }
    }

    private static RemoteException Unsafe(string path, string reason) =>
        new(RemoteErrorCodes.ConfigUnsafe, $"Bad ownership or modes for {path}: {reason}; running as root, dotnet remote only uses files and folders root owns (fix it with chown/chmod, or run as that user)");
}

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace DotnetRemote.Core.IO;

/// <summary>What kind of file a path or handle is.</summary>
internal enum UnixFileKind
{
    Other,
    Regular,
    Directory,
    SymbolicLink,
    Fifo,
    CharacterDevice,
    BlockDevice,
    Socket,
}

/// <summary>The parts of <c>stat</c> the engine's safety checks need.</summary>
internal sealed record UnixFileStatus(UnixFileKind Kind, uint OwnerId, UnixFileMode Mode, long Size)
{
    /// <summary>Device and inode: a file replaced by a rename is another file.</summary>
    public (uint Major, uint Minor, ulong Inode) Identity { get; init; }

    /// <summary>The status change time (any write, chmod or chown moves it), in nanoseconds since the epoch.</summary>
    public long ChangeTimeNanoseconds { get; init; }

    /// <summary>The content change time, in nanoseconds since the epoch.</summary>
    public long ModifyTimeNanoseconds { get; init; }
}

/// <summary>
/// The few system calls .NET does not expose and file safety needs (Linux): <c>open</c> with <c>O_NOFOLLOW</c> or
/// <c>O_NONBLOCK</c>, <c>statx</c> (owner, file type, without following a link) and <c>flock</c>. On other systems
/// <see cref="IsSupported"/> is false and callers fall back to what .NET offers.
/// </summary>
internal static partial class UnixFile
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const int OCreat = 0x40;
    private const int ONonBlock = 0x800;
    private const int OCloExec = 0x80000;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    public const int ELoop = 40;
    public const int EWouldBlock = 11;
    public const int ENoEnt = 2;
    public const int EIntr = 4;

    /// <summary>The effective user id; 0 where there is none (Windows).</summary>
    public static uint EffectiveUserId => OperatingSystem.IsWindows() ? 0 : NativeGeteuid();

    public static bool IsSupported { get; } = OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    // O_NOFOLLOW differs between architectures (x86-64: 0400000, arm64: 0100000).
    private static int ONoFollow => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x8000 : 0x20000;

    public const int OReadOnly = 0;
    public const int OReadWrite = 2;

    /// <summary>Opens without following a final symbolic link (<c>ELOOP</c> when it is one); creates the file when asked.</summary>
    public static SafeFileHandle OpenNoFollow(string path, int access, bool create, UnixFileMode createMode, out int errno) =>
        Open(path, access | ONoFollow | (create ? OCreat : 0), createMode, out errno);

    /// <summary>Opens without blocking on a fifo (a fifo with no writer would otherwise hang <c>open</c>).</summary>
    public static SafeFileHandle OpenNonBlocking(string path, out int errno) =>
        Open(path, OReadOnly | ONonBlock, 0, out errno);

    private static SafeFileHandle Open(string path, int flags, UnixFileMode mode, out int errno)
    {
        int fd;
        do
        {
            fd = NativeOpen(path, flags | OCloExec, (int)mode);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        while (fd < 0 && errno == EIntr);

        return new SafeFileHandle(fd, ownsHandle: fd >= 0);
    }

    /// <summary>The status of the path itself (a link is reported as a link); null when it does not exist.</summary>
    public static UnixFileStatus? LinkStatus(string path) => Status(AtFdCwd, path, AtSymlinkNoFollow);

    /// <summary>The status of what the path leads to; null when it does not exist.</summary>
    public static UnixFileStatus? TargetStatus(string path) => Status(AtFdCwd, path, 0);

    /// <summary>The status of an open file.</summary>
    public static UnixFileStatus HandleStatus(SafeFileHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return Status((int)handle.DangerousGetHandle(), "", AtEmptyPath)
                ?? throw new IOException("fstat failed on an open file");
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Takes the same advisory lock .NET takes for <see cref="FileShare.None"/>; false when another holds it.</summary>
    public static bool TryLockExclusive(SafeFileHandle handle, out int errno)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            int result;
            do
            {
                result = NativeFlock((int)handle.DangerousGetHandle(), LockExclusive | LockNonBlocking);
                errno = result < 0 ? Marshal.GetLastPInvokeError() : 0;
            }
            while (result < 0 && errno == EIntr);

            return result == 0;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static UnixFileStatus? Status(int dirFd, string path, int flags)
    {
        // struct statx has one layout on every architecture: mask, blksize, attributes, nlink, uid@20, gid, mode@28,
        // ino@32, size@40, blocks, attributes_mask, atime@64, btime@80, ctime@96, mtime@112, rdev, dev@136/140 …,
        // 256 bytes in all.
        var buffer = new byte[256];
        int result;
        int errno;
        do
        {
            result = NativeStatx(dirFd, path, flags, StatxBasicStats, buffer);
            errno = result < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        while (result < 0 && errno == EIntr);

        if (result < 0)
        {
            return errno == ENoEnt || errno == 20 /* ENOTDIR */ ? null : throw new IOException($"stat failed on {path} (errno {errno})");
        }

        var uid = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(20));
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28));
        var size = BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(40));
        var kind = (mode & 0xF000) switch
        {
            0x8000 => UnixFileKind.Regular,
            0x4000 => UnixFileKind.Directory,
            0xA000 => UnixFileKind.SymbolicLink,
            0x1000 => UnixFileKind.Fifo,
            0x2000 => UnixFileKind.CharacterDevice,
            0x6000 => UnixFileKind.BlockDevice,
            0xC000 => UnixFileKind.Socket,
            _ => UnixFileKind.Other,
        };
        return new UnixFileStatus(kind, uid, (UnixFileMode)(mode & 0xFFF), size)
        {
            Identity = (BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(136)), BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(140)), BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(32))),
            ChangeTimeNanoseconds = Timestamp(buffer, 96),
            ModifyTimeNanoseconds = Timestamp(buffer, 112),
        };
    }

    /// <summary>A <c>struct statx_timestamp</c> (seconds, then nanoseconds) as nanoseconds since the epoch.</summary>
    private static long Timestamp(byte[] buffer, int offset) =>
        (BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(offset)) * 1_000_000_000) + BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset + 8));

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeOpen(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeStatx(int dirFd, string path, int flags, uint mask, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int NativeFlock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint NativeGeteuid();
}

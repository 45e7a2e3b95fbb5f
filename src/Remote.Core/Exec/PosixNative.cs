using DotnetRemote.Core.IO;
using System.Runtime.InteropServices;

namespace DotnetRemote.Core.Exec;

/// <summary>
/// The few POSIX calls .NET does not expose for exec: the effective user id and a file's owner (both from
/// <see cref="UnixFile"/>) and sending a signal other than SIGKILL. Blittable signatures only, so trimming and native
/// AOT keep working.
/// </summary>
internal static partial class PosixNative
{
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGQUIT = 3;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    private const int ESRCH = 3;

    /// <summary>The effective user id; 0 where there is none (Windows).</summary>
    public static uint EffectiveUserId => UnixFile.EffectiveUserId;

    /// <summary>
    /// The owner of <paramref name="path"/> itself (a symbolic link is not followed), or null where statx is missing
    /// (not Linux, or a C library older than glibc 2.28).
    /// </summary>
    public static uint? OwnerOf(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return UnixFile.LinkStatus(path)?.OwnerId;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Sends <paramref name="signal"/> to a process; false when it no longer exists.</summary>
    public static bool Kill(int processId, int signal)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        return NativeMethods.kill(processId, signal) == 0;
    }

    /// <summary>True unless the process certainly does not exist (kill(pid, 0) fails with ESRCH).</summary>
    public static bool ProcessExists(int processId)
    {
        if (OperatingSystem.IsWindows() || processId <= 0)
        {
            return true;
        }

        return NativeMethods.kill(processId, 0) == 0 || Marshal.GetLastPInvokeError() != ESRCH;
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int kill(int pid, int sig);
    }
}

using System.Security.Cryptography;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.IO;

namespace DotnetRemote.Core.Exec;

/// <summary>
/// The private configuration folder of one <c>dotnet remote exec</c>: <c>remote.yaml</c>, <c>docker-config.json</c>
/// (Apptainer's names, so <c>APPTAINER_CONFIGDIR</c> points here) and <c>docker/config.json</c>, a link to
/// <c>../docker-config.json</c>, so <c>DOCKER_CONFIG</c> (docker, the .NET SDK), <c>REGISTRY_AUTH_FILE</c> (podman,
/// skopeo, buildah) and Apptainer read and write one file.
/// <para>
/// It lives in a per-user base folder (<c>$XDG_RUNTIME_DIR/dotnet-remote</c>, else <c>$TMPDIR/dotnet-remote-UID</c>)
/// that must be a real folder owned by the user; both are 0700 and every file 0600, so no other user can read a secret
/// at any time. The folder is named <c>exec-PID-RANDOM</c> and the tool holds an exclusive lock on its <c>.lock</c> file
/// while it runs: the kernel drops the lock when the tool dies, even by SIGKILL, so the next scope finds such leftovers
/// (owned by the user, lock free or process gone) and removes them.
/// </para>
/// </summary>
internal sealed class ExecScope : IDisposable
{
    public const string FolderPrefix = "exec-";
    private const string LockFileName = ".lock";

    /// <summary>A folder without a lock file is left alone this long: its creator may be between two steps.</summary>
    public static readonly TimeSpan UnlockedGracePeriod = TimeSpan.FromMinutes(1);

    private readonly FileStream _lock;
    private bool _disposed;

    private ExecScope(string directory, FileStream ownerLock)
    {
        Directory = directory;
        _lock = ownerLock;
    }

    /// <summary>The scope folder: <c>APPTAINER_CONFIGDIR</c> of the child.</summary>
    public string Directory { get; }

    public string RemoteYaml => Path.Combine(Directory, "remote.yaml");

    /// <summary>The one credentials file: Apptainer's <c>docker-config.json</c>, and <c>REGISTRY_AUTH_FILE</c>.</summary>
    public string DockerConfigFile => Path.Combine(Directory, "docker-config.json");

    /// <summary><c>DOCKER_CONFIG</c>: holds <c>config.json</c>, a link to <see cref="DockerConfigFile"/>.</summary>
    public string DockerConfigDirectory => Path.Combine(Directory, "docker");

    /// <summary>
    /// The per-user folder that holds every scope of this user: <c>$XDG_RUNTIME_DIR/dotnet-remote</c> when that folder
    /// exists and belongs to this user, else <c>$TMPDIR/dotnet-remote-UID</c> (the system temp folder without TMPDIR).
    /// </summary>
    public static string BaseDirectory(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        // Only a runtime folder of this user: under sudo it may still name the invoking user's, which that user could rearrange.
        if (environment("XDG_RUNTIME_DIR") is { Length: > 0 } runtime && Path.IsPathFullyQualified(runtime) && System.IO.Directory.Exists(runtime)
            && (PosixNative.OwnerOf(runtime) ?? PosixNative.EffectiveUserId) == PosixNative.EffectiveUserId)
        {
            return Path.Combine(runtime, "dotnet-remote");
        }

        var temp = environment("TMPDIR") is { Length: > 0 } tmp && Path.IsPathFullyQualified(tmp) ? tmp : Path.GetTempPath();
        return Path.Combine(temp, $"dotnet-remote-{PosixNative.EffectiveUserId}");
    }

    /// <summary>
    /// Makes sure <paramref name="baseDirectory"/> is a private folder of this user (created 0700 when missing; a link,
    /// a file or another user's folder is refused) and removes the leftovers of dead scopes in it.
    /// </summary>
    public static ExecScope Create(string baseDirectory, IRemoteLog? log = null)
    {
        ArgumentNullException.ThrowIfNull(baseDirectory);
        EnsurePrivateBase(baseDirectory);
        RemoveLeftovers(baseDirectory, log);

        var name = $"{FolderPrefix}{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        var directory = Path.Combine(baseDirectory, name);
        FileStream? ownerLock = null;
        try
        {
            CreatePrivateDirectory(directory);
            ownerLock = new FileStream(Path.Combine(directory, LockFileName), LockOptions(FileMode.CreateNew));
            var scope = new ExecScope(directory, ownerLock);
            CreatePrivateDirectory(scope.DockerConfigDirectory);
            AtomicFile.WriteAllText(scope.DockerConfigFile, "{\n\t\"auths\": {}\n}\n", AtomicFile.PrivateFile);
            File.CreateSymbolicLink(Path.Combine(scope.DockerConfigDirectory, "config.json"), Path.Combine("..", "docker-config.json"));
            return scope;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ownerLock?.Dispose();
            TryDelete(directory);
            throw new RemoteException(RemoteErrorCodes.ExecScope, $"could not create the private configuration {directory}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Removes every <c>exec-*</c> folder of <paramref name="baseDirectory"/> that belongs to a scope that is over: owned by
    /// this user, and its lock is free (the tool ended without cleaning up) or its process is gone, or it has no lock
    /// file and has not changed for <see cref="UnlockedGracePeriod"/>. Returns the folders removed.
    /// </summary>
    public static IReadOnlyList<string> RemoveLeftovers(string baseDirectory, IRemoteLog? log = null)
    {
        ArgumentNullException.ThrowIfNull(baseDirectory);
        var removed = new List<string>();
        if (!System.IO.Directory.Exists(baseDirectory))
        {
            return removed;
        }

        var me = PosixNative.EffectiveUserId;
        foreach (var entry in new DirectoryInfo(baseDirectory).EnumerateDirectories(FolderPrefix + "*"))
        {
            try
            {
                if (entry.LinkTarget is not null || (PosixNative.OwnerOf(entry.FullName) is { } owner && owner != me))
                {
                    continue;
                }

                if (IsOver(entry))
                {
                    System.IO.Directory.Delete(entry.FullName, recursive: true);
                    removed.Add(entry.FullName);
                    log?.Info($"removed the private configuration {entry.FullName} left by an exec that did not end cleanly");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                log?.Warning($"could not remove the leftover {entry.FullName}: {ex.Message}");
            }
        }

        return removed;
    }

    /// <summary>
    /// The containers tools (skopeo, podman, buildah) before containers/image 5.26 also read
    /// <c>$XDG_CONFIG_HOME/containers/auth.json</c> when <c>REGISTRY_AUTH_FILE</c> is set. When the user has that file,
    /// this builds a stand-in config home in the scope: a link to every entry of <paramref name="configHome"/> but
    /// <c>containers</c>, and a <c>containers</c> folder linking every entry but <c>auth.json</c> (registries.conf,
    /// policy.json stay in force). Returns the stand-in for the child's <c>XDG_CONFIG_HOME</c>, or null when there is
    /// nothing to hide.
    /// </summary>
    public string? HideContainersAuthFile(string configHome)
    {
        ArgumentNullException.ThrowIfNull(configHome);
        var containers = Path.Combine(configHome, "containers");
        if (!File.Exists(Path.Combine(containers, "auth.json")))
        {
            return null;
        }

        var standIn = Path.Combine(Directory, "config-home");
        try
        {
            CreatePrivateDirectory(standIn);
            foreach (var entry in new DirectoryInfo(configHome).EnumerateFileSystemInfos())
            {
                if (entry.Name != "containers")
                {
                    File.CreateSymbolicLink(Path.Combine(standIn, entry.Name), entry.FullName);
                }
            }

            CreatePrivateDirectory(Path.Combine(standIn, "containers"));
            foreach (var entry in new DirectoryInfo(containers).EnumerateFileSystemInfos())
            {
                if (entry.Name != "auth.json")
                {
                    File.CreateSymbolicLink(Path.Combine(standIn, "containers", entry.Name), entry.FullName);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RemoteException(RemoteErrorCodes.ExecScope, $"could not hide {Path.Combine(containers, "auth.json")} from the command: {ex.Message}", ex);
        }

        return standIn;
    }

    /// <summary>Removes the folder and everything in it, then releases the lock. Safe to call twice.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            TryDelete(Directory);
        }
        finally
        {
            _lock.Dispose();
        }
    }

    private static bool IsOver(DirectoryInfo entry)
    {
        var lockPath = Path.Combine(entry.FullName, LockFileName);
        if (!File.Exists(lockPath))
        {
            return DateTime.UtcNow - entry.LastWriteTimeUtc > UnlockedGracePeriod;
        }

        // exec-PID-RANDOM: a process that certainly no longer exists cannot be using it.
        var parts = entry.Name.Split('-');
        if (parts.Length == 3 && int.TryParse(parts[1], out var pid) && !PosixNative.ProcessExists(pid))
        {
            return true;
        }

        try
        {
            using var probe = new FileStream(lockPath, LockOptions(FileMode.Open));
            return true;
        }
        catch (IOException)
        {
            // Locked: its tool is still running.
            return false;
        }
    }

    private static FileStreamOptions LockOptions(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows() && mode != FileMode.Open)
        {
            options.UnixCreateMode = AtomicFile.PrivateFile;
        }

        return options;
    }

    private static void EnsurePrivateBase(string baseDirectory)
    {
        var info = new DirectoryInfo(baseDirectory);
        try
        {
            if (!info.Exists && !File.Exists(baseDirectory) && info.LinkTarget is null)
            {
                CreatePrivateDirectory(baseDirectory);
                info.Refresh();
            }

            if (info.LinkTarget is not null || !info.Exists)
            {
                throw new RemoteException(RemoteErrorCodes.ExecScope, $"{baseDirectory} is not a folder (a link or a file is refused): remove it or set TMPDIR");
            }

            if (PosixNative.OwnerOf(baseDirectory) is { } owner && owner != PosixNative.EffectiveUserId)
            {
                throw new RemoteException(RemoteErrorCodes.ExecScope, $"{baseDirectory} belongs to another user (uid {owner}): remove it or set TMPDIR");
            }

            if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(baseDirectory) != AtomicFile.PrivateDirectory)
            {
                File.SetUnixFileMode(baseDirectory, AtomicFile.PrivateDirectory);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RemoteException(RemoteErrorCodes.ExecScope, $"cannot use {baseDirectory} for private configurations: {ex.Message}", ex);
        }
    }

    /// <summary>Creates a new folder 0700 (the umask cannot widen it; the mode is set again after creation).</summary>
    private static void CreatePrivateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(directory);
            return;
        }

        System.IO.Directory.CreateDirectory(directory, AtomicFile.PrivateDirectory);
        File.SetUnixFileMode(directory, AtomicFile.PrivateDirectory);
    }

    private static void TryDelete(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next exec, which removes it once this process is gone.
        }
    }
}

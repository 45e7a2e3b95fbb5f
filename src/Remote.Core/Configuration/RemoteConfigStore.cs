using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.IO;

namespace DotnetRemote.Core.Configuration;

/// <summary>
/// Loads and saves remote.yaml files. Every change is a locked read-modify-write with an atomic replace, so parallel
/// writers lose nothing; a file that does not parse is reported and never overwritten.
/// </summary>
internal sealed class RemoteConfigStore
{
    private readonly RemoteContext _context;

    public RemoteConfigStore(RemoteContext context) => _context = context ?? throw new ArgumentNullException(nameof(context));

    private RemotePaths Paths => _context.Paths;

    /// <summary>Apptainer's shipped system file, used when none exists (docs/compatibility.md#system-default).</summary>
    public static RemoteConfig BuiltInSystemConfig()
    {
        var config = new RemoteConfig { Active = RemoteConfig.DefaultRemoteName };
        config.Remotes[RemoteConfig.DefaultRemoteName] = new EndpointConfig { Uri = RemoteConfig.DefaultCloudUri, System = true };
        return config;
    }

    /// <summary>The user file (or <c>--config</c> file) as stored; empty when it does not exist.</summary>
    public RemoteConfig LoadUser()
    {
        // Root refuses a folder or file another user controls before reading, chmodding or writing anything there.
        FileSafety.RequireSafeFileAndDirectory(Paths.UserConfigFile);
        EnforcePrivateModes();

        // An apply killed after its commit point is finished first, so remote.yaml and docker-config.json agree.
        FileJournal.RecoverPending(Paths.UserConfigFile, AtomicFile.PrivateFile);
        return Read(Paths.UserConfigFile) ?? new RemoteConfig();
    }

    /// <summary>
    /// As Apptainer does at start-up: the default config folder is 0700 and its remote.yaml 0600, since the file holds
    /// tokens. A <c>--config</c> file, and the folder it sits in, are the user's business and stay as they are.
    /// </summary>
    private void EnforcePrivateModes()
    {
        if (!Paths.UsesDefaultUserConfig || OperatingSystem.IsWindows())
        {
            return;
        }

        Enforce(Paths.UserConfigDirectory, AtomicFile.PrivateDirectory, isDirectory: true);
        Enforce(Paths.UserConfigFile, AtomicFile.PrivateFile, isDirectory: false);

        // docker-config.json holds passwords: the same check as remote.yaml (an --authfile is the user's business).
        if (Paths.DockerFallbackFile is not null)
        {
            FileSafety.RequireSafeFile(Paths.DockerConfigFile);
            Enforce(Paths.DockerConfigFile, AtomicFile.PrivateFile, isDirectory: false);
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private void Enforce(string path, UnixFileMode mode, bool isDirectory)
    {
        try
        {
            if (!(isDirectory ? Directory.Exists(path) : File.Exists(path)))
            {
                return;
            }

            var current = File.GetUnixFileMode(path);
            if (current == mode)
            {
                return;
            }

            if (!isDirectory)
            {
                _context.Log.Warning($"File mode ({Octal(current)}) on {path} needs to be {Octal(mode)}, fixing that...");
            }

            File.SetUnixFileMode(path, mode);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _context.Log.Warning($"could not set mode {Octal(mode)} on {path}: {ex.Message}");
        }
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8);

    /// <summary>The system file, or the built-in default when it does not exist.</summary>
    public RemoteConfig LoadSystem()
    {
        WarnIfSystemFileIsWritableByOthers();
        return Read(Paths.SystemConfigFile) ?? BuiltInSystemConfig();
    }

    /// <summary>
    /// The system file decides which servers every user's tokens go to: one that another non-root user owns or that
    /// group or others may write is reported (once per command), as its owner could redirect everyone's logins.
    /// </summary>
    private void WarnIfSystemFileIsWritableByOthers()
    {
        if (OperatingSystem.IsWindows() || !UnixFile.IsSupported || !_context.WarnOnce("system-mode:" + Paths.SystemConfigFile))
        {
            return;
        }

        try
        {
            foreach (var path in new[] { Paths.SystemConfigFile, Path.GetDirectoryName(Path.GetFullPath(Paths.SystemConfigFile))! })
            {
                if (UnixFile.TargetStatus(path) is not { } status)
                {
                    continue;
                }

                const UnixFileMode othersWrite = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
                var sticky = status.Kind == UnixFileKind.Directory && (status.Mode & UnixFileMode.StickyBit) != 0;
                // The caller's own file is no risk to the caller (a test sandbox, DOTNET_REMOTE_SYSTEM_CONFIG of their own).
                if ((status.OwnerId != 0 && status.OwnerId != UnixFile.EffectiveUserId) || ((status.Mode & othersWrite) != 0 && !sticky))
                {
                    _context.Log.Warning($"The system configuration {path} can be changed by non-root users (owner uid {status.OwnerId}, mode {Octal(status.Mode)}): whoever can write it decides where every user's tokens and passwords are sent; it should be owned by root and not writable by group or others");
                    return;
                }
            }
        }
        catch (IOException)
        {
            // An unreadable status is reported by the read itself.
        }
    }

    /// <summary>What the user sees: the user file with the system file merged in.</summary>
    public RemoteConfig LoadMerged() => ConfigMerge.Merge(LoadUser(), LoadSystem(), _context.Log);

    /// <summary>
    /// As Apptainer 1.2 does on first use: the default config folder (0700) and an empty remote.yaml (0600) are
    /// created when missing. A <c>--config</c> file is created too, but never its folder (Apptainer opens it with
    /// O_CREATE, which fails in a folder that does not exist). The system file is never created here.
    /// </summary>
    public void EnsureUserFile()
    {
        var path = Paths.UserConfigFile;
        if (File.Exists(path))
        {
            return;
        }

        EnsureUserDirectory();
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = AtomicFile.PrivateFile;
            }

            using (new FileStream(path, options))
            {
            }

            _context.Log.Debug($"created empty {path}");
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first.
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RemoteException(RemoteErrorCodes.ConfigIo, $"while opening remote config file: {ex.Message}", ex);
        }
    }

    /// <summary>The default folder is created (0700); a <c>--config</c> file's folder must exist.</summary>
    /// <summary>Creates the default config folder (private); a <c>--config</c> file's folder must exist already, as in Apptainer.</summary>
    internal void EnsureUserDirectory()
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(Paths.UserConfigFile))!;
        if (Paths.UsesDefaultUserConfig)
        {
            AtomicFile.EnsureDirectory(directory, AtomicFile.PrivateDirectory);
        }
        else if (!Directory.Exists(directory))
        {
            throw new RemoteException(RemoteErrorCodes.ConfigIo, $"while opening remote config file: open {Paths.UserConfigFile}: no such file or directory");
        }
    }

    /// <summary>Changes the user file under its lock. With <paramref name="merged"/> the change sees the system remotes too.</summary>
    public async Task<T> UpdateUserAsync<T>(bool merged, Func<RemoteConfig, Task<T>> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        EnsureUserDirectory();
        using var fileLock = FileJournal.Lock(Paths.UserConfigFile, AtomicFile.PrivateFile);
        var user = LoadUser();
        var view = merged ? ConfigMerge.Merge(user, LoadSystem(), _context.Log) : user;
        var before = RemoteConfigYaml.Write(user);
        var result = await change(view).ConfigureAwait(false);
        var after = RemoteConfigYaml.Write(merged ? ConfigMerge.UserPart(view, user) : view);
        if (after != before || !File.Exists(Paths.UserConfigFile))
        {
            _context.Log.Debug($"writing {Paths.UserConfigFile}");
            AtomicFile.WriteAllText(Paths.UserConfigFile, after, AtomicFile.PrivateFile);
        }

        return result;
    }

    /// <summary>
    /// The user file's content before and after <paramref name="change"/>, without writing: for a caller that holds the
    /// lock and writes it together with other files (<see cref="FileJournal.WriteAll"/>).
    /// </summary>
    internal (string Before, string After) PrepareUserUpdate(bool merged, Action<RemoteConfig> change)
    {
        var user = LoadUser();
        var view = merged ? ConfigMerge.Merge(user, LoadSystem(), _context.Log) : user;
        var before = RemoteConfigYaml.Write(user);
        change(view);
        return (before, RemoteConfigYaml.Write(merged ? ConfigMerge.UserPart(view, user) : view));
    }

    public Task<T> UpdateUserAsync<T>(bool merged, Func<RemoteConfig, T> change) =>
        UpdateUserAsync(merged, config => Task.FromResult(change(config)));

    /// <summary>Changes the system file (world-readable, 0644) under its lock. Callers check for root first.</summary>
    public async Task<T> UpdateSystemAsync<T>(Func<RemoteConfig, Task<T>> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        AtomicFile.EnsureDirectory(Path.GetDirectoryName(Path.GetFullPath(Paths.SystemConfigFile))!, AtomicFile.PublicFile | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        using var fileLock = ConfigFileLock.Acquire(Paths.SystemConfigFile, AtomicFile.PublicFile);
        AtomicFile.SweepLeftovers(Paths.SystemConfigFile);
        FileSafety.RequireSafeFile(Paths.SystemConfigFile);
        var system = LoadSystem();
        var result = await change(system).ConfigureAwait(false);
        _context.Log.Debug($"writing {Paths.SystemConfigFile}");
        AtomicFile.WriteAllText(Paths.SystemConfigFile, RemoteConfigYaml.Write(system), AtomicFile.PublicFile);
        return result;
    }

    public Task<T> UpdateSystemAsync<T>(Func<RemoteConfig, T> change) =>
        UpdateSystemAsync(config => Task.FromResult(change(config)));

    /// <summary>Changes the system file when <paramref name="system"/> is set, else the user file (unmerged).</summary>
    public Task<T> UpdateAsync<T>(bool system, Func<RemoteConfig, T> change) =>
        system ? UpdateSystemAsync(change) : UpdateUserAsync(merged: false, change);

    private RemoteConfig? Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
            _context.Log.Debug($"read {path} ({text.Length} characters)");
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            _context.Log.Debug($"{path} does not exist");
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RemoteException(RemoteErrorCodes.ConfigIo, $"while opening remote config file: {ex.Message}", ex);
        }

        return RemoteConfigYaml.Parse(text, path);
    }
}

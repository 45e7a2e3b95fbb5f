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

    /// <summary>
    /// The command's snapshot of both files and their merge (the unit of work): read and merged on first use, the
    /// merge's notes logged then; later calls return the same snapshot while neither file changed, and read again only
    /// the file that did.
    /// </summary>
    public ConfigSnapshot Snapshot()
    {
        var cache = _context.Shared<SnapshotCache>();
        lock (cache)
        {
            var user = CurrentUser(cache);
            var system = CurrentSystem(cache);
            if (cache.Snapshot is not { } snapshot || snapshot.UserFile != user || snapshot.SystemFile != system)
            {
                snapshot = cache.Snapshot = new ConfigSnapshot(user, system, ConfigMerge.Merge(user.Config, system.Config));
                foreach (var note in snapshot.Notes)
                {
                    // A file another process changed mid-command is merged again; what was said is not said twice.
                    if (cache.NotesLogged.Add(note))
                    {
                        note.WriteTo(_context.Log);
                    }
                }
            }

            return snapshot;
        }
    }

    /// <summary>The user file (or <c>--config</c> file) as stored; empty when it does not exist. A copy the caller may change.</summary>
    public RemoteConfig LoadUser()
    {
        var cache = _context.Shared<SnapshotCache>();
        lock (cache)
        {
            return CurrentUser(cache).Config.Clone();
        }
    }

    private ConfigFileState CurrentUser(SnapshotCache cache)
    {
        var path = Paths.UserConfigFile;
        if (cache.User is { } known && known.Path == path && !File.Exists(FileJournal.JournalPath(path)) && known.IsCurrent(ReadText))
        {
            return known;
        }

        // Root refuses a folder or file another user controls before reading, chmodding or writing anything there.
        FileSafety.RequireSafeFileAndDirectory(path);
        EnforcePrivateModes();

        // An apply killed after its commit point is finished first, so remote.yaml and docker-config.json agree.
        FileJournal.RecoverPending(path, AtomicFile.PrivateFile);
        return cache.User = Read(path, static () => new RemoteConfig());
    }

    private ConfigFileState CurrentSystem(SnapshotCache cache)
    {
        var path = Paths.SystemConfigFile;
        if (cache.System is { } known && known.Path == path && known.IsCurrent(ReadText))
        {
            return known;
        }

        WarnIfSystemFileIsWritableByOthers();
        return cache.System = Read(path, BuiltInSystemConfig);
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

    /// <summary>The system file, or the built-in default when it does not exist. A copy the caller may change.</summary>
    public RemoteConfig LoadSystem()
    {
        var cache = _context.Shared<SnapshotCache>();
        lock (cache)
        {
            return CurrentSystem(cache).Config.Clone();
        }
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

    /// <summary>What the user sees: the user file with the system file merged in. A copy the caller may change.</summary>
    public RemoteConfig LoadMerged() => Snapshot().Merged.Clone();

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

    /// <summary>
    /// Changes the user file under its lock. With <paramref name="merged"/> the change sees the system remotes too.
    /// The command's snapshot is checked under the lock and read again only if another process changed the file.
    /// </summary>
    public async Task<T> UpdateUserAsync<T>(bool merged, Func<RemoteConfig, Task<T>> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        EnsureUserDirectory();
        using var fileLock = await FileJournal.LockAsync(Paths.UserConfigFile, AtomicFile.PrivateFile, _context.Time, cancellationToken).ConfigureAwait(false);
        var (user, view) = Views(merged);
        var before = RemoteConfigYaml.Write(user);
        var result = await change(view).ConfigureAwait(false);
        var after = RemoteConfigYaml.Write(merged ? ConfigMerge.UserPart(view, user) : view);
        if (after != before || !File.Exists(Paths.UserConfigFile))
        {
            _context.Log.Debug($"writing {Paths.UserConfigFile}");
            AtomicFile.WriteAllText(Paths.UserConfigFile, after, AtomicFile.PrivateFile);
            Forget(system: false);
        }

        return result;
    }

    /// <summary>Copies of the user file and of what a change sees (the merged view, or the user file itself).</summary>
    private (RemoteConfig User, RemoteConfig View) Views(bool merged)
    {
        if (!merged)
        {
            var user = LoadUser();
            return (user, user);
        }

        var snapshot = Snapshot();
        return (snapshot.User.Clone(), snapshot.Merged.Clone());
    }

    /// <summary>Drops this command's copy of a file it just wrote, so the next step reads what is on disk.</summary>
    internal void Forget(bool system)
    {
        var cache = _context.Shared<SnapshotCache>();
        lock (cache)
        {
            if (system)
            {
                cache.System = null;
            }
            else
            {
                cache.User = null;
            }

            cache.Snapshot = null;
        }
    }

    /// <summary>
    /// The user file's content before and after <paramref name="change"/>, without writing: for a caller that holds the
    /// lock and writes it together with other files (<see cref="FileJournal.WriteAll"/>), then calls <see cref="Forget"/>.
    /// </summary>
    internal (string Before, string After) PrepareUserUpdate(bool merged, Action<RemoteConfig> change)
    {
        var (user, view) = Views(merged);
        var before = RemoteConfigYaml.Write(user);
        change(view);
        return (before, RemoteConfigYaml.Write(merged ? ConfigMerge.UserPart(view, user) : view));
    }

    public Task<T> UpdateUserAsync<T>(bool merged, Func<RemoteConfig, T> change, CancellationToken cancellationToken = default) =>
        UpdateUserAsync(merged, config => Task.FromResult(change(config)), cancellationToken);

    /// <summary>
    /// Changes the system file (world-readable, 0644) under its lock. Callers check for root first, and do their network
    /// work before: nothing slow happens while the lock is held.
    /// </summary>
    public async Task<T> UpdateSystemAsync<T>(Func<RemoteConfig, T> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        AtomicFile.EnsureDirectory(Path.GetDirectoryName(Path.GetFullPath(Paths.SystemConfigFile))!, AtomicFile.PublicFile | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        using var fileLock = await ConfigFileLock.AcquireAsync(Paths.SystemConfigFile, AtomicFile.PublicFile, _context.Time, cancellationToken).ConfigureAwait(false);
        AtomicFile.SweepLeftovers(Paths.SystemConfigFile);
        FileSafety.RequireSafeFile(Paths.SystemConfigFile);
        var system = LoadSystem();
        var result = change(system);
        _context.Log.Debug($"writing {Paths.SystemConfigFile}");
        AtomicFile.WriteAllText(Paths.SystemConfigFile, RemoteConfigYaml.Write(system), AtomicFile.PublicFile);
        Forget(system: true);
        return result;
    }

    /// <summary>Changes the system file when <paramref name="system"/> is set, else the user file (unmerged).</summary>
    public Task<T> UpdateAsync<T>(bool system, Func<RemoteConfig, T> change, CancellationToken cancellationToken = default) =>
        system ? UpdateSystemAsync(change, cancellationToken) : UpdateUserAsync(merged: false, change, cancellationToken);

    /// <summary>
    /// Reads and parses a remote.yaml, keeping its status as read (from the open handle, so a change after the status
    /// shows as a change later). <paramref name="missing"/> is what a file that does not exist stands for.
    /// </summary>
    private ConfigFileState Read(string path, Func<RemoteConfig> missing)
    {
        var readAt = DateTimeOffset.UtcNow;
        string text;
        UnixFileStatus? status;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            status = UnixFile.IsSupported ? UnixFile.HandleStatus(stream.SafeFileHandle) : null;
            using var reader = new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            text = reader.ReadToEnd();
            _context.Log.Debug($"read {path} ({text.Length} characters)");
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            _context.Log.Debug($"{path} does not exist");
            return new ConfigFileState(path, null, missing(), null, readAt);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RemoteException(RemoteErrorCodes.ConfigIo, $"while opening remote config file: {ex.Message}", ex);
        }

        return new ConfigFileState(path, text, RemoteConfigYaml.Parse(text, path), status, readAt);
    }

    /// <summary>
    /// A file's content for <see cref="ConfigFileState.IsCurrent"/>: null when missing; a file that cannot be read
    /// counts as changed, so the full read reports why.
    /// </summary>
    private string? ReadText(string path)
    {
        _context.Log.Debug($"comparing {path} with the copy read before");
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Unreadable;
        }
    }

    /// <summary>Equal to no file's content (compared by reference-free ordinal equality, so a unique string).</summary>
    private static readonly string Unreadable = "\0unreadable " + Guid.NewGuid().ToString("N");

    /// <summary>The per-command state behind <see cref="Snapshot"/>, kept on the context.</summary>
    private sealed class SnapshotCache
    {
        public ConfigFileState? User { get; set; }

        public ConfigFileState? System { get; set; }

        public ConfigSnapshot? Snapshot { get; set; }

        public HashSet<ConfigNote> NotesLogged { get; } = [];
    }
}

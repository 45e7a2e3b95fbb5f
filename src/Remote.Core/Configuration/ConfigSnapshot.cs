using DotnetRemote.Core.IO;

namespace DotnetRemote.Core.Configuration;

/// <summary>
/// The unit of work's view of remote.yaml: the user file and the system file as one command read them, their merge
/// and the merge's notes. <see cref="RemoteConfigStore.Snapshot"/> makes it once per <see cref="Context.RemoteContext"/>
/// (one command, one MSBuild task) and hands the same one to every later step, after checking that neither file
/// changed since (see <see cref="ConfigFileState.IsCurrent"/>); a writer checks again under its lock. Treat the configs
/// as read-only: the store's <c>Load*</c> methods and <c>Update*</c> callbacks get copies.
/// </summary>
internal sealed class ConfigSnapshot
{
    internal ConfigSnapshot(ConfigFileState user, ConfigFileState system, ConfigMergeResult merge)
    {
        UserFile = user;
        SystemFile = system;
        Merge = merge;
    }

    /// <summary>The user file (or <c>--config</c> file) as stored; empty when it does not exist.</summary>
    public RemoteConfig User => UserFile.Config;

    /// <summary>The system file, or the built-in default when it does not exist.</summary>
    public RemoteConfig System => SystemFile.Config;

    /// <summary>What the user sees: the user file with the system file merged in.</summary>
    public RemoteConfig Merged => Merge.Merged;

    /// <summary>What the merge reported (logged once per command by the store).</summary>
    public IReadOnlyList<ConfigNote> Notes => Merge.Notes;

    internal ConfigFileState UserFile { get; }

    internal ConfigFileState SystemFile { get; }

    internal ConfigMergeResult Merge { get; }
}

/// <summary>
/// One remote.yaml as read: its text (null when missing), what it parsed to, and its status at the time of reading,
/// which tells later steps whether they may reuse it.
/// </summary>
internal sealed class ConfigFileState
{
    /// <summary>
    /// A file whose content changed less than this before it was read may change again without its status showing it
    /// (file-system timestamps are coarse: a jiffy on Linux, seconds elsewhere): such a file is compared by content
    /// instead, as git treats a "racily clean" index entry. A later write of an older file sets its mtime to a time
    /// that differs from the one kept.
    /// </summary>
    private static readonly TimeSpan RacyWindow = TimeSpan.FromSeconds(2);

    internal ConfigFileState(string path, string? text, RemoteConfig config, UnixFileStatus? status, DateTimeOffset readAt)
    {
        Path = path;
        Text = text;
        Config = config;
        Status = status;
        Racy = status is null
            || status.ModifyTimeNanoseconds >= (readAt - RacyWindow).ToUnixTimeMilliseconds() * 1_000_000;
    }

    public string Path { get; }

    /// <summary>The file's content, or null when it did not exist.</summary>
    public string? Text { get; }

    public RemoteConfig Config { get; }

    /// <summary>The status of the file read (from the open handle), or null when it did not exist or on systems without <c>statx</c>.</summary>
    private UnixFileStatus? Status { get; }

    /// <summary>True when the status alone cannot prove the file unchanged (see <see cref="RacyWindow"/>).</summary>
    private bool Racy { get; }

    /// <summary>
    /// Whether the file on disk is still the one read. Without a write in between, the status (device, inode, size,
    /// change times) is unchanged; a file that was missing must still be missing; a racy or unknown status is settled
    /// by reading the content again and comparing it (no parse).
    /// </summary>
    public bool IsCurrent(Func<string, string?> readText)
    {
        ArgumentNullException.ThrowIfNull(readText);
        if (Text is not null && Status is not null && !Racy && UnixFile.IsSupported)
        {
            var now = UnixFile.TargetStatus(Path);
            return now is not null
                && now.Identity == Status.Identity
                && now.Size == Status.Size
                && now.ChangeTimeNanoseconds == Status.ChangeTimeNanoseconds
                && now.ModifyTimeNanoseconds == Status.ModifyTimeNanoseconds;
        }

        return string.Equals(readText(Path), Text, StringComparison.Ordinal);
    }
}

using System.Collections.Concurrent;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.IO;

/// <summary>
/// Replaces several files all or nothing, even under kill -9 (a redo journal). Each file gets a journal beside it,
/// <c>.&lt;name&gt;.journal</c>, holding its new content; one commit marker, written atomically after every journal,
/// is the moment the change happens. Whoever next takes a file's lock (or reads it) finishes the job: with the marker
/// the file is rolled forward from its journal, without it the journal is dropped. So a reader sees every file old or
/// every file new, never a mix. Journals are 0600 in the config folder, like the files they replace.
/// </summary>
internal static class FileJournal
{
    private const string Header = "dotnet-remote journal 1";

    /// <summary>Locks this process holds (a reader in the same process must not wait for itself).</summary>
    private static readonly ConcurrentDictionary<string, int> HeldLocks = new(StringComparer.Ordinal);

    public static string JournalPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.journal");
    }

    /// <summary>Writes every file, all or nothing. The caller holds every file's lock.</summary>
    public static void WriteAll(IReadOnlyList<(string Path, string Content, UnixFileMode Mode)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 1)
        {
            AtomicFile.WriteAllText(files[0].Path, files[0].Content, files[0].Mode);
            return;
        }

        var id = Guid.NewGuid().ToString("N");
        var marker = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(files[0].Path))!, $".dotnet-remote-commit.{id}");
        var journals = files.Select(f => JournalPath(f.Path)).ToList();
        for (var i = 0; i < files.Count; i++)
        {
            var partners = string.Join('\t', journals.Where((_, j) => j != i));
            var mode = Convert.ToString((int)files[i].Mode, 8);
            AtomicFile.WriteAllText(journals[i], $"{Header}\n{id}\n{marker}\n{mode}\n{partners}\n{files[i].Content}", AtomicFile.PrivateFile);
        }

        // The commit point: from here on every file will hold its new content.
        AtomicFile.WriteAllText(marker, id + "\n", AtomicFile.PrivateFile);
        for (var i = 0; i < files.Count; i++)
        {
            AtomicFile.WriteAllText(files[i].Path, files[i].Content, files[i].Mode);
            TryDelete(journals[i]);
        }

        TryDelete(marker);
    }

    /// <summary>Finishes or drops a journal left for <paramref name="path"/> by a killed writer. The caller holds its lock.</summary>
    public static void Recover(string path)
    {
        var journal = JournalPath(path);
        string text;
        try
        {
            text = File.ReadAllText(journal);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RemoteException(RemoteErrorCodes.ConfigIo, $"cannot read the unfinished change {journal}: {ex.Message}", ex);
        }

        var lines = text.Split('\n', 6);
        if (lines.Length == 6 && lines[0] == Header)
        {
            var (marker, partners) = (lines[2], lines[4].Split('\t', StringSplitOptions.RemoveEmptyEntries));
            if (File.Exists(marker))
            {
                var mode = lines[3].Length is > 0 and <= 4 && lines[3].All(c => c is >= '0' and <= '7') ? (UnixFileMode)Convert.ToInt32(lines[3], 8) : AtomicFile.PrivateFile;
                AtomicFile.WriteAllText(path, lines[5], mode);
            }

            TryDelete(journal);
            if (!partners.Any(File.Exists))
            {
                TryDelete(marker);
            }

            return;
        }

        // Journals are renamed into place whole: one that does not parse was not written by us. Leave it, say so.
        throw new RemoteException(RemoteErrorCodes.ConfigInvalid, $"{journal}: not a dotnet remote journal; remove it to go on");
    }

    /// <summary>For readers: when a journal is pending for <paramref name="path"/>, takes the lock and recovers it.</summary>
    public static void RecoverPending(string path, UnixFileMode lockMode)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(JournalPath(path)))
        {
            return;
        }

        if (HeldLocks.ContainsKey(Path.GetFullPath(path)))
        {
            Recover(path);
            return;
        }

        using var fileLock = Lock(path, lockMode);
        Recover(path);
    }

    /// <summary>
    /// Takes a file's lock (waiting asynchronously on <paramref name="time"/>, up to 30 s), sweeps temp files killed
    /// writers left and recovers a pending journal.
    /// </summary>
    public static async Task<IDisposable> LockAsync(string path, UnixFileMode lockMode, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Prepare(path, await ConfigFileLock.AcquireAsync(path, lockMode, time, cancellationToken).ConfigureAwait(false));
    }

    /// <summary><see cref="LockAsync"/> for the synchronous reader of <see cref="RecoverPending"/>.</summary>
    public static IDisposable Lock(string path, UnixFileMode lockMode)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Prepare(path, ConfigFileLock.Acquire(path, lockMode));
    }

    private static Held Prepare(string path, ConfigFileLock fileLock)
    {
        var key = Path.GetFullPath(path);
        var held = new Held(fileLock, key);
        HeldLocks.AddOrUpdate(key, 1, (_, n) => n + 1);
        try
        {
            AtomicFile.SweepLeftovers(path);
            AtomicFile.SweepLeftovers(JournalPath(path));
            SweepUncommittedMarkers(path);
            Recover(path);
            return held;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A commit marker's temp file is a commit that never happened (its rename is the commit): it is only ever written
    /// while the writer holds every lock, this one included, so one found now belongs to a killed writer.
    /// </summary>
    private static void SweepUncommittedMarkers(string path)
    {
        try
        {
            foreach (var leftover in Directory.EnumerateFiles(Path.GetDirectoryName(Path.GetFullPath(path))!, "..dotnet-remote-commit.*.tmp"))
            {
                TryDelete(leftover);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private sealed class Held(ConfigFileLock inner, string key) : IDisposable
    {
        public void Dispose()
        {
            HeldLocks.AddOrUpdate(key, 0, (_, n) => n - 1);
            if (HeldLocks.TryGetValue(key, out var n) && n <= 0)
            {
                HeldLocks.TryRemove(key, out _);
            }

            inner.Dispose();
        }
    }
}

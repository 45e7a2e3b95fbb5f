using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Configuration;

/// <summary>Something the merge has to tell the user (Apptainer prints it while merging); data, so it is printed once.</summary>
internal sealed record ConfigNote(bool IsWarning, string Message)
{
    public void WriteTo(IRemoteLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (IsWarning)
        {
            log.Warning(Message);
        }
        else
        {
            log.Info(Message);
        }
    }
}

/// <summary>The user's view and what the merge noticed on the way.</summary>
internal sealed record ConfigMergeResult(RemoteConfig Merged, IReadOnlyList<ConfigNote> Notes)
{
    /// <summary>Writes the notes to <paramref name="log"/> and returns the merged view.</summary>
    public RemoteConfig LogTo(IRemoteLog log)
    {
        foreach (var note in Notes)
        {
            note.WriteTo(log);
        }

        return Merged;
    }
}

/// <summary>
/// Folds the system file into a user view (docs/compatibility.md#merge), with two fixes: an exclusive system remote cannot be shadowed
/// by a user remote of the same name, and several exclusive remotes resolve deterministically (first by name).
/// Pure: it neither reads nor logs; what Apptainer would print comes back as <see cref="ConfigMergeResult.Notes"/>,
/// which <see cref="RemoteConfigStore"/> logs once per command.
/// </summary>
internal static class ConfigMerge
{
    public static ConfigMergeResult Merge(RemoteConfig user, RemoteConfig system)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(system);
        var notes = new List<ConfigNote>();
        var merged = user.Clone();
        string? exclusive = null;
        foreach (var name in system.Remotes.Keys.Order(StringComparer.Ordinal))
        {
            var source = system.Remotes[name];
            if (merged.Remotes.TryGetValue(name, out var existing) && !existing.System && !source.Exclusive)
            {
                notes.Add(new ConfigNote(IsWarning: false, $"{name} defined both globally and individually, using individual"));
                continue;
            }

            var copy = existing is { System: true } ? existing : new EndpointConfig();
            copy.Uri = source.Uri;
            copy.System = true;
            copy.Exclusive = source.Exclusive;
            copy.Insecure = source.Insecure;
            copy.Keyservers.Clear();
            copy.Keyservers.AddRange(source.Keyservers.Select(k => k with { }));
            if (existing is { System: false })
            {
                notes.Add(new ConfigNote(IsWarning: true, $"{name} is set exclusive by the system administrator, using the global definition"));
                copy.Token = "";
            }

            merged.Remotes[name] = copy;
            exclusive ??= source.Exclusive ? name : null;
        }

        foreach (var (name, endpoint) in merged.Remotes)
        {
            if (endpoint.System && !system.Remotes.ContainsKey(name))
            {
                // A copy Apptainer wrote of a remote the administrator has since deleted: the system file alone
                // decides exclusivity, so a stale copy must not lock the user in.
                endpoint.Exclusive = false;
            }
        }

        if (exclusive is not null)
        {
            merged.Active = exclusive;
        }
        else if (merged.Active.Length == 0)
        {
            merged.Active = system.Active;
        }

        return new ConfigMergeResult(merged, notes);
    }

    /// <summary>
    /// What of a merged view belongs in the user file: everything except unchanged copies of system remotes,
    /// which Apptainer would pile up in user files forever (docs/compatibility.md#fix-stale-system-copies). Copies holding a token stay.
    /// </summary>
    public static RemoteConfig UserPart(RemoteConfig merged, RemoteConfig originalUser)
    {
        ArgumentNullException.ThrowIfNull(merged);
        ArgumentNullException.ThrowIfNull(originalUser);
        var user = merged.Clone();
        foreach (var (name, endpoint) in merged.Remotes)
        {
            if (originalUser.Remotes.TryGetValue(name, out var individual) && !individual.System && endpoint.System)
            {
                // Shadowed by an exclusive system remote in the view; the user's own entry is kept as it was.
                user.Remotes[name] = individual.Clone();
            }
            else if (endpoint.System && endpoint.Token.Length == 0 && !originalUser.Remotes.ContainsKey(name))
            {
                user.Remotes.Remove(name);
            }
        }

        return user;
    }
}

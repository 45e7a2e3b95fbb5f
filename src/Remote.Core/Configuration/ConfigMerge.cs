using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Configuration;

/// <summary>
/// Folds the system file into a user view (docs/compatibility.md#merge), with two fixes: an exclusive system remote cannot be shadowed
/// by a user remote of the same name, and several exclusive remotes resolve deterministically (first by name).
/// </summary>
internal static class ConfigMerge
{
    public static RemoteConfig Merge(RemoteConfig user, RemoteConfig system, IRemoteLog log)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(log);
        var merged = user.Clone();
        string? exclusive = null;
        foreach (var name in system.Remotes.Keys.Order(StringComparer.Ordinal))
        {
            var source = system.Remotes[name];
            if (merged.Remotes.TryGetValue(name, out var existing) && !existing.System && !source.Exclusive)
            {
                log.Info($"{name} defined both globally and individually, using individual");
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
                log.Warning($"{name} is set exclusive by the system administrator, using the global definition");
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

        return merged;
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

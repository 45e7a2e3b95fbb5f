using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Endpoints;
using DotnetRemote.Core.Keyservers;

namespace DotnetRemote.Core.Manifests;

/// <summary>
/// <c>apply --system</c>, the system-file side of <see cref="ApplyManifest"/>: the manifest's remotes become the
/// system file's (<c>uri</c>, <c>insecure</c>, <c>exclusive</c>, <c>use</c>, <c>keyservers</c> with <c>order</c>,
/// <c>insecure</c> and <c>skip</c>). The rules of the single commands hold: <c>add --global</c> (root, a System
/// entry), <c>use --global [--exclusive]</c> (the active remote), <c>add-keyserver --order</c> (visible positions),
/// <c>remove-keyserver</c> (the endpoint's own keyserver is hidden with <c>Skip</c>, never deleted). Tokens and
/// logins are refused: the file is world-readable. The whole plan is checked (one active remote, at most one
/// exclusive remote) before the file is written once, under its lock.
/// </summary>
internal sealed class ApplySystemManifest(RemoteContext context)
{
    public async Task<ApplyManifestResult> ExecuteAsync(ApplyManifestOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var manifest = options.Manifest;
        if (!options.DryRun)
        {
            context.RequireRoot("Unable to modify global endpoint configuration file");
        }

        CheckDeclarations(manifest);
        var store = new RemoteConfigStore(context);
        var current = store.LoadSystem();
        var own = await OwnKeyserversAsync(manifest, current, options, cancellationToken).ConfigureAwait(false);
        var changes = new List<ManifestChange>();
        Plan(current.Clone(), manifest, options.Prune, own, changes, log: options.Prune);
        if (options.DryRun || !changes.Any(c => c.Action != "unchanged"))
        {
            return new ApplyManifestResult(changes, Applied: false);
        }

        // Planned again on the file as it is under the lock: a concurrent edit is not lost, and the checks run again.
        await store.UpdateSystemAsync(config =>
        {
            Plan(config, manifest, options.Prune, own, [], log: false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        context.Log.Info($"{manifest.Source} applied to {context.Paths.SystemConfigFile}: {changes.Count(c => c.Action != "unchanged")} change(s)");
        return new ApplyManifestResult(changes, Applied: true);
    }

    /// <summary>What a system manifest may not declare, refused before anything is read or contacted.</summary>
    internal static void CheckDeclarations(Manifest manifest)
    {
        if (manifest.Logins.Count > 0)
        {
            var login = manifest.Logins[0];
            throw Invalid(login.Origin, $"login {login.Uri}: logins are per user and never go to the world-readable system file; apply them without --system");
        }

        foreach (var remote in manifest.Remotes)
        {
            if (remote.Token is not null)
            {
                throw Invalid(remote.Origin, $"remote {remote.Name} has a token: tokens are per user and never go to the world-readable system file; apply them without --system");
            }

            var hidden = remote.Keyservers.Where(k => k.Skip).ToList();
            if (hidden.Count > 1)
            {
                throw Invalid(hidden[1].Origin, $"remote {remote.Name}: only the endpoint's own keyserver can be hidden (skip: true), and {hidden[0].Uri} already is");
            }

            if (remote.Keyservers.Count > 0 && hidden.Count == remote.Keyservers.Count)
            {
                throw Invalid(remote.Origin, $"remote {remote.Name}: every keyserver is hidden; one must stay visible (the primary keyserver)");
            }

            foreach (var keyserver in remote.Keyservers)
            {
                try
                {
                    KeyserverUri.Normalize(keyserver.Uri);
                }
                catch (RemoteException ex)
                {
                    throw new RemoteException(ex.Code, $"{keyserver.Origin}: {ex.Message}", ex);
                }

                var twin = remote.Keyservers.FirstOrDefault(k => k != keyserver && KeyserverUri.IsSameKeyserver(k.Uri, keyserver.Uri));
                if (twin is not null)
                {
                    throw Invalid(keyserver.Origin, $"remote {remote.Name}: keyserver {keyserver.Uri} is declared twice (same keyserver as {twin.Uri})");
                }
            }
        }

        var exclusive = manifest.Remotes.Where(r => r.Exclusive).ToList();
        if (exclusive.Count > 1)
        {
            throw Invalid(exclusive[1].Origin, $"remotes {exclusive[0].Name} and {exclusive[1].Name} are both exclusive; at most one remote can be exclusive");
        }

        var used = manifest.Remotes.Where(r => r.Use).ToList();
        if (used.Count > 1)
        {
            throw Invalid(used[1].Origin, $"remotes {used[0].Name} and {used[1].Name} both have use: true; only one remote is the active one");
        }

        if (exclusive.Count == 1 && used.Count == 1 && used[0].Name != exclusive[0].Name)
        {
            throw Invalid(used[0].Origin, $"use: true on {used[0].Name} conflicts with exclusive remote {exclusive[0].Name}, which is the active one");
        }
    }

    /// <summary>
    /// Each declared keyserver list's "own" keyserver (the endpoint's discovered one, stored with <c>External: false</c>
    /// so Apptainer sends it the remote's token): the one declared <c>skip: true</c>, else the one already stored for the
    /// same endpoint, else the discovered one (Apptainer's stock remote answers locally; <c>--no-verify</c> asks nobody).
    /// </summary>
    private async Task<Dictionary<string, string?>> OwnKeyserversAsync(Manifest manifest, RemoteConfig current, ApplyManifestOptions options, CancellationToken cancellationToken)
    {
        var own = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var remote in manifest.Remotes.Where(r => !r.Remove && r.Keyservers.Count > 0))
        {
            var uri = At(remote.Origin, () => EndpointUri.Normalize(remote.Uri));
            if (remote.Keyservers.FirstOrDefault(k => k.Skip) is { } hidden)
            {
                own[remote.Name] = hidden.Uri;
            }
            else if (current.Remotes.TryGetValue(remote.Name, out var stored) && stored.Uri == uri && stored.Keyservers.FirstOrDefault(k => !k.External) is { } storedOwn)
            {
                own[remote.Name] = storedOwn.Uri;
            }
            else if (!options.NoVerify || uri == RemoteConfig.DefaultCloudUri)
            {
                var endpoint = new EndpointConfig { Uri = uri, Insecure = remote.Insecure, System = true };
                try
                {
                    own[remote.Name] = await new ServiceDiscovery(context).GetServiceUriAsync(endpoint, "keyserver", cancellationToken).ConfigureAwait(false);
                }
                catch (RemoteException ex) when (ex.Code == RemoteErrorCodes.ServiceMissing)
                {
                    own[remote.Name] = null;
                }
                catch (RemoteException ex)
                {
                    throw new RemoteException(ex.Code, $"{remote.Origin}: remote {remote.Name}: finding its own keyserver: {ex.Message}", ex);
                }
            }
            else
            {
                own[remote.Name] = null;
            }
        }

        return own;
    }

    /// <summary>Brings <paramref name="config"/> (the system file) to the manifest's state, noting each change; throws when the result is not valid.</summary>
    private void Plan(RemoteConfig config, Manifest manifest, bool prune, IReadOnlyDictionary<string, string?> own, List<ManifestChange> changes, bool log)
    {
        foreach (var remote in manifest.Remotes)
        {
            At(remote.Origin, () => PlanRemote(config, remote, own, changes));
        }

        if (prune)
        {
            var declared = manifest.Remotes.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var name in config.Remotes.Keys.Where(n => !declared.Contains(n)).Order(StringComparer.Ordinal).ToList())
            {
                if (name == RemoteConfig.DefaultRemoteName)
                {
                    if (log)
                    {
                        context.Log.Info($"{name} is kept: the built-in remote is removed only when the manifest declares it with remove: true");
                    }

                    continue;
                }

                changes.Add(new ManifestChange("remote", name, "remove", config.Remotes[name].Uri));
                Remove(config, name);
            }
        }

        if (config.Active.Length == 0 || !config.Remotes.ContainsKey(config.Active))
        {
            throw Invalid(manifest.Source, "the system file would have no active remote: declare one remote with use: true (or exclusive: true)");
        }

        var exclusive = config.Remotes.Where(r => r.Value.Exclusive).Select(r => r.Key).Order(StringComparer.Ordinal).ToList();
        if (exclusive.Count > 1)
        {
            throw Invalid(manifest.Source, $"the system file would have {exclusive.Count} exclusive remotes ({string.Join(", ", exclusive)}); at most one remote can be exclusive");
        }

        if (exclusive.Count == 1 && exclusive[0] != config.Active)
        {
            throw Invalid(manifest.Source, $"remote {exclusive[0]} is exclusive but {config.Active} would be the active remote; declare {exclusive[0]} without exclusive, or remove it");
        }
    }

    private static void PlanRemote(RemoteConfig config, ManifestRemote remote, IReadOnlyDictionary<string, string?> own, List<ManifestChange> changes)
    {
        config.Remotes.TryGetValue(remote.Name, out var existing);
        if (remote.Remove)
        {
            if (existing is null)
            {
                changes.Add(new ManifestChange("remote", remote.Name, "unchanged", "absent"));
            }
            else
            {
                changes.Add(new ManifestChange("remote", remote.Name, "remove", existing.Uri));
                Remove(config, remote.Name);
            }

            return;
        }

        var uri = EndpointUri.Normalize(remote.Uri);
        if (existing is null)
        {
            existing = new EndpointConfig { Uri = uri, System = true, Insecure = remote.Insecure };
            config.Remotes[remote.Name] = existing;
            changes.Add(new ManifestChange("remote", remote.Name, "add", uri));
        }
        else if (existing.Uri != uri || existing.Insecure != remote.Insecure || !existing.System)
        {
            existing.Uri = uri;
            existing.Insecure = remote.Insecure;
            existing.System = true;
            changes.Add(new ManifestChange("remote", remote.Name, "update", uri));
        }
        else
        {
            changes.Add(new ManifestChange("remote", remote.Name, "unchanged", uri));
        }

        if (remote.Exclusive || existing.Exclusive)
        {
            changes.Add(new ManifestChange("exclusive", remote.Name, existing.Exclusive == remote.Exclusive ? "unchanged" : "update", remote.Exclusive ? "true" : "false"));
            existing.Exclusive = remote.Exclusive;
        }

        if (remote.Keyservers.Count > 0)
        {
            PlanKeyservers(existing, remote, own.GetValueOrDefault(remote.Name), changes);
        }

        if (remote.Use || remote.Exclusive)
        {
            changes.Add(new ManifestChange("active", remote.Name, config.Active == remote.Name ? "unchanged" : "update", remote.Name));
            config.Active = remote.Name;
        }
    }

    /// <summary>
    /// The declared list: visible keyservers at their <c>order</c> (those without one follow in file order), the own
    /// keyserver stored as not External, a hidden one as <c>Skip</c>. A stored list that means the same (same visible
    /// sequence, same hidden entries wherever they sit) is left as it is, so a file made by the single commands is
    /// not rewritten.
    /// </summary>
    private static void PlanKeyservers(EndpointConfig endpoint, ManifestRemote remote, string? own, List<ManifestChange> changes)
    {
        bool IsOwn(string uri) => own is not null && KeyserverUri.IsSameKeyserver(uri, own);
        var visible = remote.Keyservers
            .Where(k => !k.Skip)
            .Select((k, i) => (Keyserver: k, Position: k.Order ?? int.MaxValue, Index: i))
            .OrderBy(k => k.Position).ThenBy(k => k.Index)
            .Select(k => new KeyserverConfig { Uri = k.Keyserver.Uri, External = !IsOwn(k.Keyserver.Uri), Insecure = k.Keyserver.Insecure })
            .ToList();
        var hidden = remote.Keyservers
            .Where(k => k.Skip)
            .Select(k => new KeyserverConfig { Uri = k.Uri, Skip = true, External = false, Insecure = k.Insecure })
            .ToList();
        var same = endpoint.Keyservers.Where(k => !k.Skip).SequenceEqual(visible)
            && endpoint.Keyservers.Count(k => k.Skip) == hidden.Count
            && hidden.All(endpoint.Keyservers.Contains);
        var detail = string.Join(", ", visible.Select(k => k.Uri)) + (hidden.Count > 0 ? $" (hidden: {string.Join(", ", hidden.Select(k => k.Uri))})" : "");
        changes.Add(new ManifestChange("keyservers", remote.Name, same ? "unchanged" : "update", detail));
        if (!same)
        {
            endpoint.Keyservers.Clear();
            endpoint.Keyservers.AddRange(hidden);
            endpoint.Keyservers.AddRange(visible);
        }
    }

    private static void Remove(RemoteConfig config, string name)
    {
        config.Remotes.Remove(name);
        if (config.Active == name)
        {
            config.Active = "";
        }
    }

    private static RemoteException Invalid(string origin, string detail) =>
        new(RemoteErrorCodes.ManifestInvalid, $"{origin}: {detail}");

    /// <summary>Runs a step, prefixing any failure with where the entry was declared.</summary>
    private static T At<T>(string origin, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (RemoteException ex) when (ex is not ConfigFileException && ex.Code != RemoteErrorCodes.ManifestInvalid)
        {
            throw new RemoteException(ex.Code, $"{origin}: {ex.Message}", ex);
        }
    }

    private static void At(string origin, Action step) => At(origin, () =>
    {
        step();
        return 0;
    });
}

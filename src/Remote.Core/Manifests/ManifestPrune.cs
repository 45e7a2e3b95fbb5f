using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Credentials;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Keyservers;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Manifests;

/// <summary>
/// The user-scope side of <c>apply --prune</c> and <c>remove: true</c>: user remotes, registry logins
/// (<c>docker-config.json</c> keys and remote.yaml entries) and keyserver logins that the manifest does not declare are
/// removed. System remotes (and the copies of them in a user file) are the administrator's and never touched here.
/// </summary>
internal sealed class ManifestPrune
{
    private readonly RemoteContext _context;
    private readonly HashSet<string> _declaredRemotes;
    private readonly IReadOnlyList<RegistryReference> _declaredRegistries;
    private readonly IReadOnlyList<string> _declaredKeyservers;
    private readonly List<string> _dockerKeys = [];

    private ManifestPrune(RemoteContext context, Manifest manifest, IReadOnlyList<RegistryReference> registries)
    {
        _context = context;
        _declaredRemotes = manifest.Remotes.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        _declaredRegistries = registries;
        _declaredKeyservers = manifest.Logins.Where(l => KeyserverUri.IsKeyserver(l.Uri)).Select(l => l.Uri).ToList();
    }

    /// <summary>What only a system manifest may declare, refused in user scope before anything is read or contacted.</summary>
    public static void CheckUserScope(Manifest manifest)
    {
        foreach (var remote in manifest.Remotes)
        {
            if (remote.Exclusive)
            {
                throw new RemoteException(RemoteErrorCodes.ManifestInvalid, $"{remote.Origin}: remote {remote.Name}: exclusive is set by the administrator for every user; apply it with --system");
            }

            if (remote.Keyservers.FirstOrDefault(k => k.Skip) is { } hidden)
            {
                throw new RemoteException(RemoteErrorCodes.ManifestInvalid, $"{hidden.Origin}: keyserver {hidden.Uri}: skip hides a system remote's own keyserver; apply it with --system");
            }
        }
    }

    /// <summary><c>remove: true</c> on a user remote: gone (and no longer active), or already absent.</summary>
    public static void RemoveRemote(RemoteConfig config, string name, EndpointConfig? existing, List<ManifestChange> changes)
    {
        if (existing is null)
        {
            changes.Add(new ManifestChange("remote", name, "unchanged", "absent"));
            return;
        }

        changes.Add(new ManifestChange("remote", name, "remove", existing.Uri));
        config.Remotes.Remove(name);
        if (config.Active == name)
        {
            config.Active = "";
        }
    }

    /// <summary>
    /// Removes from <paramref name="desired"/> (the merged view) every user remote and login the manifest does not
    /// declare, noting each in <paramref name="changes"/>, and finds the undeclared docker-config keys. Writes nothing.
    /// </summary>
    public static async Task<ManifestPrune> PlanAsync(RemoteContext context, Manifest manifest, IReadOnlyList<RegistryReference> declaredRegistries, RemoteConfig desired, List<ManifestChange> changes, CancellationToken cancellationToken)
    {
        var prune = new ManifestPrune(context, manifest, declaredRegistries);
        foreach (var name in desired.Remotes.Keys.Order(StringComparer.Ordinal).ToList())
        {
            var endpoint = desired.Remotes[name];
            if (prune.IsUndeclaredUserRemote(name, endpoint))
            {
                RemoveRemote(desired, name, endpoint, changes);
            }
        }

        foreach (var entry in desired.Credentials.Where(c => !prune.IsDeclared(c)))
        {
            changes.Add(new ManifestChange("login", entry.Uri, "remove", "remote.yaml"));
        }

        desired.Credentials.RemoveAll(c => !prune.IsDeclared(c));
        var logins = await new DockerCredentialStore(context, context.Paths.DockerConfigFile).ListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var login in logins.Where(l => !declaredRegistries.Any(r => r.ConfigKey == l.Key)))
        {
            changes.Add(new ManifestChange("login", login.Key, "remove", login.Username.Length > 0 ? login.Username : "docker-config.json"));
            prune._dockerKeys.Add(login.Key);
        }

        return prune;
    }

    /// <summary>The docker-config keys the prune removes (ManifestCommit removes them with the rest of the apply).</summary>
    internal IReadOnlyCollection<string> DockerKeys => _dockerKeys;

    /// <summary>The same removals on the user's file as it is under its lock.</summary>
    public void Apply(RemoteConfig config)
    {
        foreach (var name in config.Remotes.Keys.ToList())
        {
            if (IsUndeclaredUserRemote(name, config.Remotes[name]))
            {
                RemoveRemote(config, name, config.Remotes[name], []);
            }
        }

        config.Credentials.RemoveAll(c => !IsDeclared(c));
    }

    private bool IsUndeclaredUserRemote(string name, EndpointConfig endpoint) => !endpoint.System && !_declaredRemotes.Contains(name);

    private bool IsDeclared(CredentialConfig entry) =>
        RegistryReference.IsRegistryUri(entry.Uri)
            ? _declaredRegistries.Any(r => RegistryLogins.IsSameLogin(entry.Uri, r))
            : _declaredKeyservers.Any(uri => KeyserverUri.IsSameUri(entry.Uri, uri));
}

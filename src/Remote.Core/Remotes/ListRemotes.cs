using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Keyservers;
using DotnetRemote.Core.Logins;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Remotes;

internal sealed record RemoteEntry(string Name, string Uri, bool Active, bool Global, bool Exclusive, bool Insecure);

internal sealed record LoginEntry(string Uri, bool Insecure);

/// <summary><c>remote list</c> takes no options.</summary>
internal sealed record ListRemotesOptions;

/// <summary>
/// Everything <c>remote list</c> shows. <see cref="Keyservers"/> is null when there is no usable default remote
/// or its keyserver cannot be discovered (the seed then leaves the section out).
/// </summary>
internal sealed record ListRemotesResult(IReadOnlyList<RemoteEntry> Remotes, IReadOnlyList<KeyserverEntry>? Keyservers, IReadOnlyList<LoginEntry> Logins);

/// <summary>
/// <c>remote list</c>: the merged view of the user and system files. Creates an empty user file on first use, as
/// Apptainer 1.2 does (<see cref="RemoteConfigStore.EnsureUserFile"/>); writes nothing else. Its logins are
/// <see cref="ListRegistryLogins"/>'s: what <c>credential get</c> would serve, not what remote.yaml remembers.
/// </summary>
internal sealed class ListRemotes(RemoteContext context)
{
    public async Task<ListRemotesResult> ExecuteAsync(ListRemotesOptions options, CancellationToken cancellationToken = default)
    {
        var store = new RemoteConfigStore(context);
        store.EnsureUserFile();
        var config = store.LoadMerged();
        var remotes = config.Remotes
            .OrderBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => new RemoteEntry(r.Key, r.Value.Uri, r.Key == config.Active, r.Value.System, r.Value.Exclusive, r.Value.Insecure))
            .ToList();
        return new ListRemotesResult(remotes, await DefaultKeyserversAsync(config, cancellationToken).ConfigureAwait(false), await LoginsAsync(config, cancellationToken).ConfigureAwait(false));
    }

    private async Task<IReadOnlyList<LoginEntry>> LoginsAsync(RemoteConfig config, CancellationToken cancellationToken)
    {
        try
        {
            return (await new ListRegistryLogins(context).ExecuteAsync(new ListRegistryLoginsOptions(), cancellationToken).ConfigureAwait(false)).Logins
                .Select(login => new LoginEntry(login.Uri ?? LoginUri(login.Key!), login.Insecure))
                .ToList();
        }
        catch (RemoteException ex)
        {
            // The remotes must still list when the credential store cannot be read; say why the logins are unchecked.
            context.Log.Warning($"cannot check the registry logins: {ex.Message}");
            return config.Credentials.Select(c => new LoginEntry(c.Uri, c.Insecure)).ToList();
        }
    }

    /// <summary>A login only a docker-config file knows, shown as the URI a login to it would have recorded.</summary>
    private static string LoginUri(string key) =>
        RegistryReference.TryParseRegistry($"docker://{DockerConfigFile.SchemeKeyHostname(key) ?? key}", out var reference) ? reference.Uri : key;

    private async Task<IReadOnlyList<KeyserverEntry>?> DefaultKeyserversAsync(RemoteConfig config, CancellationToken cancellationToken)
    {
        if (!config.Remotes.TryGetValue(config.Active, out var endpoint))
        {
            return null;
        }

        try
        {
            var list = await EndpointKeyservers.ResolveAsync(context, endpoint, cancellationToken).ConfigureAwait(false);
            return list.Where(k => !k.Skip).Select((k, i) => new KeyserverEntry(k.Uri, k.Insecure, i + 1, !k.External)).ToList();
        }
        catch (RemoteException)
        {
            return null;
        }
    }
}

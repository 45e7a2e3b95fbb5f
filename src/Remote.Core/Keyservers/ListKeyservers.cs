using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Keyservers;

/// <param name="Order">1-based position among the visible keyservers.</param>
/// <param name="Own">The endpoint's own (discovered) keyserver, shown with <c>*</c> in the seed's table.</param>
internal sealed record KeyserverEntry(string Uri, bool Insecure, int Order, bool Own);

/// <param name="Keyservers">Null when the endpoint's keyserver could not be discovered.</param>
internal sealed record EndpointKeyserverEntry(string Name, bool System, bool Default, IReadOnlyList<KeyserverEntry>? Keyservers);

/// <param name="RemoteName">List only this remote's keyservers; null for every remote.</param>
internal sealed record ListKeyserversOptions(string? RemoteName = null);

/// <param name="Remotes">Every remote (or the one asked for) in name order.</param>
internal sealed record ListKeyserversResult(IReadOnlyList<EndpointKeyserverEntry> Remotes);

/// <summary>
/// <c>keyserver list [remote]</c> (docs/compatibility.md#keyserver-list), every remote in name order. Unlike Apptainer it works without a
/// default remote, and a named remote needs no default either (docs/compatibility.md#fix-keyserver-list).
/// </summary>
internal sealed class ListKeyservers(RemoteContext context)
{
    public async Task<ListKeyserversResult> ExecuteAsync(ListKeyserversOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var remoteName = options.RemoteName;
        var config = new RemoteConfigStore(context).LoadMerged();
        if (!string.IsNullOrEmpty(remoteName) && !config.Remotes.ContainsKey(remoteName))
        {
            throw new RemoteException(RemoteErrorCodes.RemoteNotFound, $"no remote-endpoint with the name \"{remoteName}\" found");
        }

        var result = new List<EndpointKeyserverEntry>();
        foreach (var (name, endpoint) in config.Remotes.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            if (!string.IsNullOrEmpty(remoteName) && name != remoteName)
            {
                continue;
            }

            IReadOnlyList<KeyserverEntry>? keyservers;
            try
            {
                var list = await EndpointKeyservers.ResolveAsync(context, endpoint, cancellationToken).ConfigureAwait(false);
                keyservers = list.Where(k => !k.Skip).Select((k, i) => new KeyserverEntry(k.Uri, k.Insecure, i + 1, !k.External)).ToList();
            }
            catch (RemoteException)
            {
                keyservers = null;
            }

            result.Add(new EndpointKeyserverEntry(name, endpoint.System, name == config.Active, keyservers));
        }

        return new ListKeyserversResult(result);
    }
}

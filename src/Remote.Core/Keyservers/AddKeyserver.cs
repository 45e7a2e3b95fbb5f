using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Keyservers;

/// <param name="Uri">The keyserver URL (http, https, hkp or hkps).</param>
/// <param name="RemoteName">The system remote it belongs to; null for the default remote.</param>
/// <param name="Order">1-based position among the visible keyservers; null appends.</param>
/// <param name="Insecure">Skip TLS certificate verification for it.</param>
internal sealed record AddKeyserverOptions(string Uri, string? RemoteName = null, int? Order = null, bool Insecure = false);

/// <param name="Uri">The keyserver added, normalised as it is stored.</param>
/// <param name="ConfigFile">The system file it was added to.</param>
internal sealed record AddKeyserverResult(string Uri, string ConfigFile);

/// <summary>
/// <c>remote add-keyserver</c> / <c>keyserver add</c> (docs/compatibility.md#keyserver-add), editing the system file. Fixes: <c>--order</c>
/// counts the keyservers a user sees, not hidden skipped entries, and a re-enabled keyserver takes <c>--insecure</c>.
/// </summary>
internal sealed class AddKeyserver(RemoteContext context)
{
    public async Task<AddKeyserverResult> ExecuteAsync(AddKeyserverOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var uri = EndpointKeyservers.CheckSystemEdit(context, options.Uri);
        if (options.Order is <= 0)
        {
            throw new RemoteException(RemoteErrorCodes.KeyserverOrder, "order must be > 0");
        }

        await EndpointKeyservers.EditSystemEndpointAsync(context, options.RemoteName, endpoint =>
        {
            var list = endpoint.Keyservers;
            var visible = list.Where(k => !k.Skip).ToList();
            var maxOrder = visible.Count + 1;
            var order = options.Order ?? maxOrder;
            if (order > maxOrder)
            {
                throw new RemoteException(RemoteErrorCodes.KeyserverOrder, $"order is out of range: maximum is {maxOrder}");
            }

            var match = list.FirstOrDefault(k => KeyserverUri.IsSameKeyserver(k.Uri, uri));
            KeyserverConfig entry;
            if (match is { External: false, Skip: true })
            {
                list.Remove(match);
                entry = match with { Skip = false, Insecure = match.Insecure || options.Insecure };
            }
            else if (match is not null)
            {
                throw new RemoteException(RemoteErrorCodes.KeyserverExists, $"{uri} is already configured");
            }
            else
            {
                entry = new KeyserverConfig { Uri = uri, External = true, Insecure = options.Insecure };
            }

            // Insert before the keyserver now shown at that position, so the new one is shown at --order.
            var index = order <= visible.Count ? list.IndexOf(visible[order - 1]) : list.Count;
            list.Insert(index, entry);
        }, cancellationToken).ConfigureAwait(false);
        return new AddKeyserverResult(uri, context.Paths.SystemConfigFile);
    }
}

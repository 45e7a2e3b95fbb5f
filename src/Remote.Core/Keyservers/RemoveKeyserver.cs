using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Keyservers;

/// <param name="Uri">The keyserver URL to remove.</param>
/// <param name="RemoteName">The system remote it belongs to; null for the default remote.</param>
internal sealed record RemoveKeyserverOptions(string Uri, string? RemoteName = null);

/// <param name="Uri">The keyserver removed (or hidden, for the endpoint's own).</param>
/// <param name="ConfigFile">The system file it was removed from.</param>
internal sealed record RemoveKeyserverResult(string Uri, string ConfigFile);

/// <summary>
/// <c>remote remove-keyserver</c> / <c>keyserver remove</c> (docs/compatibility.md#keyserver-remove). The endpoint's own keyserver is marked
/// <c>Skip</c> rather than deleted, so discovery does not bring it back; the last visible one stays.
/// </summary>
internal sealed class RemoveKeyserver(RemoteContext context)
{
    public async Task<RemoveKeyserverResult> ExecuteAsync(RemoveKeyserverOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var uri = EndpointKeyservers.CheckSystemEdit(context, options.Uri);
        await EndpointKeyservers.EditSystemEndpointAsync(context, options.RemoteName, endpoint =>
        {
            var visible = endpoint.Keyservers.Where(k => !k.Skip).ToList();
            var match = visible.FirstOrDefault(k => KeyserverUri.IsSameKeyserver(k.Uri, uri))
                ?? throw new RemoteException(RemoteErrorCodes.KeyserverNotConfigured, $"keyserver {uri} is not configured");
            if (visible.Count == 1)
            {
                throw new RemoteException(RemoteErrorCodes.KeyserverPrimary, $"the primary keyserver {uri} can't be removed");
            }

            if (match.External)
            {
                endpoint.Keyservers.Remove(match);
            }
            else
            {
                match.Skip = true;
            }
        }, cancellationToken).ConfigureAwait(false);
        return new RemoveKeyserverResult(uri, context.Paths.SystemConfigFile);
    }
}

using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Endpoints;

namespace DotnetRemote.Core.Keyservers;

/// <summary>An endpoint's keyserver list: the stored one, or its own discovered keyserver when none is stored.</summary>
internal static class EndpointKeyservers
{
    /// <summary>The stored list, or a fresh one-entry list holding the discovered keyserver (not stored).</summary>
    public static async Task<IReadOnlyList<KeyserverConfig>> ResolveAsync(RemoteContext context, EndpointConfig endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Keyservers.Count > 0)
        {
            return endpoint.Keyservers;
        }

        var discovered = await new ServiceDiscovery(context).GetServiceUriAsync(endpoint, "keyserver", cancellationToken).ConfigureAwait(false);
        return [new KeyserverConfig { Uri = discovered, External = false }];
    }

    /// <summary>
    /// Network first, then the edit under the lock (as <c>apply</c> does): an endpoint without a stored list gets its own
    /// keyserver by service discovery, an HTTP request made before the system file is locked. Under the lock the file is
    /// read again; should another process have emptied the list or moved the endpoint meanwhile, the lock is released
    /// and discovery runs again. <paramref name="edit"/> gets the endpoint with a materialized list.
    /// </summary>
    public static async Task EditSystemEndpointAsync(RemoteContext context, string? remoteName, Action<EndpointConfig> edit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(edit);
        var store = new RemoteConfigStore(context);
        var endpoint = SelectSystemEndpoint(store.LoadSystem(), remoteName);
        for (var attempt = 1; ; attempt++)
        {
            var uri = endpoint.Uri;
            var discovered = endpoint.Keyservers.Count == 0 ? await ResolveAsync(context, endpoint, cancellationToken).ConfigureAwait(false) : null;
            try
            {
                await store.UpdateSystemAsync(config =>
                {
                    var current = SelectSystemEndpoint(config, remoteName);
                    if (current.Keyservers.Count == 0)
                    {
                        if (discovered is null || current.Uri != uri)
                        {
                            endpoint = current.Clone();
                            throw new DiscoverAgainException();
                        }

                        current.Keyservers.AddRange(discovered);
                    }

                    edit(current);
                    return 0;
                }, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (DiscoverAgainException) when (attempt < 5)
            {
            }
            catch (DiscoverAgainException ex)
            {
                throw new RemoteException(RemoteErrorCodes.ConfigLocked, $"could not edit {context.Paths.SystemConfigFile}: another process keeps changing its keyservers", ex);
            }
        }
    }

    /// <summary>Leaves the lock without writing: the endpoint changed since discovery.</summary>
    private sealed class DiscoverAgainException : Exception;

    /// <summary>The checks every keyserver edit makes first: root, a non-empty URI of a keyserver scheme. Returns it trimmed.</summary>
    public static string CheckSystemEdit(RemoteContext context, string uri)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(uri);
        context.RequireRoot("Unable to modify keyserver configuration");
        var trimmed = uri.Trim();
        if (trimmed.Length == 0)
        {
            throw new RemoteException(RemoteErrorCodes.InvalidArgument, "invalid URI: cannot have empty URI");
        }

        KeyserverUri.Normalize(trimmed);
        return trimmed;
    }

    /// <summary>The system-file endpoint a keyserver command edits: the named one, else the default.</summary>
    public static EndpointConfig SelectSystemEndpoint(RemoteConfig system, string? remoteName)
    {
        ArgumentNullException.ThrowIfNull(system);
        EndpointConfig endpoint;
        try
        {
            endpoint = string.IsNullOrEmpty(remoteName) ? system.GetDefaultRemote().Endpoint : system.GetRemote(remoteName);
        }
        catch (RemoteException ex)
        {
            throw new RemoteException(ex.Code, $"no endpoint found: {ex.Message}", ex);
        }

        return endpoint.System
            ? endpoint
            : throw new RemoteException(RemoteErrorCodes.InvalidArgument, "current endpoint is not a system defined endpoint");
    }
}

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

    /// <summary>Stores the discovered keyserver in an empty list, so it can be ordered against or marked skipped.</summary>
    public static async Task MaterializeAsync(RemoteContext context, EndpointConfig endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Keyservers.Count == 0)
        {
            endpoint.Keyservers.AddRange(await ResolveAsync(context, endpoint, cancellationToken).ConfigureAwait(false));
        }
    }

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

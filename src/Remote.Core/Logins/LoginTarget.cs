using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Endpoints;
using DotnetRemote.Core.Keyservers;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Logins;

internal enum LoginKind
{
    /// <summary>A library remote: a remote's name, or no argument with a default remote.</summary>
    Remote,
    Keyserver,
    Registry,
}

/// <summary>What a login or logout argument names, decided once for every host (seed: <c>login [NAME|URI]</c>).</summary>
/// <param name="Value">The remote's name for <see cref="LoginKind.Remote"/>, else the URI.</param>
/// <param name="Remote">The remote's prompt details, for <see cref="LoginKind.Remote"/>.</param>
internal sealed record LoginTarget(LoginKind Kind, string Value, RemoteLoginTarget? Remote)
{
    public static LoginTarget Classify(RemoteContext context, string? argument)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Classify(new RemoteConfigStore(context).LoadMerged(), argument);
    }

    /// <summary>Classifies <paramref name="argument"/> against an already loaded merged view.</summary>
    public static LoginTarget Classify(RemoteConfig config, string? argument)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (FindRemote(config, argument) is { } remote)
        {
            return new LoginTarget(LoginKind.Remote, remote.Name, remote);
        }

        if (string.IsNullOrEmpty(argument))
        {
            throw config.NoDefaultRemote();
        }

        if (KeyserverUri.IsKeyserver(argument))
        {
            return new LoginTarget(LoginKind.Keyserver, argument, null);
        }

        // Parsing gives the seed's "<scheme> transport is not supported" for anything else.
        return Registry(argument);
    }

    /// <summary>A registry URI and nothing else (<c>registry login</c>); anything else is "transport is not supported".</summary>
    public static LoginTarget Registry(string uri)
    {
        RegistryReference.ParseRegistry(uri);
        return new LoginTarget(LoginKind.Registry, uri, null);
    }

    /// <summary>A library remote found by <see cref="FindRemote(RemoteContext, string?)"/>.</summary>
    public static LoginTarget ForRemote(RemoteLoginTarget remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        return new LoginTarget(LoginKind.Remote, remote.Name, remote);
    }

    /// <summary>The named remote, or the default one; null when neither exists (the argument is then a URI).</summary>
    public static RemoteLoginTarget? FindRemote(RemoteContext context, string? name)
    {
        ArgumentNullException.ThrowIfNull(context);
        return FindRemote(new RemoteConfigStore(context).LoadMerged(), name);
    }

    private static RemoteLoginTarget? FindRemote(RemoteConfig config, string? name)
    {
        var key = string.IsNullOrEmpty(name) ? config.Active : name;
        if (key.Length == 0 || !config.Remotes.TryGetValue(key, out var endpoint))
        {
            return null;
        }

        return new RemoteLoginTarget(key, EndpointUri.BaseUrl(endpoint.Uri, endpoint.Insecure) + "/auth/tokens", endpoint.Token.Length > 0);
    }
}

using DotnetRemote.Core.Context;
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
        if (new RemoteLogin(context).FindTarget(argument) is { } remote)
        {
            return new LoginTarget(LoginKind.Remote, remote.Name, remote);
        }

        if (string.IsNullOrEmpty(argument))
        {
            throw new Configuration.RemoteConfigStore(context).LoadMerged().NoDefaultRemote();
        }

        if (KeyserverUri.IsKeyserver(argument))
        {
            return new LoginTarget(LoginKind.Keyserver, argument, null);
        }

        // Parsing gives the seed's "<scheme> transport is not supported" for anything else.
        RegistryReference.ParseRegistry(argument);
        return new LoginTarget(LoginKind.Registry, argument, null);
    }
}

using DotnetRemote.Core.Context;

namespace DotnetRemote.Core.Logins;

/// <param name="Target">What <see cref="LoginTarget.Classify(RemoteContext, string?)"/> found.</param>
internal sealed record LogoutOptions(LoginTarget Target);

/// <summary>What the logout did: exactly one of the three results is set, the one of <see cref="Kind"/>.</summary>
internal sealed record LogoutResult(LoginKind Kind, LogoutRemoteResult? Remote = null, LogoutKeyserverResult? Keyserver = null, LogoutRegistryResult? Registry = null);

/// <summary>
/// <c>logout [NAME|URI]</c> for every host: forgets a library remote's token (<see cref="LogoutRemote"/>), a
/// keyserver login (<see cref="LogoutKeyserver"/>) or a registry login (<see cref="LogoutRegistry"/>). Nothing is
/// sent to a server. <c>logout --all</c> is <see cref="LogoutAll"/>.
/// </summary>
internal sealed class Logout(RemoteContext context)
{
    public async Task<LogoutResult> ExecuteAsync(LogoutOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var target = options.Target;
        return target.Kind switch
        {
            LoginKind.Remote => new LogoutResult(LoginKind.Remote, Remote: await new LogoutRemote(context).ExecuteAsync(new LogoutRemoteOptions(target.Value), cancellationToken).ConfigureAwait(false)),
            LoginKind.Keyserver => new LogoutResult(LoginKind.Keyserver, Keyserver: await new LogoutKeyserver(context).ExecuteAsync(new LogoutKeyserverOptions(target.Value), cancellationToken).ConfigureAwait(false)),
            _ => new LogoutResult(LoginKind.Registry, Registry: await new LogoutRegistry(context).ExecuteAsync(new LogoutRegistryOptions(target.Value), cancellationToken).ConfigureAwait(false)),
        };
    }
}

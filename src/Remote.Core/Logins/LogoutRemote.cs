using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;

namespace DotnetRemote.Core.Logins;

/// <param name="Name">The remote whose token is forgotten.</param>
internal sealed record LogoutRemoteOptions(string Name);

/// <param name="ConfigFile">The remote.yaml the token was removed from.</param>
internal sealed record LogoutRemoteResult(string Name, string ConfigFile);

/// <summary><c>remote logout [name]</c> for a library endpoint: forgets its token (nothing is sent to the server).</summary>
internal sealed class LogoutRemote(RemoteContext context)
{
    public async Task<LogoutRemoteResult> ExecuteAsync(LogoutRemoteOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var name = options.Name;
        await new RemoteConfigStore(context).UpdateUserAsync(merged: true, config =>
        {
            config.GetRemote(name).Token = "";
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        context.Log.Info("Logout succeeded");
        return new LogoutRemoteResult(name, context.Paths.UserConfigFile);
    }
}

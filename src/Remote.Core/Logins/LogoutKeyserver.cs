using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Keyservers;

namespace DotnetRemote.Core.Logins;

/// <param name="Uri">The keyserver URL whose logins are forgotten.</param>
internal sealed record LogoutKeyserverOptions(string Uri);

/// <param name="Removed">How many remote.yaml entries were removed (0: there was no login, which is only a warning).</param>
internal sealed record LogoutKeyserverResult(string Uri, int Removed);

/// <summary>Forgets a keyserver login (every same-URI entry); nothing is sent to the server.</summary>
internal sealed class LogoutKeyserver(RemoteContext context)
{
    public async Task<LogoutKeyserverResult> ExecuteAsync(LogoutKeyserverOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var uri = options.Uri;
        KeyserverUri.Normalize(uri);
        var removed = await new RemoteConfigStore(context).UpdateUserAsync(merged: true, config =>
            config.Credentials.RemoveAll(c => KeyserverUri.IsSameUri(c.Uri, uri)), cancellationToken).ConfigureAwait(false);
        if (removed == 0)
        {
            context.Log.Warning($"There is no existing login to keyserver \"{uri}\".");
        }

        context.Log.Info("Logout succeeded");
        return new LogoutKeyserverResult(uri, removed);
    }
}

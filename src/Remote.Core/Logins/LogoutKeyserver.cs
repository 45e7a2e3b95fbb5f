using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Keyservers;

namespace DotnetRemote.Core.Logins;

/// <summary>Forgets a keyserver login (every same-URI entry); nothing is sent to the server.</summary>
internal sealed class KeyserverLogout(RemoteContext context)
{
    public async Task ExecuteAsync(string uri)
    {
        KeyserverUri.Normalize(uri);
        var removed = await new RemoteConfigStore(context).UpdateUserAsync(merged: true, config =>
            config.Credentials.RemoveAll(c => KeyserverUri.IsSameUri(c.Uri, uri))).ConfigureAwait(false);
        if (removed == 0)
        {
            context.Log.Warning($"There is no existing login to keyserver \"{uri}\".");
        }

        context.Log.Info("Logout succeeded");
    }
}

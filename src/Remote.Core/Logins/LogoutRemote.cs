using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;

namespace DotnetRemote.Core.Logins;

/// <summary><c>remote logout [name]</c> for a library endpoint: forgets its token (nothing is sent to the server).</summary>
internal sealed class RemoteLogout(RemoteContext context)
{
    public async Task ExecuteAsync(string name)
    {
        await new RemoteConfigStore(context).UpdateUserAsync(merged: true, config =>
        {
            config.GetRemote(name).Token = "";
            return 0;
        }).ConfigureAwait(false);
        context.Log.Info("Logout succeeded");
    }
}

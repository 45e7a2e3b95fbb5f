using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Remotes;

/// <param name="Name">The remote to remove.</param>
/// <param name="Global">Remove it from the system file (root only).</param>
internal sealed record RemoveRemoteOptions(string Name, bool Global = false);

/// <param name="Global">Whether it left the system file rather than the user's.</param>
internal sealed record RemoveRemoteResult(string Name, bool Global);

/// <summary><c>remote remove</c> (docs/compatibility.md#remote-remove).</summary>
internal sealed class RemoveRemote(RemoteContext context)
{
    public async Task<RemoveRemoteResult> ExecuteAsync(RemoveRemoteOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Global)
        {
            context.RequireRoot("Unable to modify global endpoint configuration file");
        }

        var store = new RemoteConfigStore(context);

        // A System copy in a user file may be stale (the administrator removed it); only a live global remote is protected.
        var systemNames = options.Global ? null : store.LoadSystem().Remotes.Keys.ToHashSet(StringComparer.Ordinal);
        await store.UpdateAsync(options.Global, config =>
        {
            if (!options.Global && !config.Remotes.ContainsKey(options.Name) && systemNames!.Contains(options.Name))
            {
                throw new RemoteException(RemoteErrorCodes.RemoteIsGlobal, $"{options.Name} is global and can't be removed");
            }

            var endpoint = config.GetRemote(options.Name);
            if (!options.Global && endpoint.System && systemNames!.Contains(options.Name))
            {
                throw new RemoteException(RemoteErrorCodes.RemoteIsGlobal, $"{options.Name} is global and can't be removed");
            }

            config.Remotes.Remove(options.Name);
            if (config.Active == options.Name)
            {
                config.Active = "";
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);
        context.Log.Info($"Remote {GoQuote.Quote(options.Name)} removed.");
        return new RemoveRemoteResult(options.Name, options.Global);
    }
}

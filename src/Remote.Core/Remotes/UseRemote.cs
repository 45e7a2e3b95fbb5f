using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Remotes;

/// <param name="Name">The remote to make active.</param>
/// <param name="Global">Set the system default (root only).</param>
/// <param name="Exclusive">Make it the only usable remote for every user (root only; implies global).</param>
internal sealed record UseRemoteOptions(string Name, bool Global = false, bool Exclusive = false);

/// <param name="Name">The remote now in use.</param>
/// <param name="Global">Set as the system default (with <paramref name="Exclusive"/>: exclusive).</param>
internal sealed record UseRemoteResult(string Name, bool Global, bool Exclusive);

/// <summary><c>remote use</c>: sets the active remote (docs/compatibility.md#remote-use).</summary>
internal sealed class UseRemote(RemoteContext context)
{
    public async Task<UseRemoteResult> ExecuteAsync(UseRemoteOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Global)
        {
            context.RequireRoot("Unable to modify global endpoint configuration file");
        }

        if (options.Exclusive)
        {
            context.RequireRoot("unable to set endpoint as exclusive");
        }

        var store = new RemoteConfigStore(context);
        if (options.Global || options.Exclusive)
        {
            await store.UpdateSystemAsync(config => SetDefault(config, options.Name, options.Exclusive, isSystemFile: true), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await store.UpdateUserAsync(merged: true, config => SetDefault(config, options.Name, exclusive: false, isSystemFile: false), cancellationToken).ConfigureAwait(false);
        }

        context.Log.Info($"Remote {GoQuote.Quote(options.Name)} now in use.");
        return new UseRemoteResult(options.Name, options.Global || options.Exclusive, options.Exclusive);
    }

    /// <summary>The set-default rules of docs/compatibility.md#remote-use on a loaded file.</summary>
    internal static int SetDefault(RemoteConfig config, string name, bool exclusive, bool isSystemFile)
    {
        var target = config.GetRemote(name);
        if (!isSystemFile && name != config.Active)
        {
            var blocking = config.Remotes.Where(r => r.Value.Exclusive).Select(r => r.Key).Order(StringComparer.Ordinal).FirstOrDefault();
            if (blocking is not null)
            {
                throw new RemoteException(RemoteErrorCodes.RemoteExclusive, $"could not use {name}: remote {blocking} has been set exclusive by the system administrator");
            }
        }

        if (exclusive && config.Active != name && config.Remotes.TryGetValue(config.Active, out var previous))
        {
            previous.Exclusive = false;
        }

        if (isSystemFile)
        {
            target.Exclusive = exclusive;
        }

        config.Active = name;
        return 0;
    }
}

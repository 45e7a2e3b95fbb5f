using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Endpoints;

namespace DotnetRemote.Core.Remotes;

/// <param name="Name">The new remote's name.</param>
/// <param name="Uri">Its URI as typed (a scheme is dropped; a port is kept).</param>
/// <param name="Global">Add it to the system file (root only).</param>
/// <param name="Insecure">Allow an http:// remote.</param>
/// <param name="Use">Make it the active remote in the same step.</param>
internal sealed record AddRemoteOptions(string Name, string Uri, bool Global = false, bool Insecure = false, bool Use = false);

/// <summary>What was stored: the name and the normalised URI.</summary>
internal sealed record AddRemoteResult(string Name, string StoredUri, bool Insecure, bool Global);

/// <summary><c>remote add</c>: a new endpoint in the user or system file (seed; docs/compatibility.md#remote-add).</summary>
internal sealed class AddRemote(RemoteContext context)
{
    public async Task<AddRemoteResult> ExecuteAsync(AddRemoteOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Global)
        {
            context.RequireRoot("Unable to modify global endpoint configuration file");
        }

        var insecure = options.Insecure;
        var typed = options.Uri.Trim();
        if (typed.StartsWith("https://", StringComparison.OrdinalIgnoreCase) && insecure)
        {
            context.Log.Info("--insecure ignored for https remote");
            insecure = false;
        }
        else if (typed.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !insecure)
        {
            throw new RemoteException(RemoteErrorCodes.InvalidArgument, "http URI requires --insecure or APPTAINER_ADD_INSECURE=true");
        }

        if (options.Name.Trim().Length == 0)
        {
            throw new RemoteException(RemoteErrorCodes.InvalidArgument, "invalid name: cannot have empty name");
        }

        if (typed.Length == 0)
        {
            throw new RemoteException(RemoteErrorCodes.InvalidArgument, "invalid URI: cannot have empty URI");
        }

        var stored = EndpointUri.Normalize(typed);
        var store = new RemoteConfigStore(context);
        await store.UpdateAsync(options.Global, config =>
        {
            if (config.Remotes.ContainsKey(options.Name))
            {
                throw new RemoteException(RemoteErrorCodes.RemoteExists, $"{options.Name} is already a remote");
            }

            config.Remotes[options.Name] = new EndpointConfig { Uri = stored, System = options.Global, Insecure = insecure };
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        context.Log.Info($"Remote {GoQuote.Quote(options.Name)} added.");

        if (options.Use)
        {
            await new UseRemote(context).ExecuteAsync(new UseRemoteOptions(options.Name, Global: options.Global), cancellationToken).ConfigureAwait(false);
        }

        return new AddRemoteResult(options.Name, stored, insecure, options.Global);
    }
}

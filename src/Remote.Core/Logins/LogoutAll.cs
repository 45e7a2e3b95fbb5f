using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Logins;

/// <summary><c>logout --all</c> takes no options.</summary>
internal sealed record LogoutAllOptions;

/// <summary>What <see cref="LogoutAll"/> removed (no secrets).</summary>
internal sealed record LogoutAllResult(int RegistryLogins, int KeyserverLogins, int Tokens);

/// <summary>
/// <c>logout --all</c>, for the end of a CI job: every registry login (file and helpers), every keyserver login and
/// every library token of the user's remotes. Remotes and keyservers themselves stay.
/// </summary>
internal sealed class LogoutAll(RemoteContext context)
{
    public async Task<LogoutAllResult> ExecuteAsync(LogoutAllOptions options, CancellationToken cancellationToken = default)
    {
        var registries = await new LogoutAllRegistries(context).ExecuteAsync(new LogoutAllRegistriesOptions(), cancellationToken).ConfigureAwait(false);

        // Temp copies a killed writer left beside docker-config.json hold secrets too; taking the lock sweeps them
        // (remote.yaml's are swept by its update below).
        if (Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(context.Paths.DockerConfigFile))))
        {
            using var sweep = await IO.FileJournal.LockAsync(context.Paths.DockerConfigFile, IO.AtomicFile.PrivateFile, context.Time, cancellationToken).ConfigureAwait(false);
        }

        var (keyservers, tokens) = await new RemoteConfigStore(context).UpdateUserAsync(merged: false, config =>
        {
            var removed = config.Credentials.RemoveAll(c => !RegistryReference.IsRegistryUri(c.Uri));
            var cleared = 0;
            foreach (var endpoint in config.Remotes.Values.Where(e => e.Token.Length > 0))
            {
                endpoint.Token = "";
                cleared++;
            }

            return (removed, cleared);
        }, cancellationToken).ConfigureAwait(false);
        context.Log.Info($"Removed {registries.Erased.Count} registry login(s), {keyservers} keyserver login(s) and {tokens} token(s)");
        return new LogoutAllResult(registries.Erased.Count, keyservers, tokens);
    }
}

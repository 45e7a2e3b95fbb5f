using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Credentials;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Logins;

/// <summary>One login as <c>registry list</c> shows it. Never holds a secret.</summary>
/// <param name="Uri">The remote.yaml URI, or null for a login only a docker-config file knows (made by docker, podman…).</param>
/// <param name="Key">The docker-config key holding the secret; null for keyservers and for a remote.yaml entry whose secret is gone.</param>
/// <param name="IsKeyserver">A keyserver login (its <c>Auth</c> header is in remote.yaml); listed as the seed does.</param>
/// <param name="Insecure">The remote.yaml <c>Insecure</c> flag.</param>
/// <param name="File">Where the secret is recorded: a docker-config file, or remote.yaml for keyservers.</param>
/// <param name="Helper">The credential helper holding the secret, or null.</param>
/// <param name="Username">The user name where the file or helper tells it, else empty.</param>
/// <param name="IsFallback">Found only in Docker's own file, which dotnet remote reads but never writes.</param>
internal sealed record RegistryLoginInfo(string? Uri, string? Key, bool IsKeyserver, bool Insecure, string? File, string? Helper, string Username, bool IsFallback);

/// <summary><c>registry list</c> takes no options.</summary>
internal sealed record ListRegistryLoginsOptions;

/// <param name="Logins">In the order <c>registry list</c> shows them.</param>
internal sealed record ListRegistryLoginsResult(IReadOnlyList<RegistryLoginInfo> Logins);

/// <summary>
/// <c>registry list</c>: exactly the logins <c>credential get</c> would serve. The remote.yaml <c>Credentials</c> in
/// file order (keyservers included, as in Apptainer), each matched to its docker-config key, but only those whose
/// secret is still stored; then the logins the docker-config files hold that remote.yaml does not know (made or kept
/// by docker, podman or skopeo, directly or through the credential helper), primary file first. Reads only.
/// </summary>
internal sealed class ListRegistryLogins(RemoteContext context)
{
    private readonly RemoteContext _context = context ?? throw new ArgumentNullException(nameof(context));

    public async Task<ListRegistryLoginsResult> ExecuteAsync(ListRegistryLoginsOptions options, CancellationToken cancellationToken = default)
    {
        var paths = _context.Paths;
        var stored = (await ListFileAsync(paths.DockerConfigFile, required: true, cancellationToken)).ToList();
        var fallback = paths.DockerFallbackFile is { } fallbackFile ? await ListFileAsync(fallbackFile, required: false, cancellationToken) : [];

        var result = new List<RegistryLoginInfo>();
        foreach (var entry in new RemoteConfigStore(_context).LoadMerged().Credentials)
        {
            if (!RegistryReference.IsRegistryUri(entry.Uri))
            {
                result.Add(new RegistryLoginInfo(entry.Uri, null, IsKeyserver: true, entry.Insecure, paths.UserConfigFile, null, "", IsFallback: false));
                continue;
            }

            // A login whose secret is gone (erased by another tool or by hand) is not served, so it is not listed.
            var (login, isFallback) = RegistryReference.TryParseRegistry(entry.Uri, out var reference)
                ? stored.Find(l => l.Key == reference.ConfigKey) is { } primary ? (primary, false) : (fallback.FirstOrDefault(l => l.Key == reference.ConfigKey), true)
                : (null, false);
            if (login is not null)
            {
                result.Add(new RegistryLoginInfo(entry.Uri, login.Key, IsKeyserver: false, entry.Insecure, login.FilePath, login.Helper, login.Username, isFallback));
            }
        }

        var listedKeys = result.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var (login, isFallback) in stored.Select(l => (l, false)).Concat(fallback.Select(l => (l, true))))
        {
            if (listedKeys.Add(login.Key))
            {
                result.Add(new RegistryLoginInfo(null, login.Key, IsKeyserver: false, Insecure: false, login.FilePath, login.Helper, login.Username, isFallback));
            }
        }

        return new ListRegistryLoginsResult(result);
    }

    /// <summary>The logins of one file. Docker's file is only a fallback: if it does not parse, say so and go on.</summary>
    private async Task<IReadOnlyList<StoredLogin>> ListFileAsync(string file, bool required, CancellationToken cancellationToken)
    {
        try
        {
            return await new DockerCredentialStore(_context, file).ListAsync(cancellationToken);
        }
        catch (RemoteException ex) when (!required)
        {
            _context.Log.Warning($"skipping {file}: {ex.Message}");
            return [];
        }
    }
}

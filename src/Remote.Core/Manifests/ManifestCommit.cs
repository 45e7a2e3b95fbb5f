using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Credentials;
using DotnetRemote.Core.IO;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Manifests;

/// <summary>
/// The write step of <see cref="ApplyManifest"/>: docker-config.json and remote.yaml change together or not at all,
/// even when the process is killed between the two writes. Both locks are taken (remote.yaml first; nothing else holds
/// both), both new contents are computed, then <see cref="FileJournal.WriteAll"/> replaces them behind one commit point
/// that the next reader or writer rolls forward. A secret kept by a credential helper is handed to the helper before
/// the commit point: the helper is outside the files and their journal.
/// </summary>
internal sealed class ManifestCommit(RemoteContext context)
{
    /// <param name="eraseKeys">docker-config keys to remove first (apply --prune), with their helpers' secrets.</param>
    public async Task CommitAsync(IReadOnlyList<CommittedLogin> registryLogins, IReadOnlyCollection<string> eraseKeys, Action<RemoteConfig> changeUserConfig, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registryLogins);
        ArgumentNullException.ThrowIfNull(eraseKeys);
        ArgumentNullException.ThrowIfNull(changeUserConfig);
        var paths = context.Paths;
        new RemoteConfigStore(context).EnsureUserDirectory();
        AtomicFile.EnsureDirectory(Path.GetDirectoryName(Path.GetFullPath(paths.DockerConfigFile))!, AtomicFile.PrivateDirectory);
        using var userLock = await FileJournal.LockAsync(paths.UserConfigFile, AtomicFile.PrivateFile, context.Time, cancellationToken).ConfigureAwait(false);
        using var dockerLock = await FileJournal.LockAsync(paths.DockerConfigFile, AtomicFile.PrivateFile, context.Time, cancellationToken).ConfigureAwait(false);

        var files = new List<(string Path, string Content, UnixFileMode Mode)>();
        if (registryLogins.Count > 0 || (eraseKeys.Count > 0 && File.Exists(paths.DockerConfigFile)))
        {
            FileSafety.RequireSafeFile(paths.DockerConfigFile);
            var docker = DockerConfigFile.Load(paths.DockerConfigFile);
            var before = docker.ToJson();
            var store = new DockerCredentialStore(context, paths.DockerConfigFile);
            await store.EraseFromAsync(docker, eraseKeys.Contains, cancellationToken).ConfigureAwait(false);
            await store.EraseHelperOnlyAsync(docker, eraseKeys, cancellationToken).ConfigureAwait(false);
            foreach (var login in registryLogins)
            {
                await store.StoreIntoAsync(docker, login.Reference, login.Username, login.Secret, login.IsIdentityToken, cancellationToken).ConfigureAwait(false);
            }

            var after = docker.ToJson();
            if (after != before || !File.Exists(paths.DockerConfigFile))
            {
                files.Add((paths.DockerConfigFile, after, AtomicFile.PrivateFile));
            }
        }

        var (userBefore, userAfter) = new RemoteConfigStore(context).PrepareUserUpdate(merged: true, changeUserConfig);
        if (userAfter != userBefore || !File.Exists(paths.UserConfigFile))
        {
            files.Add((paths.UserConfigFile, userAfter, AtomicFile.PrivateFile));
        }

        if (files.Count > 0)
        {
            // Nothing is written once the command was cancelled (SIGINT/SIGTERM): all or nothing.
            cancellationToken.ThrowIfCancellationRequested();
            FileJournal.WriteAll(files);
            new RemoteConfigStore(context).Forget(system: false);
        }
    }
}

/// <summary>A registry login <see cref="ManifestCommit"/> stores: a password, or the identity token its token service issued.</summary>
internal sealed record CommittedLogin(RegistryReference Reference, string Username, string Secret, bool IsIdentityToken);

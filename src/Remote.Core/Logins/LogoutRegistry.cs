using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Credentials;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Logins;

/// <param name="Uri"><c>docker://host[:port][/namespace]</c> or <c>oras://…</c>; <c>docker://docker.io</c> finds Docker Hub's key.</param>
internal sealed record LogoutRegistryOptions(string Uri);

/// <param name="Key">The docker-config key logged out of.</param>
/// <param name="File">The docker-config file edited.</param>
/// <param name="Erased">Every key removed from the file, with the helper it was erased from.</param>
/// <param name="RemovedConfigEntries">How many remote.yaml <c>Credentials</c> entries were removed (docker and oras alike).</param>
internal sealed record LogoutRegistryResult(string Key, string File, IReadOnlyList<ErasedLogin> Erased, int RemovedConfigEntries);

/// <summary>
/// <c>registry logout</c> (docs/compatibility.md#registry-logout, with the fixes of #fixes-registries): Docker Hub is found under its normalised key, the secret
/// is erased from the file or its helper together with legacy keys for the same host, and the remote.yaml entries of
/// both transports go too. Logging out of something not logged in is an error, not a warning.
/// </summary>
internal sealed class LogoutRegistry(RemoteContext context)
{
    private readonly RemoteContext _context = context ?? throw new ArgumentNullException(nameof(context));

    /// <exception cref="RemoteException"><see cref="RemoteErrorCodes.NotLoggedIn"/> when neither the docker-config file,
    /// its helper nor remote.yaml knows the login.</exception>
    public async Task<LogoutRegistryResult> ExecuteAsync(LogoutRegistryOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var reference = RegistryReference.ParseRegistry(options.Uri);
        var file = _context.Paths.DockerConfigFile;
        var erased = await new DockerCredentialStore(_context, file).EraseAsync(reference, cancellationToken);
        var removed = await RemoveConfigEntriesAsync(entry => RegistryLogins.SharesSecret(entry.Uri, reference));
        if (erased.Count == 0 && removed == 0)
        {
            throw new RemoteException(RemoteErrorCodes.NotLoggedIn, $"not logged in to {reference.ConfigKey}");
        }

        RegistryLogoutLog.Report(_context, file, erased, removed);
        return new LogoutRegistryResult(reference.ConfigKey, file, erased, removed);
    }

    /// <summary>Removes the matching remote.yaml entries, without touching the file when there are none.</summary>
    internal Task<int> RemoveConfigEntriesAsync(Predicate<CredentialConfig> match)
    {
        var store = new RemoteConfigStore(_context);
        if (!RegistryLogins.UpdatesRemoteConfig(_context.Paths) || !store.LoadUser().Credentials.Exists(match))
        {
            return Task.FromResult(0);
        }

        return store.UpdateUserAsync(merged: true, config => config.Credentials.RemoveAll(match));
    }
}

/// <summary><c>registry logout --all</c> takes no options.</summary>
internal sealed record LogoutAllRegistriesOptions;

/// <param name="File">The docker-config file emptied of registry logins.</param>
/// <param name="Erased">Every key removed, with its helper.</param>
/// <param name="RemovedConfigEntries">How many docker/oras entries left remote.yaml (keyserver logins stay).</param>
internal sealed record LogoutAllRegistriesResult(string File, IReadOnlyList<ErasedLogin> Erased, int RemovedConfigEntries);

/// <summary>
/// Logs out of every OCI registry: every key of the primary docker-config file (and its helpers) and every docker/oras
/// entry of remote.yaml. Meant for the end of a CI job; having nothing to log out of is not an error. Docker's own
/// <c>~/.docker/config.json</c> is never touched.
/// </summary>
internal sealed class LogoutAllRegistries(RemoteContext context)
{
    private readonly RemoteContext _context = context ?? throw new ArgumentNullException(nameof(context));

    public async Task<LogoutAllRegistriesResult> ExecuteAsync(LogoutAllRegistriesOptions options, CancellationToken cancellationToken = default)
    {
        var file = _context.Paths.DockerConfigFile;
        var erased = await new DockerCredentialStore(_context, file).EraseAllAsync(cancellationToken);
        var removed = await new LogoutRegistry(_context).RemoveConfigEntriesAsync(RegistryLogins.IsRegistryLogin);
        RegistryLogoutLog.Report(_context, file, erased, removed);
        return new LogoutAllRegistriesResult(file, erased, removed);
    }
}

internal static class RegistryLogoutLog
{
    public static void Report(RemoteContext context, string file, IReadOnlyList<ErasedLogin> erased, int removedConfigEntries)
    {
        foreach (var login in erased)
        {
            context.Log.Info(login.Helper is null
                ? $"Token removed from {file}"
                : $"Token removed from credential helper docker-credential-{login.Helper} (recorded in {file})");
        }

        if (erased.Count == 0 && removedConfigEntries > 0)
        {
            // Only remote.yaml knew it: the secret was already gone (removed by hand or by another tool).
            context.Log.Warning($"There was no stored secret in {file}; removed the login from {context.Paths.UserConfigFile}");
        }

        context.Log.Info("Logout succeeded");
    }
}

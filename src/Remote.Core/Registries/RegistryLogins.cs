using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;

namespace DotnetRemote.Core.Registries;

/// <summary>The remote.yaml side of registry logins: which <c>Credentials</c> entries are registry logins and which match.</summary>
internal static class RegistryLogins
{
    /// <summary>With an auth file Apptainer leaves remote.yaml alone; <see cref="RemotePaths"/> has no fallback file then.</summary>
    public static bool UpdatesRemoteConfig(RemotePaths paths) => paths.DockerFallbackFile is not null;

    /// <summary>The same login: same transport and same docker-config key (so Docker Hub's aliases are one login).</summary>
    public static bool IsSameLogin(string entryUri, RegistryReference reference) =>
        RegistryReference.TryParseRegistry(entryUri, out var entry) && entry.Transport == reference.Transport && entry.ConfigKey == reference.ConfigKey;

    /// <summary>
    /// Shares the secret with <paramref name="reference"/>: docker:// and oras:// use one docker-config key, so logging
    /// out of one logs out of both (docs/compatibility.md#fix-shared-secret, no phantom entry left).
    /// </summary>
    public static bool SharesSecret(string entryUri, RegistryReference reference) =>
        RegistryReference.TryParseRegistry(entryUri, out var entry) && entry.ConfigKey == reference.ConfigKey;

    public static bool IsRegistryLogin(CredentialConfig entry) => RegistryReference.IsRegistryUri(entry.Uri);
}

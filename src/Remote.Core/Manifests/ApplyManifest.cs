using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Credentials;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Endpoints;
using DotnetRemote.Core.Keyservers;
using DotnetRemote.Core.Logins;
using DotnetRemote.Core.Registries;
using DotnetRemote.Core.Remotes;

namespace DotnetRemote.Core.Manifests;

/// <param name="Manifest">What to apply. Values a reference resolved (<see cref="Manifest.Secrets"/>) are masked in
/// the plan and in error messages, whatever field they fill.</param>
/// <param name="DryRun">Plan only: verify (unless <paramref name="NoVerify"/>) and report, write nothing.</param>
/// <param name="NoVerify">Skip the online checks of tokens and passwords.</param>
/// <param name="SystemScope"><c>--system</c>: the manifest's remotes go to the system file (root only; no tokens, no logins).</param>
/// <param name="Prune"><c>--prune</c>: also remove what the manifest does not declare (the built-in <c>DefaultRemote</c> only with <c>remove: true</c>).</param>
internal sealed record ApplyManifestOptions(Manifest Manifest, bool DryRun = false, bool NoVerify = false, bool SystemScope = false, bool Prune = false);

/// <summary>One planned change, free of secrets: <c>remote company: add</c>, <c>login docker://r: store</c>.</summary>
/// <param name="Kind"><c>remote</c>, <c>token</c>, <c>keyservers</c>, <c>active</c>, <c>exclusive</c> or <c>login</c>.</param>
/// <param name="Action"><c>add</c>, <c>update</c>, <c>store</c>, <c>remove</c> or <c>unchanged</c>.</param>
internal sealed record ManifestChange(string Kind, string Target, string Action, string Detail);

internal sealed record ApplyManifestResult(IReadOnlyList<ManifestChange> Changes, bool Applied)
{
    public bool ChangesAnything => Changes.Any(c => c.Action != "unchanged");
}

/// <summary>
/// <c>apply -f FILE</c>: makes the user's remotes, keyservers and logins match a manifest. Upsert: a second run
/// changes nothing. All or nothing: every entry is validated and verified before the first byte is written.
/// </summary>
internal sealed class ApplyManifest(RemoteContext context)
{
    /// <summary>
    /// Applies <see cref="ApplyManifestOptions.Manifest"/>. Values a reference resolved (<see cref="Manifest.Secrets"/>)
    /// are masked in the plan and in error messages, whatever field they fill.
    /// </summary>
    public async Task<ApplyManifestResult> ExecuteAsync(ApplyManifestOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var manifest = options.Manifest;
        ArgumentNullException.ThrowIfNull(manifest);
        ApplyManifestResult result;
        try
        {
            result = await ExecuteUnmaskedAsync(manifest, options, cancellationToken).ConfigureAwait(false);
        }
        catch (RemoteException ex) when (manifest.Secrets.Count > 0)
        {
            // The inner exception is left out: its message may quote the value.
            throw ex is ConfigFileException file
                ? new ConfigFileException(file.FilePath, file.Line, CiSecretMasking.Redact(file.Detail, manifest.Secrets))
                : new RemoteException(ex.Code, CiSecretMasking.Redact(ex.Message, manifest.Secrets));
        }

        return manifest.Secrets.Count == 0
            ? result
            : result with
            {
                Changes = result.Changes
                    .Select(c => c with { Target = CiSecretMasking.Redact(c.Target, manifest.Secrets), Detail = CiSecretMasking.Redact(c.Detail, manifest.Secrets) })
                    .ToList(),
            };
    }

    private async Task<ApplyManifestResult> ExecuteUnmaskedAsync(Manifest manifest, ApplyManifestOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(options);
        if (options.SystemScope)
        {
            return await new ApplySystemManifest(context).ExecuteAsync(options, cancellationToken).ConfigureAwait(false);
        }

        ManifestPrune.CheckUserScope(manifest);
        var store = new RemoteConfigStore(context);
        var current = store.LoadMerged();
        var desired = current.Clone();
        var changes = new List<ManifestChange>();

        foreach (var remote in manifest.Remotes)
        {
            At(remote.Origin, () => PlanRemote(desired, remote, changes));
        }

        var keyserverLogins = new List<CredentialConfig>();
        var registryLogins = new List<(RegistryReference Reference, ManifestLogin Login)>();
        foreach (var login in manifest.Logins)
        {
            if (RegistryReference.IsRegistryUri(login.Uri))
            {
                var reference = At(login.Origin, () => RegistryReference.ParseRegistry(login.Uri));
                if (login.Username.Length == 0 || login.Password.Length == 0)
                {
                    throw Invalid(login.Origin, $"login {login.Uri} needs a username and a password");
                }

                registryLogins.Add((reference, login));
            }
            else if (!KeyserverUri.IsKeyserver(login.Uri))
            {
                throw Invalid(login.Origin, $"{login.Uri}: a login is for docker://, oras:// or a keyserver's http(s):// URL");
            }
        }

        var identityTokens = new Dictionary<ManifestLogin, string>(ReferenceEqualityComparer.Instance);
        if (!options.NoVerify)
        {
            await VerifyTokensAsync(manifest, cancellationToken).ConfigureAwait(false);
            foreach (var (reference, login) in registryLogins)
            {
                var verification = await AtAsync(login.Origin, () => new RegistryLoginVerifier(context, trustedRealms: login.TrustRealms).VerifyAsync(reference, login.Username, login.Password, login.Insecure, cancellationToken)).ConfigureAwait(false);
                if (verification.IdentityToken is { } identityToken)
                {
                    identityTokens[login] = identityToken;
                }
            }
        }

        foreach (var login in manifest.Logins.Where(l => KeyserverUri.IsKeyserver(l.Uri)))
        {
            var keyserverLogin = new LoginKeyserverOptions(login.Uri, login.Username, login.Password, login.Insecure);
            var credential = options.NoVerify
                ? At(login.Origin, () => new KeyserverLoginCheck(context).PrepareCredential(keyserverLogin, desired))
                : await AtAsync(login.Origin, () => new KeyserverLoginCheck(context).VerifyAsync(keyserverLogin, desired, cancellationToken), login.Uri).ConfigureAwait(false);
            var same = desired.Credentials.Any(c => c == credential);
            changes.Add(new ManifestChange("login", login.Uri, same ? "unchanged" : "store", login.Username.Length == 0 ? "token" : login.Username));
            keyserverLogins.Add(credential);
        }

        var credentials = new DockerCredentialStore(context, context.Paths.DockerConfigFile);
        var registryChanges = new List<(RegistryReference Reference, ManifestLogin Login)>();
        foreach (var (reference, login) in registryLogins)
        {
            var stored = await credentials.FindAsync(reference, cancellationToken).ConfigureAwait(false);

            // A stored identity token came from an earlier verified login of this user; the password was just verified.
            var same = stored is { Match: KeyMatch.Exact } && stored.Username == LoginRegistry.StoredUsername(login.Username)
                && (stored.IsIdentityToken ? identityTokens.ContainsKey(login) : stored.Secret == login.Password)
                && desired.Credentials.Any(c => c.Uri == reference.Uri && c.Insecure == login.Insecure);
            changes.Add(new ManifestChange("login", reference.Uri, same ? "unchanged" : "store", login.Username));
            if (!same)
            {
                registryChanges.Add((reference, login));
            }
        }

        var prune = options.Prune
            ? await ManifestPrune.PlanAsync(context, manifest, registryLogins.Select(r => r.Reference).ToList(), desired, changes, cancellationToken).ConfigureAwait(false)
            : null;
        if (options.DryRun || !changes.Any(c => c.Action != "unchanged"))
        {
            return new ApplyManifestResult(changes, Applied: false);
        }

        // One commit for both files, pruned keys included: a kill between the two writes leaves no half-applied state.
        var logins = registryChanges
            .Select(c => identityTokens.TryGetValue(c.Login, out var identityToken)
                ? new CommittedLogin(c.Reference, LoginRegistry.StoredUsername(c.Login.Username), identityToken, IsIdentityToken: true)
                : new CommittedLogin(c.Reference, c.Login.Username, c.Login.Password, IsIdentityToken: false))
            .ToList();
        await new ManifestCommit(context).CommitAsync(logins, prune?.DockerKeys ?? [], config =>
        {
            foreach (var remote in manifest.Remotes)
            {
                PlanRemote(config, remote, []);
            }

            foreach (var credential in keyserverLogins)
            {
                KeyserverLoginCheck.Record(config, credential);
            }

            foreach (var (reference, login) in registryChanges)
            {
                config.Credentials.RemoveAll(entry => RegistryLogins.IsSameLogin(entry.Uri, reference));
                config.Credentials.Add(new CredentialConfig { Uri = reference.Uri, Insecure = login.Insecure });
            }

            prune?.Apply(config);
        }, cancellationToken).ConfigureAwait(false);
        context.Log.Info($"{manifest.Source} applied: {changes.Count(c => c.Action != "unchanged")} change(s)");
        return new ApplyManifestResult(changes, Applied: true);
    }

    /// <summary>Brings one remote of <paramref name="config"/> to the manifest's state, noting what changes.</summary>
    private static void PlanRemote(RemoteConfig config, ManifestRemote remote, List<ManifestChange> changes)
    {
        if (config.Remotes.TryGetValue(remote.Name, out var existing) && existing.System)
        {
            throw new RemoteException(RemoteErrorCodes.RemoteIsGlobal, $"{remote.Name} is a global remote; a manifest manages user remotes only (system remotes: apply --system)");
        }

        if (remote.Remove)
        {
            ManifestPrune.RemoveRemote(config, remote.Name, existing, changes);
            return;
        }

        var uri = EndpointUri.Normalize(remote.Uri);

        if (existing is null)
        {
            existing = new EndpointConfig { Uri = uri, Insecure = remote.Insecure };
            config.Remotes[remote.Name] = existing;
            changes.Add(new ManifestChange("remote", remote.Name, "add", uri));
        }
        else if (existing.Uri != uri || existing.Insecure != remote.Insecure)
        {
            existing.Uri = uri;
            existing.Insecure = remote.Insecure;
            changes.Add(new ManifestChange("remote", remote.Name, "update", uri));
        }
        else
        {
            changes.Add(new ManifestChange("remote", remote.Name, "unchanged", uri));
        }

        if (remote.Token is { } token)
        {
            changes.Add(new ManifestChange("token", remote.Name, existing.Token == token ? "unchanged" : "store", "token"));
            existing.Token = token;
        }

        if (remote.Keyservers.Count > 0)
        {
            var ordered = remote.Keyservers
                .Select((k, i) => (Keyserver: k, Position: k.Order ?? int.MaxValue, Index: i))
                .OrderBy(k => k.Position).ThenBy(k => k.Index)
                .Select(k => new KeyserverConfig { Uri = k.Keyserver.Uri, External = true, Insecure = k.Keyserver.Insecure })
                .ToList();
            foreach (var keyserver in ordered)
            {
                KeyserverUri.Normalize(keyserver.Uri);
            }

            var same = existing.Keyservers.SequenceEqual(ordered);
            changes.Add(new ManifestChange("keyservers", remote.Name, same ? "unchanged" : "update", string.Join(", ", ordered.Select(k => k.Uri))));
            existing.Keyservers.Clear();
            existing.Keyservers.AddRange(ordered);
        }

        if (remote.Use)
        {
            changes.Add(new ManifestChange("active", remote.Name, config.Active == remote.Name ? "unchanged" : "update", remote.Name));
            UseRemote.SetDefault(config, remote.Name, exclusive: false, isSystemFile: false);
        }
    }

    private async Task VerifyTokensAsync(Manifest manifest, CancellationToken cancellationToken)
    {
        foreach (var remote in manifest.Remotes.Where(r => r.Token is not null))
        {
            var endpoint = new EndpointConfig { Uri = EndpointUri.Normalize(remote.Uri), Insecure = remote.Insecure };
            await AtAsync(remote.Origin, async () =>
            {
                await new TokenVerifier(context).VerifyAsync(endpoint, remote.Token!, cancellationToken).ConfigureAwait(false);
                return 0;
            }, remote.Uri).ConfigureAwait(false);
        }
    }

    private static RemoteException Invalid(string origin, string detail) =>
        new(RemoteErrorCodes.ManifestInvalid, $"{origin}: {detail}");

    /// <summary>Runs a step, prefixing any failure with where the entry was declared.</summary>
    private static T At<T>(string origin, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (RemoteException ex) when (ex is not ConfigFileException)
        {
            throw new RemoteException(ex.Code, $"{origin}: {ex.Message}", ex);
        }
    }

    private static void At(string origin, Action step) => At(origin, () =>
    {
        step();
        return 0;
    });

    /// <param name="uri">The entry's URI: a TLS failure on an <c>http://</c> URI names the fix.</param>
    private static async Task<T> AtAsync<T>(string origin, Func<Task<T>> step, string? uri = null)
    {
        try
        {
            return await step().ConfigureAwait(false);
        }
        catch (RemoteException ex) when (ex is not ConfigFileException)
        {
            var hint = uri?.StartsWith("http://", StringComparison.OrdinalIgnoreCase) == true && ex.Message.Contains("TLS handshake", StringComparison.Ordinal)
                ? " (the uri says http://: add 'insecure: true' to this entry to connect without TLS)"
                : "";
            throw new RemoteException(ex.Code, $"{origin}: {ex.Message}{hint}", ex);
        }
    }
}

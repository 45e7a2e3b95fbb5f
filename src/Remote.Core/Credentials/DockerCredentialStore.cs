using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Credentials;

/// <summary>How a stored key was matched to the registry reference asked for.</summary>
public enum KeyMatch
{
    /// <summary>The key is the reference's own key (<c>host[:port]</c>, the full namespace, or Docker Hub's key).</summary>
    Exact,

    /// <summary>The key is a shorter namespace prefix (<c>ghcr.io/team</c> serving <c>ghcr.io/team/app</c>) or the registry.</summary>
    Prefix,

    /// <summary>A legacy key with a scheme whose host is the registry (<c>https://myreg.io/v2/</c> serving <c>myreg.io</c>).</summary>
    LegacyHostname,
}

/// <summary>A credential found in a docker-config file or its helper. Holds a secret: never print it.</summary>
public sealed record StoredCredential(string FilePath, string Key, string Username, string Secret, bool IsIdentityToken, string? Helper, KeyMatch Match)
{
    public override string ToString() => $"StoredCredential {{ FilePath = {FilePath}, Key = {Key}, Username = {Username}, Helper = {Helper}, Match = {Match} }}";
}

/// <summary>A login as listed: where it is, never its secret.</summary>
public sealed record StoredLogin(string FilePath, string Key, string Username, string? Helper);

/// <summary>A key removed by a logout and the helper it was erased from, if any.</summary>
public sealed record ErasedLogin(string Key, string? Helper);

/// <summary>
/// One docker-config file together with the credential helpers it names (<c>credHelpers</c>, <c>credsStore</c>): the
/// place OCI secrets are looked up, stored and erased (spec §1.6, §4.1). Writes are locked and atomic.
/// </summary>
public sealed class DockerCredentialStore
{
    private readonly RemoteContext _context;
    private readonly TimeSpan? _helperTimeout;

    public DockerCredentialStore(RemoteContext context, string filePath, TimeSpan? helperTimeout = null)
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        FilePath = filePath ?? throw new ArgumentNullException(nameof(filePath));
        _helperTimeout = helperTimeout;
    }

    public string FilePath { get; }

    /// <summary>
    /// The credential serving <paramref name="reference"/>: for each of its lookup keys, most specific first, an entry
    /// stored under exactly that key (or, for the registry key, a legacy key with a scheme and the same host), its
    /// secret read from the file or from the helper. Null when none serves it. Port and namespace matter.
    /// </summary>
    public async Task<StoredCredential?> FindAsync(RegistryReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        _context.Log.Debug($"reading {FilePath}");
        var file = DockerConfigFile.Load(FilePath);
        var lookupKeys = reference.LookupKeys();
        foreach (var key in lookupKeys)
        {
            var isRegistryKey = key == reference.RegistryKey;
            var storedKey = file.Contains(key) ? key : isRegistryKey ? file.Keys.FirstOrDefault(k => IsLegacyKeyOf(k, reference)) : null;
            var match = storedKey != key && storedKey is not null ? KeyMatch.LegacyHostname : key == lookupKeys[0] ? KeyMatch.Exact : KeyMatch.Prefix;
            var entry = storedKey is null ? null : file.GetEntry(storedKey);
            if (entry is { HasSecret: true })
            {
                return new StoredCredential(FilePath, storedKey!, entry.Username, entry.Secret, entry.IsIdentityToken, Helper: null, match);
            }

            // Docker asks the helper for the registry even without a "{}" entry; for a namespace only where one marks it.
            if (HelperFor(file, storedKey ?? key, reference) is { } helper && (entry is not null || isRegistryKey))
            {
                var found = await Helper(helper).GetAsync(storedKey ?? key, cancellationToken);
                if (found is { Secret.Length: > 0 })
                {
                    var isToken = found.Username == HelperCredential.IdentityTokenUsername;
                    return new StoredCredential(FilePath, storedKey ?? key, isToken ? "" : found.Username, found.Secret, isToken, helper, match);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Stores a login under <see cref="RegistryReference.ConfigKey"/>: in the helper the file names for it (the file then
    /// keeps <c>{}</c>), else as <c>auth</c> in the file. Returns the helper used, or null.
    /// </summary>
    public Task<string?> StoreAsync(RegistryReference reference, string username, string secret, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return DockerConfigFile.UpdateAsync(FilePath, async file =>
        {
            var key = reference.ConfigKey;
            if (HelperFor(file, key, reference) is not { } helper)
            {
                file.SetAuth(key, username, secret);
                return null;
            }

            await Helper(helper).StoreAsync(new HelperCredential(key, username, secret), cancellationToken);
            file.SetHelperPlaceholder(key);
            return helper;
        });
    }

    /// <summary>
    /// Erases every stored key that serves exactly this login: its own key and, for a whole registry, legacy keys with a
    /// scheme for the same host. Secrets kept by a helper are erased there too. Empty when nothing was stored.
    /// </summary>
    public Task<IReadOnlyList<ErasedLogin>> EraseAsync(RegistryReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return EraseWhereAsync(
            key => key == reference.ConfigKey || (reference.ConfigKey == reference.RegistryKey && IsLegacyKeyOf(key, reference)),
            reference,
            cancellationToken);
    }

    /// <summary>Erases every login in the file (and its helpers): the end-of-job clean-up for CI.</summary>
    public Task<IReadOnlyList<ErasedLogin>> EraseAllAsync(CancellationToken cancellationToken = default) =>
        EraseWhereAsync(_ => true, reference: null, cancellationToken);

    /// <summary>Erases exactly the given keys (and their secrets in credential helpers); <c>apply --prune</c> uses it.</summary>
    public Task<IReadOnlyList<ErasedLogin>> EraseKeysAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return EraseWhereAsync(keys.Contains, reference: null, cancellationToken);
    }

    /// <summary>Every key in the file with its username (asked from the helper where the file has none).</summary>
    public async Task<IReadOnlyList<StoredLogin>> ListAsync(CancellationToken cancellationToken = default)
    {
        var file = DockerConfigFile.Load(FilePath);
        var helperLists = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        var logins = new List<StoredLogin>();
        foreach (var key in file.Keys)
        {
            if (file.HoldsSecret(key) || file.HelperFor(key) is not { } helper)
            {
                logins.Add(new StoredLogin(FilePath, key, UsernameOrEmpty(file, key), Helper: null));
                continue;
            }

            if (!helperLists.TryGetValue(helper, out var known))
            {
                known = await ListUsernamesAsync(helper, cancellationToken);
                helperLists[helper] = known;
            }

            logins.Add(new StoredLogin(FilePath, key, known.TryGetValue(key, out var user) ? user : "", helper));
        }

        return logins;
    }

    // A list is informational: an entry that does not decode still shows, without a user name.
    private static string UsernameOrEmpty(DockerConfigFile file, string key)
    {
        try
        {
            return file.GetEntry(key)?.Username ?? "";
        }
        catch (RemoteException)
        {
            return "";
        }
    }

    // A list is informational: a helper that is missing or fails only costs the user names.
    private async Task<IReadOnlyDictionary<string, string>> ListUsernamesAsync(string helper, CancellationToken cancellationToken)
    {
        try
        {
            return await Helper(helper).ListAsync(cancellationToken);
        }
        catch (RemoteException)
        {
            return new Dictionary<string, string>();
        }
    }

    private async Task<IReadOnlyList<ErasedLogin>> EraseWhereAsync(Func<string, bool> selected, RegistryReference? reference, CancellationToken cancellationToken)
    {
        if (!File.Exists(FilePath))
        {
            return reference is null ? [] : await EraseFromHelperOnlyAsync(DockerConfigFile.Load(FilePath), reference, cancellationToken);
        }

        return await DockerConfigFile.UpdateAsync(FilePath, async file =>
        {
            var erased = new List<ErasedLogin>();
            foreach (var key in file.Keys.Where(selected).ToList())
            {
                string? helper = null;
                if (!file.HoldsSecret(key) && file.HelperFor(key) is { } named)
                {
                    await Helper(named).EraseAsync(key, cancellationToken);
                    helper = named;
                }

                file.Remove(key);
                erased.Add(new ErasedLogin(key, helper));
            }

            return erased.Count > 0 || reference is null ? erased : await EraseFromHelperOnlyAsync(file, reference, cancellationToken);
        });
    }

    // A helper may hold a login the file does not mark (stored by another tool): docker's logout erases it too.
    private async Task<IReadOnlyList<ErasedLogin>> EraseFromHelperOnlyAsync(DockerConfigFile file, RegistryReference reference, CancellationToken cancellationToken) =>
        HelperFor(file, reference.ConfigKey, reference) is { } helper && await Helper(helper).EraseAsync(reference.ConfigKey, cancellationToken)
            ? [new ErasedLogin(reference.ConfigKey, helper)]
            : [];

    /// <summary>
    /// The helper for a key: <c>credHelpers</c> by the key, by the registry's key or by its host (docker keys
    /// <c>credHelpers</c> by host name), else <c>credsStore</c>.
    /// </summary>
    private static string? HelperFor(DockerConfigFile file, string key, RegistryReference reference) =>
        new[] { key, reference.RegistryKey, reference.ApiHost, reference.Registry }
            .Select(file.NamedHelperFor)
            .FirstOrDefault(helper => helper is not null)
        ?? file.CredsStore;

    private static bool IsLegacyKeyOf(string key, RegistryReference reference) =>
        DockerConfigFile.SchemeKeyHostname(key) is { } host
        && (host == reference.Registry || (reference.IsDockerHub && RegistryReference.IsDockerHubHost(host)));

    private CredentialHelperClient Helper(string name) => new(name, _context.Environment, _helperTimeout, _context.Log);
}

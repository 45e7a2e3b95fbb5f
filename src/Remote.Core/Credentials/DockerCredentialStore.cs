using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Credentials;

/// <summary>How a stored key was matched to the registry reference asked for.</summary>
internal enum KeyMatch
{
    /// <summary>The key is the reference's own key (<c>host[:port]</c>, the full namespace, or Docker Hub's key).</summary>
    Exact,

    /// <summary>The key is a shorter namespace prefix (<c>ghcr.io/team</c> serving <c>ghcr.io/team/app</c>) or the registry.</summary>
    Prefix,

    /// <summary>A legacy key with a scheme whose host is the registry (<c>https://myreg.io/v2/</c> serving <c>myreg.io</c>).</summary>
    LegacyHostname,
}

/// <summary>A credential found in a docker-config file or its helper. Holds a secret: never print it.</summary>
internal sealed record StoredCredential(string FilePath, string Key, string Username, string Secret, bool IsIdentityToken, string? Helper, KeyMatch Match)
{
    public override string ToString() => $"StoredCredential {{ FilePath = {FilePath}, Key = {Key}, Username = {Username}, Helper = {Helper}, Match = {Match} }}";
}

/// <summary>A login as listed: where it is, never its secret.</summary>
internal sealed record StoredLogin(string FilePath, string Key, string Username, string? Helper);

/// <summary>A key removed by a logout and the helper it was erased from, if any.</summary>
internal sealed record ErasedLogin(string Key, string? Helper);

/// <summary>
/// One docker-config file together with the credential helpers it names (<c>credHelpers</c>, <c>credsStore</c>): the
/// one owner of OCI secrets, where they are looked up, stored, erased and listed (docs/compatibility.md#docker-config, #oci-credentials). Every action picks
/// the helper with the same rule (<see cref="DockerConfigFile.HelperFor"/>), and none ever runs dotnet remote's own
/// helper for the file it serves (<see cref="HelperChainVariable"/>). Writes are locked and atomic.
/// </summary>
internal sealed class DockerCredentialStore
{
    /// <summary>
    /// Set on every credential helper dotnet remote starts: the docker-config files being read up the chain. A
    /// <c>credential-helper</c> process asked to serve one of them was started by itself (<c>credsStore</c> naming a
    /// wrapper around dotnet remote, say) and answers "not found" instead of looping.
    /// </summary>
    public const string HelperChainVariable = "DOTNET_REMOTE_HELPER_CHAIN";

    private readonly RemoteContext _context;
    private readonly TimeSpan? _helperTimeout;
    private bool _loopReported;

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
        var lookupKeys = reference.LookupKeys();

        // Only what this lookup reads (its keys, legacy scheme keys, the helpers), not a tree of every login.
        var file = DockerConfigLookup.Load(FilePath, lookupKeys);
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
            if (UsableHelper(file, storedKey ?? key) is { } helper && (entry is not null || isRegistryKey))
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
    public Task<string?> StoreAsync(RegistryReference reference, string username, string secret, CancellationToken cancellationToken = default) =>
        StoreAsync(reference, username, secret, isIdentityToken: false, cancellationToken);

    /// <summary>
    /// As <see cref="StoreAsync(RegistryReference, string, string, CancellationToken)"/>; with
    /// <paramref name="isIdentityToken"/> the secret is an identity (refresh) token, written as docker writes one:
    /// <c>identitytoken</c> in the file, or <c>Username: "&lt;token&gt;"</c> in a helper.
    /// </summary>
    public Task<string?> StoreAsync(RegistryReference reference, string username, string secret, bool isIdentityToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return DockerConfigFile.UpdateAsync(FilePath, file => StoreIntoAsync(file, reference, username, secret, isIdentityToken, cancellationToken), _context.Time, cancellationToken);
    }

    /// <summary>As <see cref="StoreAsync(RegistryReference, string, string, bool, CancellationToken)"/>, into a file the caller loaded under its lock and writes itself.</summary>
    internal async Task<string?> StoreIntoAsync(DockerConfigFile file, RegistryReference reference, string username, string secret, bool isIdentityToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(reference);
        var key = reference.ConfigKey;
        if (UsableHelper(file, key) is not { } helper)
        {
            if (isIdentityToken)
            {
                file.SetIdentityToken(key, username, secret);
            }
            else
            {
                file.SetAuth(key, username, secret);
            }

            return null;
        }

        await Helper(helper).StoreAsync(new HelperCredential(key, isIdentityToken ? HelperCredential.IdentityTokenUsername : username, secret), cancellationToken);
        file.SetHelperPlaceholder(key);
        return helper;
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

    /// <summary>
    /// Erases every login <see cref="ListAsync"/> shows: every key in the file (and its helpers), and the whole-registry
    /// logins a helper of the file holds without a file entry (stored there by docker, podman or skopeo), which
    /// <c>credential get</c> would serve. The end-of-job clean-up for CI.
    /// </summary>
    public async Task<IReadOnlyList<ErasedLogin>> EraseAllAsync(CancellationToken cancellationToken = default)
    {
        var recorded = DockerConfigFile.Load(FilePath);
        var helperOnly = (await ListAsync(cancellationToken)).Where(login => login.Helper is not null && !recorded.Contains(login.Key)).ToList();
        var erased = (await EraseWhereAsync(_ => true, reference: null, cancellationToken)).ToList();
        foreach (var login in helperOnly)
        {
            if (await Helper(login.Helper!).EraseAsync(login.Key, cancellationToken))
            {
                erased.Add(new ErasedLogin(login.Key, login.Helper));
            }
        }

        return erased;
    }

    /// <summary>
    /// The logins <see cref="FindAsync"/> would serve, with their usernames: every key of the file holding a secret,
    /// every <c>{}</c> key its helper still holds (other tools may have erased it there), and every whole-registry key
    /// a helper of this file holds without a file entry (stored by docker, podman or skopeo through the helper).
    /// A helper that cannot be asked keeps its keys listed, without a user name.
    /// </summary>
    public async Task<IReadOnlyList<StoredLogin>> ListAsync(CancellationToken cancellationToken = default)
    {
        var file = DockerConfigFile.Load(FilePath);
        var helperLists = new Dictionary<string, IReadOnlyDictionary<string, string>?>(StringComparer.Ordinal);
        async Task<IReadOnlyDictionary<string, string>?> KnownAsync(string helper)
        {
            if (!helperLists.TryGetValue(helper, out var known))
            {
                known = await ListUsernamesAsync(helper, cancellationToken);
                helperLists[helper] = known;
            }

            return known;
        }

        var logins = new List<StoredLogin>();
        foreach (var key in file.Keys)
        {
            if (file.HoldsSecret(key) || UsableHelper(file, key) is not { } helper)
            {
                if (file.HoldsSecret(key))
                {
                    logins.Add(new StoredLogin(FilePath, key, UsernameOrEmpty(file, key), Helper: null));
                }

                continue;
            }

            var known = await KnownAsync(helper);
            if (known is null || known.ContainsKey(key))
            {
                logins.Add(new StoredLogin(FilePath, key, known?.GetValueOrDefault(key) ?? "", helper));
            }
        }

        foreach (var helper in HelpersOf(file))
        {
            foreach (var (url, user) in await KnownAsync(helper) ?? new Dictionary<string, string>())
            {
                // FindAsync asks a helper for a whole registry without a file entry, never for a namespace.
                if (!file.Contains(url) && UsableHelper(file, url) == helper && IsRegistryKey(url) && !logins.Exists(l => l.Key == url))
                {
                    logins.Add(new StoredLogin(FilePath, url, user, helper));
                }
            }
        }

        return logins;
    }

    /// <summary>The helpers a file names: <c>credsStore</c> and every <c>credHelpers</c> value, our own excepted.</summary>
    private static List<string> HelpersOf(DockerConfigFile file) =>
        new[] { file.CredsStore }.Concat(file.NamedHelpers).OfType<string>().Distinct(StringComparer.Ordinal)
            .Where(helper => helper != CredentialHelperInstaller.HelperName)
            .ToList();

    // Exactly the key FindAsync asks a helper for: host[:port], or Docker Hub's key.
    private static bool IsRegistryKey(string key) =>
        CredentialHelperProtocol.TryToReference(key) is { } reference && key == reference.RegistryKey;

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

    // A list is informational: a helper that is missing or fails cannot say what it holds (null).
    private async Task<IReadOnlyDictionary<string, string>?> ListUsernamesAsync(string helper, CancellationToken cancellationToken)
    {
        try
        {
            return await Helper(helper).ListAsync(cancellationToken);
        }
        catch (RemoteException)
        {
            return null;
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
            var erased = await EraseFromAsync(file, selected, cancellationToken);
            return erased.Count > 0 || reference is null ? erased : await EraseFromHelperOnlyAsync(file, reference, cancellationToken);
        }, _context.Time, cancellationToken);
    }

    /// <summary>Removes the selected keys from a file the caller loaded under its lock (and their helpers' secrets).</summary>
    internal async Task<IReadOnlyList<ErasedLogin>> EraseFromAsync(DockerConfigFile file, Func<string, bool> selected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        var erased = new List<ErasedLogin>();
        foreach (var key in file.Keys.Where(selected).ToList())
        {
            string? helper = null;
            if (!file.HoldsSecret(key) && UsableHelper(file, key) is { } named)
            {
                await Helper(named).EraseAsync(key, cancellationToken);
                helper = named;
            }

            file.Remove(key);
            erased.Add(new ErasedLogin(key, helper));
        }

        return erased;
    }

    /// <summary>
    /// Erases the given keys that the file does not hold from the helper that would serve them (logins docker, podman or
    /// skopeo stored there, which <see cref="ListAsync"/> shows); <c>apply --prune</c> removes them with the file's keys.
    /// </summary>
    internal async Task EraseHelperOnlyAsync(DockerConfigFile file, IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        foreach (var key in keys.Where(k => !file.Contains(k)).ToList())
        {
            if (UsableHelper(file, key) is { } helper)
            {
                await Helper(helper).EraseAsync(key, cancellationToken);
            }
        }
    }

    // A helper may hold a login the file does not mark (stored by another tool): docker's logout erases it too.
    private async Task<IReadOnlyList<ErasedLogin>> EraseFromHelperOnlyAsync(DockerConfigFile file, RegistryReference reference, CancellationToken cancellationToken) =>
        UsableHelper(file, reference.ConfigKey) is { } helper && await Helper(helper).EraseAsync(reference.ConfigKey, cancellationToken)
            ? [new ErasedLogin(reference.ConfigKey, helper)]
            : [];

    /// <summary>
    /// The helper that keeps <paramref name="key"/> (<see cref="DockerConfigFile.HelperFor"/>), unless it is dotnet
    /// remote's own helper and would serve a file this process already reads: this very file (a loop: one WARNING,
    /// and the file's own entries are all there is) or the primary file (Docker's own file pointing back at us, the
    /// README's set-up: nothing to warn about). Null means "the file itself".
    /// </summary>
    private string? UsableHelper(DockerConfigFile file, string key)
    {
        var helper = file.HelperFor(key);
        if (helper != CredentialHelperInstaller.HelperName)
        {
            return helper;
        }

        if (IsOwnStore())
        {
            if (!_loopReported)
            {
                _loopReported = true;
                _context.Log.Warning($"{FilePath} names {CredentialHelperInstaller.ProgramName} as its credential helper, but that helper serves {FilePath} itself: it would call itself without end, so it is not run and only the file's own entries count (remove \"{CredentialHelperInstaller.HelperName}\" from its credsStore/credHelpers)");
            }

            return null;
        }

        return SamePath(ServedByOwnHelper(), _context.Paths.DockerConfigFile) ? null : helper;
    }

    /// <summary>True when dotnet remote's own helper, started from here, would serve this very file.</summary>
    private bool IsOwnStore() => SamePath(ServedByOwnHelper(), FilePath);

    // The helper inherits this process's environment, so it serves the primary file without any --authfile.
    private string ServedByOwnHelper() => RemotePaths.FromEnvironment(_context.Environment).DockerConfigFile;

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    private static bool IsLegacyKeyOf(string key, RegistryReference reference) =>
        DockerConfigFile.SchemeKeyHostname(key) is { } host
        && (host == reference.Registry || (reference.IsDockerHub && RegistryReference.IsDockerHubHost(host)));

    private CredentialHelperClient Helper(string name) =>
        new(name, _context.Environment, _helperTimeout, new Dictionary<string, string> { [HelperChainVariable] = ExtendChain(_context.Environment(HelperChainVariable), FilePath) }, _context.Log);

    /// <summary>The chain a helper started while reading <paramref name="file"/> inherits.</summary>
    internal static string ExtendChain(string? chain, string file) =>
        string.IsNullOrEmpty(chain) ? Path.GetFullPath(file) : $"{chain}{Path.PathSeparator}{Path.GetFullPath(file)}";

    /// <summary>True when <paramref name="chain"/> (a <see cref="HelperChainVariable"/> value) already reads <paramref name="file"/>.</summary>
    internal static bool ChainContains(string? chain, string file) =>
        !string.IsNullOrEmpty(chain) && chain.Split(Path.PathSeparator).Any(entry => entry.Length > 0 && SamePath(entry, file));
}

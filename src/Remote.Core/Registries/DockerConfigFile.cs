using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.IO;

namespace DotnetRemote.Core.Registries;

/// <summary>One <c>auths</c> entry, decoded. <see cref="HasSecret"/> is false for a helper's <c>{}</c> placeholder.</summary>
internal sealed record DockerAuthEntry(string Username, string Secret, bool IsIdentityToken)
{
    public bool HasSecret => Secret.Length > 0;

    // Never print the secret, not even from a debugger or a log of the record.
    public override string ToString() => $"DockerAuthEntry {{ Username = {Username}, IsIdentityToken = {IsIdentityToken} }}";
}

/// <summary>
/// A Docker <c>config.json</c> (docs/compatibility.md#docker-config) held as a JSON tree, so fields this product does not model, at the top level
/// and inside entries, survive a rewrite (docker/cli drops them). Written tab-indented like docker, mode 0600.
/// </summary>
internal sealed class DockerConfigFile
{
    private const string AuthsField = "auths";
    private const string CredsStoreField = "credsStore";
    private const string CredHelpersField = "credHelpers";

    /// <summary>The entry fields that carry a secret.</summary>
    private static readonly string[] SecretFields = ["auth", "password", "identitytoken"];

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        IndentCharacter = '\t',
        IndentSize = 1,

        // Base64 '+' and '/' stay readable, as docker writes them; the file is never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly JsonObject _root;

    private DockerConfigFile(string path, JsonObject root)
    {
        FilePath = path;
        _root = root;
    }

    public string FilePath { get; }

    /// <summary>The global helper (<c>credsStore</c>), or null.</summary>
    public string? CredsStore => NonEmptyString(_root[CredsStoreField]);

    /// <summary>The keys of <c>auths</c>, in file order.</summary>
    public IReadOnlyList<string> Keys => Auths(create: false) is { } auths ? auths.Select(p => p.Key).ToList() : [];

    /// <summary>Reads the file; a missing file is an empty configuration. A file that does not parse is an error naming it.</summary>
    public static DockerConfigFile Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return ReadBytes(path) is { } utf8 ? Parse(path, utf8) : new DockerConfigFile(path, []);
    }

    /// <summary>
    /// The file's bytes as <see cref="Load"/> and <see cref="DockerConfigLookup.Load"/> read them, or null when there is
    /// no file. A file that cannot be read is an error naming it.
    /// </summary>
    internal static byte[]? ReadBytes(string path)
    {
        // An apply killed after its commit point is finished first, so remote.yaml and docker-config.json agree.
        FileJournal.RecoverPending(path, AtomicFile.PrivateFile);
        try
        {
            // Bytes, not a string: the JSON reader works on UTF-8, so a large file is not transcoded twice.
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RemoteException(RemoteErrorCodes.ConfigIo, $"while loading OCI registry credentials from \"{path}\": {ex.Message}", ex);
        }
    }

    /// <summary>Parses file content; <paramref name="path"/> names the file in errors.</summary>
    public static DockerConfigFile Parse(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse(path, System.Text.Encoding.UTF8.GetBytes(text));
    }

    private static DockerConfigFile Parse(string path, ReadOnlySpan<byte> utf8)
    {
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        if (utf8.Trim(" \t\r\n"u8).IsEmpty)
        {
            return new DockerConfigFile(path, []);
        }

        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            // The JSON reader only notices when a string is read, long after the file was accepted.
            throw new ConfigFileException(path, LineOf(utf8, FirstInvalidUtf8(utf8)), "invalid JSON: the file is not valid UTF-8");
        }

        JsonNode? node;
        try
        {
            // Duplicate keys are refused while parsing (docker/cli would keep the last; which one holds the secret is
            // ambiguous, and a lazily built object would fail later, on first use).
            node = StrictJson.ParseNode(utf8, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            // The reader's message names the position only, never the content.
            throw new ConfigFileException(path, ex.LineNumber is long line ? (int)line + 1 : null, $"invalid JSON: {ex.Message}", ex);
        }

        if (node is not JsonObject root)
        {
            throw new ConfigFileException(path, null, "invalid docker config: the top level is not a JSON object");
        }

        if (root[AuthsField] is not (null or JsonObject) || root[CredHelpersField] is not (null or JsonObject))
        {
            throw new ConfigFileException(path, null, $"invalid docker config: \"{AuthsField}\" and \"{CredHelpersField}\" must be JSON objects");
        }

        return new DockerConfigFile(path, root);
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        var index = 0;
        while (index < utf8.Length)
        {
            var status = System.Text.Rune.DecodeFromUtf8(utf8[index..], out _, out var consumed);
            if (status != System.Buffers.OperationStatus.Done)
            {
                return index;
            }

            index += consumed;
        }

        return utf8.Length;
    }

    private static int LineOf(ReadOnlySpan<byte> utf8, int index) => utf8[..Math.Min(index, utf8.Length)].Count((byte)'\n') + 1;

    /// <summary>
    /// The locked read-modify-write every change goes through: directory 0700, file 0600, atomic replace. A file that
    /// does not parse throws before anything is written, so it is never overwritten.
    /// </summary>
    /// <param name="time">The clock the lock wait runs on (the context's); the system clock when null.</param>
    public static async Task<T> UpdateAsync<T>(string path, Func<DockerConfigFile, Task<T>> change, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(change);
        AtomicFile.EnsureDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!, AtomicFile.PrivateDirectory);
        using var fileLock = await FileJournal.LockAsync(path, AtomicFile.PrivateFile, time ?? TimeProvider.System, cancellationToken).ConfigureAwait(false);
        FileSafety.RequireSafeFile(path);
        var file = Load(path);
        var before = file.ToJson();
        var result = await change(file);
        var after = file.ToJson();
        if (after != before || !File.Exists(path))
        {
            AtomicFile.WriteAllText(path, after, AtomicFile.PrivateFile);
        }

        return result;
    }

    /// <summary>
    /// The one rule choosing the helper that keeps the secret for <paramref name="key"/>, used to find, store, erase
    /// and list alike: <c>credHelpers</c> by the key itself, then by the registry the key belongs to (its docker-config
    /// key, API host and <c>host[:port]</c>: docker, podman and skopeo key <c>credHelpers</c> by host), else
    /// <c>credsStore</c>. So <c>reg.example.com/team</c> is kept by the helper named for <c>reg.example.com</c>.
    /// </summary>
    public string? HelperFor(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return HelperKeys(key).Select(NamedHelperFor).FirstOrDefault(helper => helper is not null) ?? CredsStore;
    }

    // The key, then the registry it names: a scheme key (https://myreg.io/v2/) by its host, a namespaced key by its first element.
    private static IEnumerable<string> HelperKeys(string key)
    {
        yield return key;
        var registry = SchemeKeyHostname(key) ?? key.Split('/')[0];
        if (RegistryReference.TryParseRegistry($"docker://{registry}", out var reference))
        {
            yield return reference.RegistryKey;
            yield return reference.ApiHost;
            yield return reference.Registry;
        }
    }

    /// <summary>Every helper named in <c>credHelpers</c>, in file order (duplicates kept).</summary>
    public IReadOnlyList<string> NamedHelpers =>
        _root[CredHelpersField] is JsonObject helpers ? helpers.Select(p => NonEmptyString(p.Value)).OfType<string>().ToList() : [];

    /// <summary>The helper configured for exactly <paramref name="key"/> in <c>credHelpers</c>, or null.</summary>
    public string? NamedHelperFor(string key) => NonEmptyString((_root[CredHelpersField] as JsonObject)?[key]);

    public bool Contains(string key) => Auths(create: false)?.ContainsKey(key) == true;

    /// <summary>
    /// True when the entry itself holds a secret (<c>auth</c>, <c>password</c> or <c>identitytoken</c>), false for a
    /// helper's <c>{}</c>. Does not decode, so a logout can remove an entry whose <c>auth</c> is corrupt.
    /// </summary>
    public bool HoldsSecret(string key) =>
        Auths(create: false)?[key] is JsonObject entry && SecretFields.Any(field => NonEmptyString(entry[field]) is not null);

    /// <summary>
    /// The decoded entry stored under exactly <paramref name="key"/>; null when there is none. A helper placeholder
    /// <c>{}</c> gives an entry without a secret.
    /// </summary>
    public DockerAuthEntry? GetEntry(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Auths(create: false)?[key] is not { } node)
        {
            return null;
        }

        if (node is not JsonObject entry)
        {
            throw new ConfigFileException(FilePath, null, $"invalid docker config: the entry for \"{key}\" is not a JSON object");
        }

        var username = NonEmptyString(entry["username"]) ?? "";
        var password = NonEmptyString(entry["password"]) ?? "";
        if (NonEmptyString(entry["auth"]) is { } auth)
        {
            (username, password) = DecodeAuth(auth, key);
        }

        return NonEmptyString(entry["identitytoken"]) is { } identityToken
            ? new DockerAuthEntry(username, identityToken, IsIdentityToken: true)
            : new DockerAuthEntry(username, password, IsIdentityToken: false);
    }

    /// <summary>Stores <c>{"auth": base64(user:secret)}</c>, keeping other fields of an existing entry.</summary>
    public void SetAuth(string key, string username, string secret)
    {
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(secret);
        var entry = Entry(key);
        entry["auth"] = BasicCredentials.Encode(username, secret);

        // docker/cli blanks these on save; a stale plain-text password or token must not outlive a new login.
        entry.Remove("username");
        entry.Remove("password");
        entry.Remove("identitytoken");
    }

    /// <summary>
    /// Stores an identity (refresh) token as docker does: <c>identitytoken</c>, with <c>auth</c> holding only
    /// <c>base64(username:)</c> (none without a username), never the password.
    /// </summary>
    public void SetIdentityToken(string key, string username, string identityToken)
    {
        ArgumentNullException.ThrowIfNull(username);
        ArgumentException.ThrowIfNullOrEmpty(identityToken);
        var entry = Entry(key);
        entry.Remove("username");
        entry.Remove("password");
        if (username.Length > 0)
        {
            entry["auth"] = BasicCredentials.Encode(username, "");
        }
        else
        {
            entry.Remove("auth");
        }

        entry["identitytoken"] = identityToken;
    }

    /// <summary>Stores the helper placeholder <c>{}</c>: the secret is in the helper, the file only records the key.</summary>
    public void SetHelperPlaceholder(string key)
    {
        var entry = Entry(key);
        entry.Remove("username");
        foreach (var field in SecretFields)
        {
            entry.Remove(field);
        }
    }

    /// <summary>
    /// Adds what <paramref name="other"/> has and this file lacks: its <c>auths</c> entries under keys not present here,
    /// its <c>credHelpers</c> entries likewise, and its <c>credsStore</c> when this file names none. Entries are copied
    /// as they are (fields this product does not model included). Returns the number of <c>auths</c> keys added.
    /// </summary>
    public int AddMissingFrom(DockerConfigFile other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var added = 0;
        if (other.Auths(create: false) is { } theirs)
        {
            var mine = Auths(create: true)!;
            foreach (var (key, entry) in theirs)
            {
                if (!mine.ContainsKey(key))
                {
                    mine[key] = entry?.DeepClone();
                    added++;
                }
            }
        }

        if (other._root[CredHelpersField] is JsonObject theirHelpers)
        {
            if (_root[CredHelpersField] is not JsonObject myHelpers)
            {
                myHelpers = [];
                _root[CredHelpersField] = myHelpers;
            }

            foreach (var (key, helper) in theirHelpers)
            {
                if (!myHelpers.ContainsKey(key))
                {
                    myHelpers[key] = helper?.DeepClone();
                }
            }
        }

        if (CredsStore is null && other.CredsStore is { } store)
        {
            _root[CredsStoreField] = store;
        }

        return added;
    }

    /// <summary>Removes the entry for <paramref name="key"/>; false when there was none.</summary>
    public bool Remove(string key) => Auths(create: false)?.Remove(key) == true;

    /// <summary>The file content: tab-indented, <c>auths</c> always present, as docker writes it.</summary>
    public string ToJson()
    {
        Auths(create: true);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            _root.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>
    /// docker/cli's "hostname form" of a key written with a scheme: scheme and path dropped, port kept, so the legacy key
    /// <c>https://myreg.io/v2/</c> serves <c>myreg.io</c>. Null for a plain key: there the path is a namespace
    /// (<c>ghcr.io/team</c>) and must not widen to the whole registry.
    /// </summary>
    public static string? SchemeKeyHostname(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string rest;
        if (key.StartsWith("https://", StringComparison.Ordinal))
        {
            rest = key["https://".Length..];
        }
        else if (key.StartsWith("http://", StringComparison.Ordinal))
        {
            rest = key["http://".Length..];
        }
        else
        {
            return null;
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash >= 0 ? rest[..slash] : rest;
    }

    private static (string Username, string Password) DecodeAuth(string auth, string key)
    {
        if (BasicCredentials.TryDecode(auth, out var username, out var password))
        {
            return (username, password);
        }

        // The message names the key only: the undecodable value may still be a secret.
        throw new RemoteException(RemoteErrorCodes.CredentialStore, $"invalid auth configuration for \"{key}\": \"auth\" is not base64 of username:password");
    }

    private static string? NonEmptyString(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    private JsonObject Entry(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var auths = Auths(create: true)!;
        if (auths[key] is JsonObject existing)
        {
            return existing;
        }

        var entry = new JsonObject();
        auths[key] = entry;
        return entry;
    }

    private JsonObject? Auths(bool create)
    {
        if (_root[AuthsField] is JsonObject auths)
        {
            return auths;
        }

        if (!create)
        {
            return null;
        }

        auths = [];
        _root[AuthsField] = auths;
        return auths;
    }
}

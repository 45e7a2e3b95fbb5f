using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.IO;

namespace DotnetRemote.Core.Manifests;

/// <summary>Whether a manifest needs applying again, and why.</summary>
/// <param name="Current">True when the last successful apply still holds: nothing to verify, nothing to write.</param>
/// <param name="Reason">Why (for a low-importance build message; never holds a secret).</param>
internal sealed record ApplyStampCheck(bool Current, string Reason);

/// <summary>
/// Remembers the last successful apply of one declaration (an MSBuild project's items, say) so an unchanged build
/// needs neither the network nor a write: a private file (0600, in the 0700 <c>remote-cache/apply</c> folder of the
/// user's configuration) holding a random salt, the salted hash (HMAC-SHA256) of everything the manifest resolved
/// to (secret values included, so a changed secret re-verifies, but never the values themselves), the salted hash
/// of the stored files as the apply left them (remote.yaml, docker-config.json, the system file), and when it was
/// verified. The apply is current when both hashes match and the verification is younger than the interval.
/// </summary>
internal sealed class ApplyStamp
{
    private const int Version = 1;
    private readonly RemoteContext _context;
    private readonly string _path;

    /// <param name="key">What the stamp belongs to (an MSBuild project's full path): one stamp per key and user store.</param>
    public ApplyStamp(RemoteContext context, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _context = context ?? throw new ArgumentNullException(nameof(context));
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key + "\n" + context.Paths.UserConfigFile)))[..32];
        _path = Path.Combine(Folder(context.Paths), name + ".json");
    }

    /// <summary>The stamp file (for tests and diagnostics).</summary>
    public string FilePath => _path;

    /// <summary>Where stamps live: <c>&lt;config dir&gt;/remote-cache/apply</c>.</summary>
    public static string Folder(RemotePaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return Path.Combine(paths.DiscoveryCacheDirectory, "apply");
    }

    /// <summary>Compares the manifest and the stored files with the stamp. Reads files only; never the network.</summary>
    /// <param name="interval">How long a verification holds; null: forever (an inner build after its outer build).</param>
    public ApplyStampCheck Check(Manifest manifest, ApplyManifestOptions options, TimeSpan? interval)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(options);
        JsonObject? stamp;
        try
        {
            stamp = File.Exists(_path) ? JsonNode.Parse(File.ReadAllBytes(_path)) as JsonObject : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return new ApplyStampCheck(false, $"the stamp {_path} cannot be read ({ex.GetType().Name})");
        }

        if (stamp is null)
        {
            return new ApplyStampCheck(false, "no earlier apply is recorded");
        }

        if (!(stamp["version"] is JsonValue v && v.TryGetValue<int>(out var version) && version == Version)
            || !TryBytes(stamp, "salt", out var salt) || !TryBytes(stamp, "inputs", out var inputs) || !TryBytes(stamp, "store", out var store)
            || !(stamp["verified"] is JsonValue t && t.TryGetValue<string>(out var text)
                 && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var verified)))
        {
            return new ApplyStampCheck(false, $"the stamp {_path} is not one this version wrote");
        }

        if (!CryptographicOperations.FixedTimeEquals(inputs, InputsHash(salt, manifest, options)))
        {
            return new ApplyStampCheck(false, "the declarations, a referenced file or a secret changed");
        }

        if (!CryptographicOperations.FixedTimeEquals(store, StoreHash(salt)))
        {
            return new ApplyStampCheck(false, "the stored configuration changed since the last apply");
        }

        var age = _context.Time.GetUtcNow() - verified;
        if (interval is { } limit && (age >= limit || age < TimeSpan.Zero))
        {
            return new ApplyStampCheck(false, $"the last verification is older than {limit.ToString("c", CultureInfo.InvariantCulture)}");
        }

        return new ApplyStampCheck(true, $"unchanged since the apply verified at {verified.ToString("u", CultureInfo.InvariantCulture)}");
    }

    /// <summary>Records a successful apply (after the engine wrote the store); atomic, 0600.</summary>
    public void Record(Manifest manifest, ApplyManifestOptions options)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(options);
        var salt = RandomNumberGenerator.GetBytes(32);
        var stamp = new JsonObject
        {
            ["version"] = Version,
            ["salt"] = Convert.ToBase64String(salt),
            ["inputs"] = Convert.ToBase64String(InputsHash(salt, manifest, options)),
            ["store"] = Convert.ToBase64String(StoreHash(salt)),
            ["verified"] = _context.Time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
        };
        AtomicFile.EnsureDirectory(_context.Paths.UserConfigDirectory, AtomicFile.PrivateDirectory);
        AtomicFile.EnsureDirectory(_context.Paths.DiscoveryCacheDirectory, AtomicFile.PrivateDirectory);
        AtomicFile.EnsureDirectory(Path.GetDirectoryName(_path)!, AtomicFile.PrivateDirectory);
        AtomicFile.WriteAllText(_path, stamp.ToJsonString() + "\n", AtomicFile.PrivateFile);
    }

    /// <summary>Forgets the stamp (a failed apply): the next build verifies again.</summary>
    public void Forget()
    {
        try
        {
            File.Delete(_path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _context.Log.Warning($"could not remove {_path}: {ex.Message}");
        }
    }

    private static bool TryBytes(JsonObject stamp, string name, out byte[] bytes)
    {
        bytes = [];
        if (stamp[name] is not JsonValue value || !value.TryGetValue<string>(out var text))
        {
            return false;
        }

        try
        {
            bytes = Convert.FromBase64String(text);
            return bytes.Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Everything the manifest resolved to, in a fixed order, each field length-prefixed.</summary>
    private byte[] InputsHash(byte[] salt, Manifest manifest, ApplyManifestOptions options)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, salt);
        var length = new byte[4];
        void Add(string? value)
        {
            var bytes = value is null ? [0xFF] : Encoding.UTF8.GetBytes(value);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, value is null ? -1 : bytes.Length);
            hmac.AppendData(length);
            hmac.AppendData(bytes);
        }

        Add("v2");
        Add(options.NoVerify ? "no-verify" : "verify");
        Add(_context.Paths.UserConfigFile);
        Add(_context.Paths.DockerConfigFile);
        Add(_context.Paths.SystemConfigFile);
        foreach (var remote in manifest.Remotes)
        {
            Add("remote");
            Add(remote.Name);
            Add(remote.Uri);
            Add(remote.Token);
            Add(remote.Insecure ? "1" : "0");
            Add(remote.Use ? "1" : "0");
            Add(remote.Exclusive ? "1" : "0");
            Add(remote.Remove ? "1" : "0");
            foreach (var keyserver in remote.Keyservers)
            {
                Add("keyserver");
                Add(keyserver.Uri);
                Add(keyserver.Order?.ToString(CultureInfo.InvariantCulture));
                Add(keyserver.Insecure ? "1" : "0");
                Add(keyserver.Skip ? "1" : "0");
            }
        }

        foreach (var login in manifest.Logins)
        {
            Add("login");
            Add(login.Uri);
            Add(login.Username);
            Add(login.Password);
            Add(login.Insecure ? "1" : "0");
            Add(login.TrustRealms.Count.ToString(CultureInfo.InvariantCulture));
            foreach (var realm in login.TrustRealms)
            {
                Add(realm);
            }
        }

        return hmac.GetHashAndReset();
    }

    /// <summary>The stored files' bytes (a missing file counts as missing, not as empty).</summary>
    private byte[] StoreHash(byte[] salt)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, salt);
        Span<byte> length = stackalloc byte[8];
        foreach (var file in new[] { _context.Paths.UserConfigFile, _context.Paths.DockerConfigFile, _context.Paths.SystemConfigFile })
        {
            byte[] content;
            try
            {
                content = File.Exists(file) ? File.ReadAllBytes(file) : [];
                hmac.AppendData(File.Exists(file) ? "present\n"u8 : "absent\n"u8);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                content = Encoding.UTF8.GetBytes($"unreadable: {ex.GetType().Name}");
            }

            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(length, content.LongLength);
            hmac.AppendData(length);
            hmac.AppendData(content);
        }

        return hmac.GetHashAndReset();
    }
}

using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Manifests;

/// <summary>Reads a manifest file strictly (unknown keys are errors with their line) and resolves its references.</summary>
internal static class ManifestReader
{
    public static Manifest Load(string path, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fullPath = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RemoteException(RemoteErrorCodes.ManifestInvalid, $"cannot read manifest {fullPath}: {ex.Message}", ex);
        }

        return Parse(text, fullPath, environment);
    }

    public static Manifest Parse(string text, string filePath, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(text);
        var references = new SecretReferences(environment, Path.GetDirectoryName(filePath) ?? ".");
        var secrets = new List<string>();
        var remotes = new List<ManifestRemote>();
        var logins = new List<ManifestLogin>();
        var yaml = StrictYamlReader.ForText(text, filePath);

        // Every value a reference produced is a secret, whatever field it fills: it is masked in the plan, in errors
        // and in CI logs. A uri may take ${env:} (masked like any other) but never ${file:}.
        // Tokens and passwords come first in Secrets (CI mask lines are printed in this order), then the other values
        // references produced (user names, URIs).
        var otherMasked = new List<string>();
        string Value(string raw, int line, bool secret, string field)
        {
            var value = references.Expand(raw, filePath, line, secret ? secrets : otherMasked, allowFile: field != "uri", field);
            if (secret && value.Length > 0)
            {
                secrets.Add(value);
            }

            return value;
        }

        yaml.ReadDocument(() => yaml.ReadStruct("manifest", key =>
        {
            switch (key)
            {
                case "remotes": yaml.ReadMap(name => remotes.Add(ReadRemote(yaml, name, Value))); return true;
                case "logins": yaml.ReadSequence(() => logins.Add(ReadLogin(yaml, Value))); return true;
                case "dockerAuthConfig": logins.AddRange(ReadDockerAuthConfig(yaml, Value, filePath, secrets, otherMasked)); return true;
                default: return false;
            }
        }, ["remotes", "logins"]));

        return new Manifest(filePath, remotes, logins) { Secrets = secrets.Concat(otherMasked).Distinct(StringComparer.Ordinal).ToList() };
    }

    private delegate string Resolve(string raw, int line, bool secret, string field);

    private static ManifestRemote ReadRemote(StrictYamlReader yaml, string name, Resolve value)
    {
        var line = yaml.Line;
        string uri = "";
        string? token = null;
        bool insecure = false, use = false, exclusive = false, remove = false;
        var keyservers = new List<ManifestKeyserver>();
        yaml.ReadStruct("remote", key =>
        {
            var at = yaml.Line;
            switch (key)
            {
                case "uri": uri = value(yaml.ReadString(), at, secret: false, "uri"); return true;
                case "token": token = value(yaml.ReadString(), at, secret: true, "token"); return true;
                case "insecure": insecure = yaml.ReadBool(); return true;
                case "use": use = yaml.ReadBool(); return true;
                case "exclusive": exclusive = yaml.ReadBool(); return true;
                case "remove": remove = yaml.ReadBool(); return true;
                case "keyservers": yaml.ReadSequence(() => keyservers.Add(ReadKeyserver(yaml, value))); return true;
                default: return false;
            }
        }, ["uri", "token", "insecure", "use", "exclusive", "remove", "keyservers"]);
        if (remove && (uri.Length > 0 || token is not null || insecure || use || exclusive || keyservers.Count > 0))
        {
            throw yaml.Error(line, $"remote {name} has remove: true and nothing else may be declared for it");
        }

        if (name.Trim().Length == 0 || (uri.Trim().Length == 0 && !remove))
        {
            throw yaml.Error(line, name.Trim().Length == 0 ? "a remote needs a name" : $"remote {name} needs a uri");
        }

        return new ManifestRemote(name, uri, string.IsNullOrEmpty(token) ? null : token, insecure, use, keyservers, $"{yaml.FilePath}:{line}") { Exclusive = exclusive, Remove = remove };
    }

    private static ManifestKeyserver ReadKeyserver(StrictYamlReader yaml, Resolve value)
    {
        var line = yaml.Line;
        string uri = "";
        int? order = null;
        bool insecure = false, skip = false;
        yaml.ReadStruct("keyserver", key =>
        {
            switch (key)
            {
                case "uri": uri = value(yaml.ReadString(), line, secret: false, "uri"); return true;
                case "order": order = yaml.ReadInt(); return true;
                case "insecure": insecure = yaml.ReadBool(); return true;
                case "skip": skip = yaml.ReadBool(); return true;
                default: return false;
            }
        }, ["uri", "order", "insecure", "skip"]);
        if (skip && order is not null)
        {
            throw yaml.Error(line, "a hidden keyserver (skip: true) has no order");
        }

        return order is <= 0
            ? throw yaml.Error(line, "order must be > 0")
            : new ManifestKeyserver(uri, order, insecure, $"{yaml.FilePath}:{line}") { Skip = skip };
    }

    /// <summary><c>dockerAuthConfig</c>: a docker config.json document (usually <c>${env:DOCKER_AUTH_CONFIG}</c>), see <see cref="DockerAuthConfigImport"/>.</summary>
    private static IReadOnlyList<ManifestLogin> ReadDockerAuthConfig(StrictYamlReader yaml, Resolve value, string filePath, List<string> secrets, List<string> otherMasked)
    {
        var line = yaml.Line;
        var document = value(yaml.ReadString(), line, secret: false, "dockerAuthConfig");

        // The document is not masked as a whole (its braces and keys would be masked in every later log line): the
        // import masks each secret it holds.
        otherMasked.RemoveAll(s => s == document);
        return DockerAuthConfigImport.Parse(document, $"{filePath}:{line}", secrets);
    }

    private static ManifestLogin ReadLogin(StrictYamlReader yaml, Resolve value)
    {
        var line = yaml.Line;
        string uri = "", username = "", password = "";
        var insecure = false;
        var trustRealms = new List<string>();
        yaml.ReadStruct("login", key =>
        {
            var at = yaml.Line;
            switch (key)
            {
                case "uri": uri = value(yaml.ReadString(), at, secret: false, "uri"); return true;
                case "username": username = value(yaml.ReadString(), at, secret: false, "username"); return true;
                case "password": password = value(yaml.ReadString(), at, secret: true, "password"); return true;
                case "insecure": insecure = yaml.ReadBool(); return true;
                case "trustRealms": yaml.ReadSequence(() => trustRealms.Add(ReadRealmHost(yaml))); return true;
                default: return false;
            }
        }, ["uri", "username", "password", "insecure"]);
        return uri.Trim().Length == 0
            ? throw yaml.Error(line, "a login needs a uri")
            : new ManifestLogin(uri.Trim(), username, password, insecure, $"{yaml.FilePath}:{line}") { TrustRealms = trustRealms };
    }

    private static string ReadRealmHost(StrictYamlReader yaml)
    {
        var line = yaml.Line;
        var host = yaml.ReadString().Trim();
        return host.Length == 0 ? throw yaml.Error(line, "trustRealms: a realm host must not be empty") : host;
    }
}

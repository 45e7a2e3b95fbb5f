using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Manifests;

/// <summary>
/// <c>dockerAuthConfig: ${env:DOCKER_AUTH_CONFIG}</c>: a docker <c>config.json</c> document (GitLab CI's convention) whose
/// <c>auths</c> entries become registry logins of the manifest, verified like any other unless <c>--no-verify</c>.
/// A key is a registry as docker writes it (<c>host[:port][/namespace]</c>, <c>https://host/…</c>, Docker Hub's
/// <c>https://index.docker.io/v1/</c>); an <c>http://</c> key declares a plain-HTTP registry (<c>insecure</c>).
/// </summary>
internal static class DockerAuthConfigImport
{
    /// <param name="document">The JSON text.</param>
    /// <param name="origin">Where it was declared (<c>file:line</c>), for every message; no message quotes a value.</param>
    /// <param name="secrets">Receives each password and each <c>auth</c> value, for CI masking.</param>
    public static IReadOnlyList<ManifestLogin> Parse(string document, string origin, ICollection<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(secrets);
        DockerConfigFile file;
        try
        {
            file = DockerConfigFile.Parse($"{origin}: dockerAuthConfig", document);
        }
        catch (RemoteException ex)
        {
            throw new RemoteException(RemoteErrorCodes.ManifestInvalid, ex.Message, ex);
        }

        if (file.CredsStore is not null || file.Keys.Any(key => file.NamedHelperFor(key) is not null))
        {
            throw Invalid(origin, "credsStore and credHelpers are not imported (a helper holds no secret to declare); give the registries' auths instead");
        }

        if (file.Keys.Count == 0)
        {
            throw Invalid(origin, "the document has no \"auths\" entry");
        }

        var logins = new List<ManifestLogin>();
        foreach (var key in file.Keys)
        {
            DockerAuthEntry? entry;
            try
            {
                entry = file.GetEntry(key);
            }
            catch (RemoteException ex)
            {
                throw Invalid(origin, ex.Message);
            }

            if (entry is null || !entry.HasSecret || entry.Username.Length == 0)
            {
                throw Invalid(origin, $"the entry for \"{key}\" needs \"auth\" (base64 of username:password) or \"username\" and \"password\"");
            }

            if (entry.IsIdentityToken)
            {
                throw Invalid(origin, $"the entry for \"{key}\" holds an identity token, which cannot be imported; give \"auth\" instead");
            }

            secrets.Add(entry.Secret);
            secrets.Add(BasicCredentials.Encode(entry.Username, entry.Secret));
            var insecure = key.StartsWith("http://", StringComparison.OrdinalIgnoreCase);
            var registry = DockerConfigFile.SchemeKeyHostname(key) ?? key.TrimEnd('/');
            var uri = "docker://" + registry;
            if (!RegistryReference.TryParseRegistry(uri, out _))
            {
                throw Invalid(origin, $"\"{key}\" is not a registry");
            }

            logins.Add(new ManifestLogin(uri, entry.Username, entry.Secret, insecure, $"{origin} (dockerAuthConfig \"{key}\")"));
        }

        return logins;
    }

    private static RemoteException Invalid(string origin, string detail) =>
        new(RemoteErrorCodes.ManifestInvalid, $"{origin}: dockerAuthConfig: {detail}");
}

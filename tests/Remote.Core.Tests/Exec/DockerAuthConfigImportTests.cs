using System.Text;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Manifests;
using DotnetRemote.Core.Tests.Manifests;

namespace DotnetRemote.Core.Tests.Exec;

/// <summary><c>dockerAuthConfig: ${env:DOCKER_AUTH_CONFIG}</c>: GitLab CI's docker config.json document as manifest logins.</summary>
public sealed class DockerAuthConfigImportTests : IDisposable
{
    private const string Manifest = "dockerAuthConfig: ${env:DOCKER_AUTH_CONFIG}\n";
    private readonly ManifestSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private static string Auth(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    private static string Document(string key, string auth) => "{\"auths\":{\"" + key + "\":{\"auth\":\"" + auth + "\"}}}";

    private Manifest Read(string document, string manifest = Manifest)
    {
        _sandbox.SetVariable("DOCKER_AUTH_CONFIG", document);
        return _sandbox.Read(manifest);
    }

    [Fact]
    public void Each_auths_entry_becomes_a_registry_login_with_its_secrets_listed_for_masking()
    {
        var manifest = Read($$"""
            {
              "auths": {
                "registry.example.com:5000": { "auth": "{{Auth("ci", "pass-one")}}" },
                "https://index.docker.io/v1/": { "username": "hubuser", "password": "pass-two" },
                "http://plain.example.com:8080": { "auth": "{{Auth("u3", "pass:three")}}" },
                "ghcr.io/team": { "auth": "{{Auth("u4", "pass-four")}}" }
              }
            }
            """);

        var origin = $"{_sandbox.ManifestPath}:1";
        Assert.Equal(
            [
                new ManifestLogin("docker://registry.example.com:5000", "ci", "pass-one", false, $"{origin} (dockerAuthConfig \"registry.example.com:5000\")"),
                new ManifestLogin("docker://index.docker.io", "hubuser", "pass-two", false, $"{origin} (dockerAuthConfig \"https://index.docker.io/v1/\")"),
                new ManifestLogin("docker://plain.example.com:8080", "u3", "pass:three", true, $"{origin} (dockerAuthConfig \"http://plain.example.com:8080\")"),
                new ManifestLogin("docker://ghcr.io/team", "u4", "pass-four", false, $"{origin} (dockerAuthConfig \"ghcr.io/team\")"),
            ],
            manifest.Logins);
        foreach (var secret in new[] { "pass-one", Auth("ci", "pass-one"), "pass-two", Auth("hubuser", "pass-two"), "pass:three", "pass-four" })
        {
            Assert.Contains(secret, manifest.Secrets);
        }

        // The document itself is not one secret: masking it line by line would hide "{" everywhere.
        Assert.DoesNotContain(manifest.Secrets, secret => secret.Contains('{', StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_imported_logins_are_verified_and_stored_like_declared_ones()
    {
        var manifest = Read(Document(ManifestSandbox.RegistryHost, Auth(ManifestSandbox.RegistryUser, ManifestSandbox.RegistryPassword)));

        var result = await new ApplyManifest(_sandbox.Context()).ExecuteAsync(new ApplyManifestOptions(manifest));

        Assert.True(result.Applied);
        Assert.Contains(_sandbox.Web.Calls, request => request.Url == $"https://{ManifestSandbox.RegistryHost}/v2/" && request.Authorization is not null);
        Assert.Contains(Auth(ManifestSandbox.RegistryUser, ManifestSandbox.RegistryPassword), File.ReadAllText(_sandbox.DockerConfigFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_in_the_document_is_refused_naming_the_manifest_line_and_key_and_nothing_is_written()
    {
        var manifest = Read(Document(ManifestSandbox.RegistryHost, Auth(ManifestSandbox.RegistryUser, "wrong-password")), "# CI\n" + Manifest);

        var error = await Assert.ThrowsAsync<RemoteException>(() => new ApplyManifest(_sandbox.Context()).ExecuteAsync(new ApplyManifestOptions(manifest)));

        Assert.StartsWith($"{_sandbox.ManifestPath}:2 (dockerAuthConfig \"{ManifestSandbox.RegistryHost}\"): ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_sandbox.DockerConfigFile));
    }

    [Theory]
    [InlineData("{\"auths\": {\"r.io\": {\"auth\": \"bm90LWJhc2U2NA-secret-value\"}}}", "\"r.io\"")]
    [InlineData("{\"auths\": {\"r.io\": {\"identitytoken\": \"tok-secret-value\", \"username\": \"u\"}}}", "identity token")]
    [InlineData("{\"auths\": {\"r.io\": {}}}", "needs \"auth\"")]
    [InlineData("{\"auths\": {}}", "no \"auths\" entry")]
    [InlineData("{\"auths\": {\"r.io\": {\"auth\": \"dTpw\"}}, \"credsStore\": \"secretservice\"}", "credsStore")]
    [InlineData("{\"auths\": {\"r.io\": {\"auth\": \"dTpw\"}}, \"credHelpers\": {\"r.io\": \"ecr-login\"}}", "credHelpers")]
    [InlineData("{\"auths\": [\"secret-value\"]}", "must be JSON objects")]
    [InlineData("{\"auths\": {\"r.io\": {\"auth\": \"secret-value\"}", "invalid JSON")]
    public void A_document_that_cannot_be_imported_is_an_error_naming_the_line_never_quoting_a_value(string document, string expected)
    {
        var error = Assert.Throws<RemoteException>(() => Read(document));

        Assert.Equal(RemoteErrorCodes.ManifestInvalid, error.Code);
        Assert.Contains($"{_sandbox.ManifestPath}:1", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_variable_names_it()
    {
        var error = Assert.Throws<RemoteException>(() => _sandbox.Read(Manifest));

        Assert.Equal(RemoteErrorCodes.ManifestVariableMissing, error.Code);
        Assert.Contains("DOCKER_AUTH_CONFIG", error.Message, StringComparison.Ordinal);
    }
}

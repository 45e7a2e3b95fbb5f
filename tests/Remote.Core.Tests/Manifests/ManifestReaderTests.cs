using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Manifests;

namespace DotnetRemote.Core.Tests.Manifests;

/// <summary>The manifest file: strict keys with file:line errors, <c>${env:}</c> and <c>${file:}</c> references.</summary>
public sealed class ManifestReaderTests : IDisposable
{
    private readonly ManifestSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private string ManifestPath => _sandbox.ManifestPath;

    [Fact]
    public void Reads_remotes_and_logins_with_environment_references_resolved()
    {
        var manifest = _sandbox.Read(ManifestSandbox.CompanyManifest);

        Assert.Equal(ManifestPath, manifest.Source);
        var remote = Assert.Single(manifest.Remotes);
        Assert.Equal(("company", $"https://{ManifestSandbox.LibraryHost}", ManifestSandbox.ValidToken, true, false), (remote.Name, remote.Uri, remote.Token, remote.Use, remote.Insecure));
        Assert.Equal($"{ManifestPath}:{ManifestSandbox.CompanyLine}", remote.Origin);
        var login = Assert.Single(manifest.Logins);
        Assert.Equal(($"docker://{ManifestSandbox.RegistryHost}", ManifestSandbox.RegistryUser, ManifestSandbox.RegistryPassword), (login.Uri, login.Username, login.Password));
        Assert.Equal($"{ManifestPath}:{ManifestSandbox.RegistryLoginLine}", login.Origin);
    }

    [Fact]
    public void Secrets_lists_every_value_a_reference_resolved_but_not_literal_usernames_or_uris()
    {
        var manifest = _sandbox.Read(ManifestSandbox.CompanyManifest);

        // The user name comes from ${env:REGISTRY_USER}: a referenced value is masked whatever field it fills (issue 9).
        // Tokens and passwords come first (the CI mask lines follow this order), then the other masked values.
        Assert.Equal([ManifestSandbox.ValidToken, ManifestSandbox.RegistryPassword, ManifestSandbox.RegistryUser], manifest.Secrets);
        Assert.DoesNotContain(manifest.Secrets, s => s.Contains(ManifestSandbox.RegistryHost, StringComparison.Ordinal));
    }

    [Fact]
    public void A_file_reference_is_read_relative_to_the_manifest_and_loses_its_final_newline()
    {
        _sandbox.WriteFile("secrets/registry-password", "from-a-file\n");

        var manifest = _sandbox.Read("""
            logins:
              - uri: docker://registry.example.com
                username: bob
                password: ${file:secrets/registry-password}

            """);

        Assert.NotEqual(_sandbox.PipelineDirectory, Environment.CurrentDirectory);
        Assert.Equal("from-a-file", Assert.Single(manifest.Logins).Password);
        Assert.Equal(["from-a-file"], manifest.Secrets);
    }

    [Fact]
    public void A_reference_inside_a_longer_value_is_expanded_in_place()
    {
        _sandbox.SetVariable("LIBRARY_HOST", "library.example.com");

        var manifest = _sandbox.Read("""
            remotes:
              company:
                uri: https://${env:LIBRARY_HOST}:8443

            """);

        Assert.Equal("https://library.example.com:8443", Assert.Single(manifest.Remotes).Uri);
    }

    [Fact]
    public void Keyservers_keep_their_order_and_flags()
    {
        var manifest = _sandbox.Read("""
            remotes:
              company:
                uri: https://library.example.com
                keyservers:
                  - uri: https://keys.example.com
                    order: 2
                  - uri: http://keys.internal:11371
                    insecure: true

            """);

        Assert.Equal(
            [new ManifestKeyserver("https://keys.example.com", 2, false, $"{ManifestPath}:5"), new ManifestKeyserver("http://keys.internal:11371", null, true, $"{ManifestPath}:7")],
            Assert.Single(manifest.Remotes).Keyservers);
    }

    [Theory]
    [InlineData("remotes:\n  company:\n    uri: https://library.example.com\n    tokn: x\n", 4, "field tokn not found in type remote (allowed here: uri, token, insecure, use, exclusive, remove, keyservers)")]
    [InlineData("remote:\n  company:\n    uri: https://library.example.com\n", 1, "field remote not found in type manifest (allowed here: remotes, logins)")]
    [InlineData("logins:\n  - uri: docker://r.example.com\n    user: bob\n", 3, "field user not found in type login (allowed here: uri, username, password, insecure)")]
    [InlineData("remotes:\n  company:\n    uri: https://l.example.com\n    keyservers:\n      - uri: https://k.example.com\n        order: 0\n", 5, "order must be > 0")]
    [InlineData("remotes:\n  company:\n    insecure: true\n", 3, "remote company needs a uri")]
    [InlineData("logins:\n  - username: bob\n", 2, "a login needs a uri")]
    [InlineData("remotes:\n  company:\n    uri: https://l.example.com\n    use: \"yes\"\n", 4, "cannot unmarshal !!str `yes` into bool")]
    public void An_invalid_manifest_is_an_error_with_file_and_line(string yaml, int line, string detail)
    {
        var error = Assert.Throws<ConfigFileException>(() => _sandbox.Read(yaml));

        Assert.Equal(RemoteErrorCodes.ConfigInvalid, error.Code);
        Assert.Equal($"{ManifestPath}:{line}: {detail}", error.Message);
    }

    [Fact]
    public void Broken_yaml_is_an_error_with_file_and_line()
    {
        var error = Assert.Throws<ConfigFileException>(() => _sandbox.Read("remotes:\n  company:\n    uri: [unclosed\n"));

        Assert.Equal(ManifestPath, error.FilePath);
        Assert.NotNull(error.Line);
    }

    [Fact]
    public void A_missing_variable_names_the_variable_and_where_it_is_used_but_no_secret()
    {
        _sandbox.RemoveVariable("REGISTRY_PASSWORD");

        var error = Assert.Throws<RemoteException>(() => _sandbox.Read(ManifestSandbox.CompanyManifest));

        Assert.Equal(RemoteErrorCodes.ManifestVariableMissing, error.Code);
        Assert.Equal($"{ManifestPath}:9: environment variable REGISTRY_PASSWORD is not set", error.Message);
        AssertNoSecret(error);
    }

    [Fact]
    public void An_empty_variable_counts_as_missing()
    {
        _sandbox.SetVariable("COMPANY_TOKEN", "");

        var error = Assert.Throws<RemoteException>(() => _sandbox.Read(ManifestSandbox.CompanyManifest));

        Assert.Equal($"{ManifestPath}:4: environment variable COMPANY_TOKEN is not set", error.Message);
    }

    [Fact]
    public void A_missing_file_reference_names_the_file_and_where_it_is_used()
    {
        var error = Assert.Throws<RemoteException>(() => _sandbox.Read("""
            remotes:
              company:
                uri: https://library.example.com
                token: ${file:missing-token}

            """));

        Assert.Equal(RemoteErrorCodes.ManifestVariableMissing, error.Code);
        Assert.StartsWith($"{ManifestPath}:4: cannot read {Path.Combine(_sandbox.PipelineDirectory, "missing-token")}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_error_after_secrets_were_resolved_quotes_none_of_them()
    {
        var error = Assert.Throws<ConfigFileException>(() => _sandbox.Read(ManifestSandbox.CompanyManifest + "extra: ${env:COMPANY_TOKEN}\n"));

        Assert.Equal($"{ManifestPath}:10: field extra not found in type manifest (allowed here: remotes, logins)", error.Message);
        AssertNoSecret(error);
    }

    [Fact]
    public void A_missing_manifest_file_is_a_manifest_error_naming_it()
    {
        var path = Path.Combine(_sandbox.PipelineDirectory, "absent.yaml");

        var error = Assert.Throws<RemoteException>(() => ManifestReader.Load(path, _sandbox.Variable));

        Assert.Equal(RemoteErrorCodes.ManifestInvalid, error.Code);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    private static void AssertNoSecret(Exception error)
    {
        foreach (var secret in new[] { ManifestSandbox.ValidToken, ManifestSandbox.RegistryPassword })
        {
            Assert.DoesNotContain(secret, error.ToString(), StringComparison.Ordinal);
        }
    }
}

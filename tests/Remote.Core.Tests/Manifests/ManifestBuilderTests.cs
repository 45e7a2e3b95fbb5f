using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Manifests;

namespace DotnetRemote.Core.Tests.Manifests;

/// <summary>The manifest MSBuild items and Cake calls build: environment variable names, never values.</summary>
public sealed class ManifestBuilderTests : IDisposable
{
    private readonly ManifestSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private ManifestBuilder Builder() => new(_sandbox.Variable, "SampleApp.csproj");

    [Fact]
    public void Reads_the_named_variables_and_collects_the_secrets()
    {
        var manifest = Builder()
            .AddRemote("company", "https://library.example.com", "COMPANY_TOKEN", insecure: true, use: true, "RemoteEndpoint 'company'")
            .AddKeyserver("https://keys.example.com", "company", order: 1, insecure: false, "RemoteKeyserver 'https://keys.example.com'")
            .AddLogin("docker://registry.example.com", username: null, "REGISTRY_USER", "REGISTRY_PASSWORD", insecure: false, "RemoteLogin 'docker://registry.example.com'")
            .Build();

        Assert.Equal("SampleApp.csproj", manifest.Source);
        var remote = Assert.Single(manifest.Remotes);
        Assert.Equal((ManifestSandbox.ValidToken, true, true), (remote.Token, remote.Insecure, remote.Use));
        Assert.Equal([new ManifestKeyserver("https://keys.example.com", 1, false, "RemoteKeyserver 'https://keys.example.com'")], remote.Keyservers);
        Assert.Equal(new ManifestLogin("docker://registry.example.com", ManifestSandbox.RegistryUser, ManifestSandbox.RegistryPassword, false, "RemoteLogin 'docker://registry.example.com'"), Assert.Single(manifest.Logins));
        Assert.Equal([ManifestSandbox.ValidToken, ManifestSandbox.RegistryUser, ManifestSandbox.RegistryPassword], manifest.Secrets);
    }

    [Fact]
    public void A_login_item_carries_its_trusted_realms()
    {
        var manifest = Builder().AddLogin("docker://r.example.com", "bob", null, "REGISTRY_PASSWORD", insecure: false, ["auth.example.net", "auth2.example.net"], "here").Build();

        Assert.Equal(["auth.example.net", "auth2.example.net"], Assert.Single(manifest.Logins).TrustRealms);
    }

    [Fact]
    public void A_literal_username_wins_over_its_variable()
    {
        var manifest = Builder().AddLogin("docker://r.example.com", "bob", "REGISTRY_USER", "REGISTRY_PASSWORD", insecure: false, "here").Build();

        Assert.Equal("bob", Assert.Single(manifest.Logins).Username);
    }

    [Fact]
    public void A_missing_variable_names_the_item_and_the_variable()
    {
        var error = Assert.Throws<RemoteException>(() => Builder().AddRemote("company", "https://library.example.com", "UNSET_TOKEN", false, false, "RemoteEndpoint 'company'"));

        Assert.Equal(RemoteErrorCodes.ManifestVariableMissing, error.Code);
        Assert.Equal("RemoteEndpoint 'company': environment variable UNSET_TOKEN is not set", error.Message);
    }

    [Fact]
    public void A_login_without_a_password_variable_is_invalid()
    {
        var error = Assert.Throws<RemoteException>(() => Builder().AddLogin("docker://r.example.com", "bob", null, null, false, "RemoteLogin 'docker://r.example.com'"));

        Assert.Equal(RemoteErrorCodes.ManifestInvalid, error.Code);
        Assert.Equal("RemoteLogin 'docker://r.example.com': PasswordEnvironmentVariable is required", error.Message);
    }

    [Fact]
    public void A_keyserver_of_an_undeclared_remote_is_invalid()
    {
        var builder = Builder().AddKeyserver("https://keys.example.com", "nowhere", null, false, "RemoteKeyserver 'https://keys.example.com'");

        var error = Assert.Throws<RemoteException>(builder.Build);

        Assert.Equal("RemoteKeyserver 'https://keys.example.com': remote nowhere is not declared", error.Message);
    }

    [Fact]
    public void Include_adds_a_manifest_files_entries_and_secrets()
    {
        var file = _sandbox.Read(ManifestSandbox.CompanyManifest);

        var manifest = Builder().Include(file).Build();

        Assert.Equal(file.Remotes, manifest.Remotes);
        Assert.Equal(file.Logins, manifest.Logins);
        Assert.Equal(file.Secrets, manifest.Secrets);
    }
}

using System.Text.Json.Nodes;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Manifests;

namespace DotnetRemote.Core.Tests.Manifests;

/// <summary><c>apply -f</c> on the engine: upsert, all or nothing, <c>--dry-run</c>, <c>--no-verify</c>.</summary>
public sealed class ApplyManifestTests : IDisposable
{
    private const string CompanyUri = ManifestSandbox.LibraryHost;
    private const string RegistryUri = $"docker://{ManifestSandbox.RegistryHost}";

    private readonly ManifestSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private static ManifestChange[] FirstRunChanges(string action = "store", string add = "add", string activate = "update") =>
    [
        new("remote", "company", add, CompanyUri),
        new("token", "company", action, "token"),
        new("active", "company", activate, "company"),

        // The manifest takes the user name from ${env:REGISTRY_USER}: the plan masks it like any referenced value.
        new("login", RegistryUri, action, "***"),
    ];

    [Fact]
    public async Task Apply_adds_the_remote_with_its_token_makes_it_active_and_stores_the_registry_login()
    {
        var result = await _sandbox.ApplyAsync(ManifestSandbox.CompanyManifest);

        Assert.True(result.Applied);
        Assert.Equal(FirstRunChanges(), result.Changes);
        var config = _sandbox.UserConfig();
        Assert.Equal("company", config.Active);
        Assert.Equal((CompanyUri, ManifestSandbox.ValidToken), (config.Remotes["company"].Uri, config.Remotes["company"].Token));
        Assert.Equal([new CredentialConfig { Uri = RegistryUri }], config.Credentials);
        var auths = JsonNode.Parse(File.ReadAllText(_sandbox.DockerConfigFile))!["auths"]!.AsObject();
        Assert.Equal(TestMachine.Basic(ManifestSandbox.RegistryUser, ManifestSandbox.RegistryPassword), (string?)auths[ManifestSandbox.RegistryHost]!["auth"]);
    }

    [Fact]
    public async Task Apply_twice_changes_nothing_the_second_time()
    {
        await _sandbox.ApplyAsync(ManifestSandbox.CompanyManifest);
        var afterFirst = _sandbox.Snapshot();

        var second = await _sandbox.ApplyAsync(ManifestSandbox.CompanyManifest);

        Assert.False(second.Applied);
        Assert.False(second.ChangesAnything);
        Assert.Equal(FirstRunChanges("unchanged", "unchanged", "unchanged"), second.Changes);
        Assert.Equal(afterFirst, _sandbox.Snapshot());
    }

    [Fact]
    public async Task A_changed_secret_is_stored_again_and_nothing_else_changes()
    {
        await _sandbox.ApplyAsync(ManifestSandbox.CompanyManifest);
        _sandbox.Machine.WriteUser(_sandbox.Machine.ReadUser().Replace(ManifestSandbox.ValidToken, "an-old-token", StringComparison.Ordinal));

        var result = await _sandbox.ApplyAsync(ManifestSandbox.CompanyManifest);

        Assert.True(result.Applied);
        Assert.Equal(["token company: store"], result.Changes.Where(c => c.Action != "unchanged").Select(c => $"{c.Kind} {c.Target}: {c.Action}"));
        Assert.Equal(ManifestSandbox.ValidToken, _sandbox.UserConfig().Remotes["company"].Token);
    }

    [Fact]
    public async Task A_rejected_token_writes_nothing_and_names_the_remote()
    {
        _sandbox.SetVariable("COMPANY_TOKEN", "a-wrong-token");

        var error = await Assert.ThrowsAsync<RemoteException>(() => _sandbox.ApplyAsync(ManifestSandbox.CompanyManifest));

        Assert.Equal(RemoteErrorCodes.TokenInvalid, error.Code);
        Assert.StartsWith($"{_sandbox.ManifestPath}:{ManifestSandbox.CompanyLine}: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("a-wrong-token", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(new StoredState(null, null), _sandbox.Snapshot());
    }

    [Fact]
    public async Task A_rejected_registry_password_leaves_existing_files_byte_identical()
    {
        await _sandbox.ApplyAsync(ManifestSandbox.CompanyManifest);
        var before = _sandbox.Snapshot();
        _sandbox.SetVariable("REGISTRY_PASSWORD", "a-wrong-password");

        var error = await Assert.ThrowsAsync<RemoteException>(() => _sandbox.ApplyAsync(ManifestSandbox.CompanyManifest + "  - uri: docker://other-registry.example.com\n    username: bob\n    password: ${env:REGISTRY_PASSWORD}\n"));

        Assert.Equal(RemoteErrorCodes.LoginFailed, error.Code);
        Assert.StartsWith($"{_sandbox.ManifestPath}:{ManifestSandbox.RegistryLoginLine}: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, _sandbox.Snapshot());
    }

    [Fact]
    public async Task A_rejected_registry_password_creates_no_file()
    {
        _sandbox.SetVariable("REGISTRY_PASSWORD", "a-wrong-password");

        await Assert.ThrowsAsync<RemoteException>(() => _sandbox.ApplyAsync(ManifestSandbox.CompanyManifest));

        Assert.Equal(new StoredState(null, null), _sandbox.Snapshot());
    }

    [Fact]
    public async Task A_missing_variable_stops_before_anything_is_contacted_or_written()
    {
        _sandbox.RemoveVariable("COMPANY_TOKEN");

        var error = await Assert.ThrowsAsync<RemoteException>(() => _sandbox.ApplyAsync(ManifestSandbox.CompanyManifest));

        Assert.Equal(RemoteErrorCodes.ManifestVariableMissing, error.Code);
        Assert.Empty(_sandbox.Web.Requests);
        Assert.Equal(new StoredState(null, null), _sandbox.Snapshot());
    }

    [Fact]
    public async Task A_login_without_a_password_is_invalid_and_writes_nothing()
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => _sandbox.ApplyAsync($"""
            logins:
              - uri: {RegistryUri}
                username: bob

            """));

        Assert.Equal(RemoteErrorCodes.ManifestInvalid, error.Code);
        Assert.Equal(new StoredState(null, null), _sandbox.Snapshot());
    }

    [Fact]
    public async Task Dry_run_verifies_and_reports_the_plan_but_writes_nothing()
    {
        var result = await _sandbox.ApplyAsync(ManifestSandbox.CompanyManifest, manifest => new ApplyManifestOptions(manifest, DryRun: true));

        Assert.False(result.Applied);
        Assert.Equal(FirstRunChanges(), result.Changes);
        Assert.NotEmpty(_sandbox.Web.Requests);
        Assert.Equal(new StoredState(null, null), _sandbox.Snapshot());
    }

    [Fact]
    public async Task Dry_run_still_fails_on_a_rejected_token()
    {
        _sandbox.SetVariable("COMPANY_TOKEN", "a-wrong-token");

        var error = await Assert.ThrowsAsync<RemoteException>(() => _sandbox.ApplyAsync(ManifestSandbox.CompanyManifest, manifest => new ApplyManifestOptions(manifest, DryRun: true)));

        Assert.Equal(RemoteErrorCodes.TokenInvalid, error.Code);
    }

    [Fact]
    public async Task No_verify_makes_no_http_call_and_stores_the_declared_values()
    {
        _sandbox.SetVariable("COMPANY_TOKEN", "never-checked-token");

        var result = await _sandbox.ApplyAsync(ManifestSandbox.CompanyManifest, manifest => new ApplyManifestOptions(manifest, NoVerify: true));

        Assert.True(result.Applied);
        Assert.Empty(_sandbox.Web.Requests);
        Assert.Equal("never-checked-token", _sandbox.UserConfig().Remotes["company"].Token);
        Assert.True(File.Exists(_sandbox.DockerConfigFile));
    }

    [Fact]
    public async Task No_verify_records_a_keyserver_login_of_a_declared_keyserver_as_Basic_auth()
    {
        _sandbox.SetVariable("KEYS_PASSWORD", "keys-secret");

        var result = await _sandbox.ApplyAsync("""
            remotes:
              company:
                uri: https://library.example.com
                keyservers:
                  - uri: http://keys.internal:11371
                    insecure: true
            logins:
              - uri: http://keys.internal:11371
                username: bob
                password: ${env:KEYS_PASSWORD}

            """, manifest => new ApplyManifestOptions(manifest, NoVerify: true));

        Assert.Contains(new ManifestChange("login", "http://keys.internal:11371", "store", "bob"), result.Changes);
        var credential = Assert.Single(_sandbox.UserConfig().Credentials);
        Assert.Equal(("http://keys.internal:11371", "Basic " + TestMachine.Basic("bob", "keys-secret"), true), (credential.Uri, credential.Auth, credential.Insecure));
    }

    [Fact]
    public async Task A_keyserver_login_for_an_undeclared_keyserver_fails_and_writes_nothing()
    {
        _sandbox.SetVariable("KEYS_PASSWORD", "keys-secret");

        var error = await Assert.ThrowsAsync<RemoteException>(() => _sandbox.ApplyAsync("""
            remotes:
              company:
                uri: https://library.example.com
            logins:
              - uri: http://keys.internal:11371
                password: ${env:KEYS_PASSWORD}

            """, manifest => new ApplyManifestOptions(manifest, NoVerify: true)));

        Assert.Equal(RemoteErrorCodes.KeyserverNotConfigured, error.Code);
        Assert.Equal(new StoredState(null, null), _sandbox.Snapshot());
    }

    [Fact]
    public async Task A_global_remote_cannot_be_managed_by_a_manifest()
    {
        _sandbox.Machine.WriteSystem("Active: company\nRemotes:\n  company:\n    URI: library.example.com\n    System: true\n    Exclusive: false\n");

        var error = await Assert.ThrowsAsync<RemoteException>(() => _sandbox.ApplyAsync(ManifestSandbox.CompanyManifest, manifest => new ApplyManifestOptions(manifest, NoVerify: true)));

        Assert.Equal(RemoteErrorCodes.RemoteIsGlobal, error.Code);
        Assert.Equal(new StoredState(null, null), _sandbox.Snapshot());
    }

    [Fact]
    public async Task The_log_reports_the_number_of_changes_without_secrets()
    {
        await _sandbox.ApplyAsync(ManifestSandbox.CompanyManifest);

        Assert.Contains($"INFO:    {_sandbox.ManifestPath} applied: 4 change(s)", _sandbox.Log.Lines);
        Assert.DoesNotContain(_sandbox.Log.Lines, line => line.Contains(ManifestSandbox.ValidToken, StringComparison.Ordinal) || line.Contains(ManifestSandbox.RegistryPassword, StringComparison.Ordinal));
    }
}

using System.Text.Json.Nodes;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Manifests;

namespace DotnetRemote.Core.Tests.Manifests;

/// <summary><c>apply --prune</c> and <c>remove: true</c> in user scope: what the manifest does not declare goes, nothing else.</summary>
public sealed class UserPruneTests : IDisposable
{
    private const string OldRegistry = "old-registry.example.com";

    private const string SystemFile = """
        Active: site
        Remotes:
          site:
            URI: library.site.example
            System: true
            Exclusive: false

        """;

    private const string UserFileWithLeftovers = """
        Active: old
        Remotes:
          old:
            URI: library.old.example
            System: false
            Exclusive: false
          site:
            URI: library.site.example
            Token: a-users-site-token
            System: true
            Exclusive: false
        Credentials:
        - URI: https://keys.old.example
          Auth: Basic b2xkOm9sZC1rZXlzLXBhc3N3b3Jk
          Insecure: false
        - URI: docker://old-registry.example.com
          Insecure: false

        """;

    private readonly ManifestSandbox _sandbox = new();

    public UserPruneTests()
    {
        _sandbox.Machine.WriteSystem(SystemFile);
        _sandbox.Machine.WriteUser(UserFileWithLeftovers);
        File.WriteAllText(_sandbox.DockerConfigFile, TestMachine.AuthsJson([(OldRegistry, "bob", "bob-old-password")]));
    }

    public void Dispose() => _sandbox.Dispose();

    private Task<ApplyManifestResult> ApplyAsync(string yaml, bool prune = true, bool dryRun = false) =>
        _sandbox.ApplyAsync(yaml, manifest => new ApplyManifestOptions(manifest, DryRun: dryRun, Prune: prune));

    private static string[] Changed(ApplyManifestResult result) =>
        [.. result.Changes.Where(c => c.Action != "unchanged").Select(c => $"{c.Kind} {c.Target}: {c.Action} {c.Detail}")];

    private static readonly string[] PruneChanges =
    [
        "remote company: add library.example.com",
        "token company: store token",
        "active company: update company",

        // The manifest reads the user name from ${env:REGISTRY_USER}: masked like every referenced value (issue 9).
        "login docker://registry.example.com: store ***",
        "remote old: remove library.old.example",
        "login https://keys.old.example: remove remote.yaml",
        "login docker://old-registry.example.com: remove remote.yaml",
        $"login {OldRegistry}: remove bob",
    ];

    [Fact]
    public async Task Prune_removes_undeclared_user_remotes_registry_and_keyserver_logins()
    {
        var result = await ApplyAsync(ManifestSandbox.CompanyManifest);

        Assert.True(result.Applied);
        Assert.Equal(PruneChanges, Changed(result));
        var user = _sandbox.UserConfig();
        Assert.Equal(["company", "site"], user.Remotes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("a-users-site-token", user.Remotes["site"].Token);
        Assert.Equal([new CredentialConfig { Uri = $"docker://{ManifestSandbox.RegistryHost}" }], user.Credentials);
        var auths = JsonNode.Parse(File.ReadAllText(_sandbox.DockerConfigFile))!["auths"]!.AsObject();
        Assert.Equal([ManifestSandbox.RegistryHost], auths.Select(a => a.Key));
        Assert.Equal(SystemFile, _sandbox.Machine.ReadSystem());
    }

    [Fact]
    public async Task Prune_as_a_check_lists_the_removals_and_writes_nothing()
    {
        var before = _sandbox.Snapshot();

        var result = await ApplyAsync(ManifestSandbox.CompanyManifest, dryRun: true);

        Assert.False(result.Applied);
        Assert.Equal(PruneChanges, Changed(result));
        Assert.Equal(before, _sandbox.Snapshot());
    }

    [Fact]
    public async Task A_second_prune_changes_nothing()
    {
        await ApplyAsync(ManifestSandbox.CompanyManifest);
        var before = _sandbox.Snapshot();

        var second = await ApplyAsync(ManifestSandbox.CompanyManifest);

        Assert.False(second.ChangesAnything);
        Assert.Equal(before, _sandbox.Snapshot());
    }

    [Fact]
    public async Task Without_prune_everything_undeclared_stays()
    {
        var result = await ApplyAsync(ManifestSandbox.CompanyManifest, prune: false);

        Assert.Equal(PruneChanges[..4], Changed(result));
        var user = _sandbox.UserConfig();
        Assert.Contains("old", user.Remotes.Keys);
        Assert.Equal(3, user.Credentials.Count);
        Assert.Contains(OldRegistry, File.ReadAllText(_sandbox.DockerConfigFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_declared_keyserver_login_survives_the_prune()
    {
        _sandbox.SetVariable("KEYS_PASSWORD", "keys-secret");

        var result = await _sandbox.ApplyAsync("""
            remotes:
              old:
                uri: https://library.old.example
                keyservers:
                  - uri: https://keys.old.example
            logins:
              - uri: https://keys.old.example
                username: old
                password: ${env:KEYS_PASSWORD}

            """, manifest => new ApplyManifestOptions(manifest, NoVerify: true, Prune: true));

        Assert.DoesNotContain(result.Changes, c => c.Target == "https://keys.old.example" && c.Action == "remove");
        Assert.Equal(["https://keys.old.example"], _sandbox.UserConfig().Credentials.Select(c => c.Uri));
    }

    [Fact]
    public async Task Remove_true_removes_a_user_remote_without_prune()
    {
        var result = await ApplyAsync("remotes:\n  old:\n    remove: true\n", prune: false);

        Assert.Equal(["remote old: remove library.old.example"], Changed(result));
        var user = _sandbox.UserConfig();
        Assert.DoesNotContain("old", user.Remotes.Keys);
        Assert.Equal("", user.Active);
        Assert.Equal(2, user.Credentials.Count);
    }

    [Fact]
    public async Task Remove_true_on_a_system_remote_is_refused_in_user_scope()
    {
        var before = _sandbox.Snapshot();

        var error = await Assert.ThrowsAsync<RemoteException>(() => ApplyAsync("remotes:\n  site:\n    remove: true\n", prune: false));

        Assert.Equal(RemoteErrorCodes.RemoteIsGlobal, error.Code);
        Assert.Equal(before, _sandbox.Snapshot());
    }

    [Theory]
    [InlineData("remotes:\n  mine:\n    uri: mine.example.com\n    exclusive: true\n", ":3: remote mine: exclusive is set by the administrator for every user; apply it with --system")]
    [InlineData("remotes:\n  mine:\n    uri: mine.example.com\n    keyservers:\n      - uri: https://k.example.com\n        skip: true\n", ":5: keyserver https://k.example.com: skip hides a system remote's own keyserver; apply it with --system")]
    public async Task System_only_declarations_are_refused_in_user_scope(string yaml, string detail)
    {
        var before = _sandbox.Snapshot();

        var error = await Assert.ThrowsAsync<RemoteException>(() => ApplyAsync(yaml, prune: false));

        Assert.Equal(RemoteErrorCodes.ManifestInvalid, error.Code);
        Assert.Equal(_sandbox.ManifestPath + detail, error.Message);
        Assert.Equal(before, _sandbox.Snapshot());
    }
}

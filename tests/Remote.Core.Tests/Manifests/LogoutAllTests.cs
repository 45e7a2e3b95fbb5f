using System.Text.Json.Nodes;
using DotnetRemote.Core.Logins;
using DotnetRemote.Core.Manifests;

namespace DotnetRemote.Core.Tests.Manifests;

/// <summary><c>logout --all</c>, the teardown of a pipeline that applied a manifest.</summary>
public sealed class LogoutAllTests : IDisposable
{
    private const string Everything = """
        remotes:
          company:
            uri: https://library.example.com
            token: ${env:COMPANY_TOKEN}
            use: true
            keyservers:
              - uri: http://keys.internal:11371
        logins:
          - uri: docker://registry.example.com
            username: ${env:REGISTRY_USER}
            password: ${env:REGISTRY_PASSWORD}
          - uri: http://keys.internal:11371
            username: bob
            password: ${env:REGISTRY_PASSWORD}

        """;

    private readonly ManifestSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Removes_every_login_and_token_but_keeps_remotes_and_keyservers()
    {
        await _sandbox.ApplyAsync(Everything, manifest => new ApplyManifestOptions(manifest, NoVerify: true));

        var result = await new LogoutAll(_sandbox.Context()).ExecuteAsync(new LogoutAllOptions());

        Assert.Equal(new LogoutAllResult(RegistryLogins: 1, KeyserverLogins: 1, Tokens: 1), result);
        var config = _sandbox.UserConfig();
        Assert.Empty(config.Credentials);
        Assert.Equal("", config.Remotes["company"].Token);
        Assert.Equal("company", config.Active);
        Assert.Equal(["http://keys.internal:11371"], config.Remotes["company"].Keyservers.Select(k => k.Uri));
        Assert.Empty(JsonNode.Parse(File.ReadAllText(_sandbox.DockerConfigFile))!["auths"]?.AsObject() ?? []);
        Assert.DoesNotContain(ManifestSandbox.RegistryPassword, File.ReadAllText(_sandbox.Machine.UserFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_nothing_stored_it_removes_nothing()
    {
        var result = await new LogoutAll(_sandbox.Context()).ExecuteAsync(new LogoutAllOptions());

        Assert.Equal(new LogoutAllResult(0, 0, 0), result);
    }

    [Fact]
    public async Task A_second_apply_after_logout_stores_the_secrets_again()
    {
        await _sandbox.ApplyAsync(ManifestSandbox.CompanyManifest);
        await new LogoutAll(_sandbox.Context()).ExecuteAsync(new LogoutAllOptions());

        var result = await _sandbox.ApplyAsync(ManifestSandbox.CompanyManifest);

        Assert.Equal(["token company: store", $"login docker://{ManifestSandbox.RegistryHost}: store"], result.Changes.Where(c => c.Action != "unchanged").Select(c => $"{c.Kind} {c.Target}: {c.Action}"));
    }
}

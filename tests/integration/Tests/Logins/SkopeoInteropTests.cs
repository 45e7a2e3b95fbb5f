using static DotnetRemote.Integration.Tests.Infrastructure.ClientPrograms;

namespace DotnetRemote.Integration.Tests.Tests.Logins;

/// <summary>
/// Our logins used by another client: skopeo (Debian's /usr/bin/skopeo) pushes to registry-a with our docker-config.json
/// as its auth file, and through our credential helper (<c>credHelpers</c> → docker-credential-dotnet-remote).
/// </summary>
[Collection(Registries.Name)]
public sealed class SkopeoInteropTests(RegistryAFixture a)
{
    [SkippableFact]
    public async Task Skopeo_pushes_with_our_docker_config_as_its_auth_file()
    {
        using var tool = await LoggedInSandboxAsync();
        var image = TinyOciImage.Write(Path.Combine(tool.Root, "image"));

        var push = await PushAsync(tool, image, tool.DockerConfig, "it/tiny:1");

        Assert.True(push.ExitCode == 0, $"skopeo copy failed: {push}");
    }

    [SkippableFact]
    public async Task Skopeo_pushes_through_our_credential_helper_and_fails_when_the_stored_password_is_wrong()
    {
        using var tool = await LoggedInSandboxAsync();
        var image = TinyOciImage.Write(Path.Combine(tool.Root, "image"));
        // skopeo's own auth file only names the helper; the helper reads OUR file (APPTAINER_CONFIGDIR, inherited).
        var skopeo = await HelperClient.SetUpAsync(tool, Skopeo, a.HostPort);
        var skopeoAuthFile = skopeo.AuthFile;
        var path = skopeo.PathOverride;

        var push = await PushAsync(tool, image, skopeoAuthFile, "it/tiny:helper", path);
        Assert.True(push.ExitCode == 0, $"skopeo copy through the helper failed: {push}");

        const string WrongPassword = "not-alices-password";
        var store = await tool.RunAsync(["credential-helper", "store"], stdin: $$"""{"ServerURL":"{{a.HostPort}}","Username":"{{a.Username}}","Secret":"{{WrongPassword}}"}""");
        ToolAssert.Succeeded(store);
        Assert.Equal((a.Username, WrongPassword), await RegistryLoginTests.CredentialAsync(tool, $"docker://{a.HostPort}/it/tiny"));

        var refused = await PushAsync(tool, image, skopeoAuthFile, "it/tiny:helper-wrong", path);
        Assert.True(refused.ExitCode != 0, $"skopeo pushed with a wrong stored password: {refused}");
        Assert.Contains("unauthorized", refused.StdErr, StringComparison.OrdinalIgnoreCase);
    }

    [SkippableFact]
    public async Task Skopeo_login_and_logout_through_our_helper_write_and_erase_our_store()
    {
        await a.EnsureAvailableAsync();
        ClientPrograms.Require(Skopeo);
        using var tool = new RemoteTool();
        var skopeo = await HelperClient.SetUpAsync(tool, Skopeo, a.HostPort);

        await skopeo.LoginAsync(a.Username, a.Password);
        Assert.Equal((a.Username, a.Password), await RegistryLoginTests.CredentialAsync(tool, $"docker://{a.HostPort}/x"));
        Assert.DoesNotContain(a.Password, await File.ReadAllTextAsync(skopeo.AuthFile), StringComparison.Ordinal);

        await skopeo.LogoutAsync();
        Assert.Equal(1, (await tool.RunAsync(["credential", "get", $"docker://{a.HostPort}/x"])).ExitCode);
    }

    private async Task<RemoteTool> LoggedInSandboxAsync()
    {
        await a.EnsureAvailableAsync();
        ClientPrograms.Require(Skopeo);
        var tool = new RemoteTool();
        try
        {
            ToolAssert.Succeeded(await RegistryLoginTests.LoginAsync(tool, $"docker://{a.HostPort}", a.Username, a.Password));
            return tool;
        }
        catch
        {
            tool.Dispose();
            throw;
        }
    }

    /// <summary><c>skopeo copy --authfile FILE --dest-tls-verify=false IMAGE docker://registry-a/REPO</c> in the sandbox's environment.</summary>
    private async Task<ToolResult> PushAsync(RemoteTool tool, string image, string authFile, string repository, IDictionary<string, string>? env = null) =>
        await RemoteTool.RunProcessAsync(
            Skopeo,
            ["--insecure-policy", "copy", "--retry-times", "0", "--authfile", authFile, "--dest-tls-verify=false", image, $"docker://{a.HostPort}/{repository}"],
            null,
            tool.Environment(env));
}

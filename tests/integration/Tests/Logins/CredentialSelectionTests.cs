using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DotnetRemote.Integration.Tests.Tests.Logins;

/// <summary>
/// Which stored credential serves which image once several could: namespace vs registry logins, Docker's own file
/// (read only) and the explicit environment pair, checked with <c>credential get</c> and <c>credential which --json</c>.
/// </summary>
[Collection(Registries.Name)]
public sealed class CredentialSelectionTests(RegistryAFixture a, RegistryBFixture b)
{
    [SkippableFact]
    public async Task A_namespace_login_wins_over_a_registry_login_for_images_below_it_only()
    {
        await a.EnsureAvailableAsync();
        using var tool = new RemoteTool();
        const string RegistryWideSecret = "registry-wide-secret";
        ToolAssert.Succeeded(await tool.RunAsync(["credential-helper", "store"], stdin: $$"""{"ServerURL":"{{a.HostPort}}","Username":"registry-wide","Secret":"{{RegistryWideSecret}}"}"""));
        ToolAssert.Succeeded(await RegistryLoginTests.LoginAsync(tool, $"docker://{a.HostPort}/team", a.Username, a.Password));

        Assert.Equal((a.Username, a.Password), await RegistryLoginTests.CredentialAsync(tool, $"docker://{a.HostPort}/team/app:1"));
        Assert.Equal(("registry-wide", RegistryWideSecret), await RegistryLoginTests.CredentialAsync(tool, $"docker://{a.HostPort}/other/app:1"));
        Assert.Equal(("registry-wide", RegistryWideSecret), await RegistryLoginTests.CredentialAsync(tool, $"docker://{a.HostPort}/teamwork/app:1"));
        using var which = await WhichAsync(tool, $"docker://{a.HostPort}/team/app:1");
        Assert.Equal($"{a.HostPort}/team", which.RootElement.GetProperty("key").GetString());
    }

    [SkippableFact]
    public async Task Dockers_own_file_serves_registries_we_have_no_login_for_and_is_never_written()
    {
        await a.EnsureAvailableAsync();
        await b.EnsureAvailableAsync();
        using var tool = new RemoteTool();
        var dockerFile = Path.Combine(tool.Home, ".docker", "config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(dockerFile)!);
        var dockerText = DockerConfigWith(b) + "\n";
        await File.WriteAllTextAsync(dockerFile, dockerText);

        ToolAssert.Succeeded(await RegistryLoginTests.LoginAsync(tool, $"docker://{a.HostPort}", a.Username, a.Password));

        Assert.Equal(dockerText, await File.ReadAllTextAsync(dockerFile));
        Assert.Equal((a.Username, a.Password), await RegistryLoginTests.CredentialAsync(tool, $"docker://{a.HostPort}/x"));
        Assert.Equal((b.Username, b.Password), await RegistryLoginTests.CredentialAsync(tool, $"docker://{b.HostPort}/x"));
        using var which = await WhichAsync(tool, $"docker://{b.HostPort}/x");
        Assert.Equal("FallbackFile", which.RootElement.GetProperty("source").GetString());
        Assert.Equal(dockerFile, which.RootElement.GetProperty("file").GetString());
        Assert.DoesNotContain(b.HostPort, tool.ReadDockerConfig(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task DOCKER_CONFIG_moves_dockers_own_file()
    {
        await b.EnsureAvailableAsync();
        using var tool = new RemoteTool();
        var dockerDirectory = Path.Combine(tool.Root, "elsewhere");
        Directory.CreateDirectory(dockerDirectory);
        await File.WriteAllTextAsync(Path.Combine(dockerDirectory, "config.json"), DockerConfigWith(b));
        var env = new Dictionary<string, string> { ["DOCKER_CONFIG"] = dockerDirectory };

        var found = await tool.RunAsync(["credential", "get", $"docker://{b.HostPort}/x"], env: env);
        ToolAssert.Succeeded(found);
        Assert.Contains($"\"Username\":\"{b.Username}\"", found.StdOut, StringComparison.Ordinal);
        Assert.Equal(1, (await tool.RunAsync(["credential", "get", $"docker://{b.HostPort}/x"])).ExitCode);
    }

    [SkippableFact]
    public async Task The_explicit_environment_pair_wins_over_stored_logins_and_which_says_so()
    {
        await a.EnsureAvailableAsync();
        using var tool = new RemoteTool();
        ToolAssert.Succeeded(await RegistryLoginTests.LoginAsync(tool, $"docker://{a.HostPort}", a.Username, a.Password));
        var env = new Dictionary<string, string> { ["APPTAINER_DOCKER_USERNAME"] = "from-env", ["APPTAINER_DOCKER_PASSWORD"] = "env-secret" };

        var get = await tool.RunAsync(["credential", "get", $"docker://{a.HostPort}/x"], env: env);
        ToolAssert.Succeeded(get);
        Assert.Contains("\"Username\":\"from-env\"", get.StdOut, StringComparison.Ordinal);
        var which = await tool.RunAsync(["credential", "which", $"docker://{a.HostPort}/x"], env: env);
        ToolAssert.Succeeded(which);
        Assert.Contains("APPTAINER_DOCKER_USERNAME", which.StdOut, StringComparison.Ordinal);
        ToolAssert.NeverPrinted(which, "env-secret", a.Password);
    }

    /// <summary>A docker/cli config.json holding the registry's own user, plus a setting we do not model.</summary>
    private static string DockerConfigWith(RegistryFixture registry) =>
        new JsonObject
        {
            ["auths"] = new JsonObject
            {
                [registry.HostPort] = new JsonObject { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{registry.Username}:{registry.Password}")) },
            },
            ["detachKeys"] = "ctrl-e,e",
        }.ToJsonString();

    private static async Task<JsonDocument> WhichAsync(RemoteTool tool, string uri)
    {
        var result = await tool.RunAsync(["credential", "which", "--json", uri]);
        ToolAssert.Succeeded(result);
        return JsonDocument.Parse(result.StdOut);
    }
}

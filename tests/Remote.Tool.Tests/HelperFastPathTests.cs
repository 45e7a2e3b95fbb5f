using DotnetRemote.Tool.Tests.TestSupport;

namespace DotnetRemote.Tool.Tests;

/// <summary>
/// <c>credential-helper get</c> (what docker runs on every pull) skips the command tree; with <c>-c</c> the same
/// request goes through the tree. Both must answer byte for byte alike: found, not found, no input, a broken file.
/// </summary>
public sealed class HelperFastPathTests : IDisposable
{
    private readonly TestMachine _machine = new();

    public void Dispose() => _machine.Dispose();

    private string DockerConfig => Path.Combine(_machine.ConfigDir, "docker-config.json");

    public static TheoryData<string, string> Requests => new()
    {
        { "registry.example.com", """{"auths":{"registry.example.com":{"auth":"YWxpY2U6czNjcjN0"}}}""" },
        { "https://registry.example.com/", """{"auths":{"registry.example.com":{"auth":"YWxpY2U6czNjcjN0"}}}""" },
        { "other.example.com", """{"auths":{"registry.example.com":{"auth":"YWxpY2U6czNjcjN0"}}}""" },
        { "", """{"auths":{}}""" },
        { "registry.example.com", """{"auths": {"registry.example.com": """ },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task The_fast_path_answers_exactly_as_the_command_tree(string serverUrl, string dockerConfig)
    {
        Directory.CreateDirectory(_machine.ConfigDir);
        File.WriteAllText(DockerConfig, dockerConfig);

        var fast = await GetAsync(serverUrl, "credential-helper", "get");
        var tree = await GetAsync(serverUrl, "-c", _machine.UserFile, "credential-helper", "get");

        Assert.Equal(tree, fast);
    }

    [Fact]
    public async Task The_fast_path_prints_the_stored_credential()
    {
        Directory.CreateDirectory(_machine.ConfigDir);
        File.WriteAllText(DockerConfig, """{"auths":{"registry.example.com":{"auth":"YWxpY2U6czNjcjN0"}}}""");

        var result = await GetAsync("registry.example.com", "credential-helper", "get");

        Assert.Equal(new CliResult(0, "{\"ServerURL\":\"registry.example.com\",\"Username\":\"alice\",\"Secret\":\"s3cr3t\"}\n", ""), result);
    }

    private async Task<CliResult> GetAsync(string stdin, params string[] args)
    {
        var process = ToolProcess.Start(_machine.Variables, args);
        await process.StandardInput.WriteAsync(stdin);
        return await ToolProcess.WaitAsync(process);
    }
}

using System.Text.Json.Nodes;
using DotnetRemote.Core.Credentials;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Tests.Credentials;

public class CredentialHelperProtocolTests : IDisposable
{
    private readonly TestMachine _home = new();

    public void Dispose() => _home.Dispose();

    private async Task<(int Exit, string Output)> Serve(string action, string input = "")
    {
        using var reader = new StringReader(input);
        using var writer = new StringWriter();
        var exit = await new CredentialHelperProtocol(_home.Context()).ServeAsync(action, reader, writer);
        return (exit, writer.ToString().Trim());
    }

    [Fact]
    public async Task Store_get_list_erase_round_trip_against_our_docker_config()
    {
        var stored = await Serve("store", """{"ServerURL":"https://index.docker.io/v1/","Username":"alice","Secret":"s3cret"}""");
        var keysAfterStore = JsonNode.Parse(File.ReadAllText(_home.PrimaryFile))!["auths"]!.AsObject().Select(p => p.Key).ToList();
        var got = await Serve("get", "https://index.docker.io/v1/\n");
        var listed = await Serve("list");
        var erased = await Serve("erase", "docker.io");
        var gone = await Serve("get", "https://index.docker.io/v1/");

        Assert.Equal((0, ""), stored);
        Assert.Equal([RegistryReference.DockerHubConfigKey], keysAfterStore);
        Assert.Equal((0, """{"ServerURL":"https://index.docker.io/v1/","Username":"alice","Secret":"s3cret"}"""), got);
        Assert.Equal((0, """{"https://index.docker.io/v1/":"alice"}"""), listed);
        Assert.Equal((0, ""), erased);
        Assert.Equal((1, CredentialHelperClient.NotFoundMessage), gone);
    }

    [Fact]
    public async Task Get_serves_namespaced_logins_by_the_most_specific_key()
    {
        await Serve("store", """{"ServerURL":"ghcr.io/team","Username":"team","Secret":"t"}""");

        Assert.Equal(0, (await Serve("get", "ghcr.io/team/app")).Exit);
        Assert.Equal((1, CredentialHelperClient.NotFoundMessage), await Serve("get", "ghcr.io"));
        Assert.Equal((1, CredentialHelperClient.NotFoundMessage), await Serve("erase", "ghcr.io"));
    }

    [Fact]
    public async Task Identity_tokens_are_returned_with_the_token_username()
    {
        TestMachine.WriteFile(_home.PrimaryFile, """{"auths":{"ghcr.io":{"identitytoken":"refresh"}}}""");

        var (exit, output) = await Serve("get", "https://ghcr.io");

        Assert.Equal(0, exit);
        Assert.Equal(HelperCredential.IdentityTokenUsername, (string?)JsonNode.Parse(output)!["Username"]);
        Assert.Equal("refresh", (string?)JsonNode.Parse(output)!["Secret"]);
    }

    [Theory]
    [InlineData("store", "not json {\"Secret\":\"leak-me\"}", "store expects a JSON object on stdin")]
    [InlineData("store", """{"ServerURL":"ghcr.io","Username":"a"}""", "a password is required")]
    [InlineData("get", "", "no server URL given")]
    [InlineData("frobnicate", "", "unknown credential helper action \"frobnicate\" (expected get, store, erase, list or version)")]
    public async Task Errors_go_to_stdout_with_exit_code_1_and_never_echo_secrets(string action, string input, string message)
    {
        var (exit, output) = await Serve(action, input);

        Assert.Equal((1, message), (exit, output));
        Assert.False(File.Exists(_home.PrimaryFile));
    }
}

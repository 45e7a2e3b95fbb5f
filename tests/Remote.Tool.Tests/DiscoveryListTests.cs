using System.Net;
using System.Text.Json;
using DotnetRemote.Tool.Tests.TestSupport;

namespace DotnetRemote.Tool.Tests;

/// <summary>The Keyservers section of <c>remote list</c> for remotes whose keyserver comes from service discovery.</summary>
public sealed class DiscoveryListTests : IDisposable
{
    private readonly TestMachine _machine = new();
    private readonly CliRunner _cli;

    public DiscoveryListTests() => _cli = new CliRunner(_machine);

    public void Dispose() => _machine.Dispose();

    [Fact]
    public async Task Fix_a_remote_with_a_port_is_discovered_on_that_port()
    {
        _cli.Http.Respond("https://host.example.com:8443/assets/config/config.prod.json", """{"keystoreAPI":{"uri":"https://keys.host.example.com"}}""");
        await _cli.UserAsync("add", "--no-login", "ported", "https://host.example.com:8443");
        await _cli.UserAsync("use", "ported");

        var result = await _cli.UserAsync("list");

        Assert.Contains("ported         host.example.com:8443  YES     NO      NO         NO\n", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("\nhttps://keys.host.example.com  ", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(["GET https://host.example.com:8443/assets/config/config.prod.json"], _cli.Http.Requests);
    }

    [Fact]
    public async Task An_insecure_remote_is_discovered_over_http()
    {
        _cli.Http.Discovery("lab.internal:8080", "http://keys.lab.internal", scheme: "http");
        await _cli.UserAsync("add", "--no-login", "--insecure", "lab", "http://lab.internal:8080");
        await _cli.UserAsync("use", "lab");

        var result = await _cli.UserAsync("list");

        Assert.Contains("lab            lab.internal:8080    YES     NO      NO         YES\n", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("\nhttp://keys.lab.internal  ", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(["GET http://lab.internal:8080/assets/config/config.prod.json"], _cli.Http.Requests);
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound, "not found")]
    [InlineData(HttpStatusCode.OK, "not json")]
    [InlineData(HttpStatusCode.OK, """{"libraryAPI":{"uri":"https://library.example.com"}}""")]
    public async Task A_discovery_failure_silently_omits_the_keyserver_section(HttpStatusCode status, string body)
    {
        _cli.Http.Respond("https://broken.example.com/assets/config/config.prod.json", body, status);
        await _cli.UserAsync("add", "--no-login", "broken", "broken.example.com");
        await _cli.UserAsync("use", "broken");

        var result = await _cli.UserAsync("list");

        Assert.Equal(
            new CliResult(0, ListingText.Header + """
                NAME           URI                  ACTIVE  GLOBAL  EXCLUSIVE  INSECURE
                DefaultRemote  cloud.apptainer.org  NO      YES     NO         NO
                broken         broken.example.com   YES     NO      NO         NO

                """, ""),
            result);
    }

    [Fact]
    public async Task A_discovered_keyserver_is_cached_for_the_next_list()
    {
        _cli.Http.Discovery("enterprise.example.com", "https://keys.example.com");
        await _cli.UserAsync("add", "--no-login", "myremote", "https://enterprise.example.com");
        await _cli.UserAsync("use", "myremote");

        var first = await _cli.UserAsync("list");
        var second = await _cli.UserAsync("list");

        Assert.Equal(first, second);
        Assert.Single(_cli.Http.Requests);
    }

    [Fact]
    public async Task The_stock_remote_needs_no_network()
    {
        var result = await _cli.UserAsync("list");

        Assert.Equal(ListingText.FreshMachine, result.Stdout);
        Assert.Empty(_cli.Http.Requests);
    }

    [Fact]
    public async Task Keyserver_list_json_has_every_remote_with_its_keyservers()
    {
        _cli.Http.Discovery("enterprise.example.com", "https://keys.example.com");
        await _cli.UserAsync("add", "--no-login", "myremote", "https://enterprise.example.com");
        await _cli.UserAsync("add", "--no-login", "offline", "offline.example.com");

        var result = await _cli.UserAsync("keyserver", "list", "--json");

        Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
        using var json = JsonDocument.Parse(result.Stdout);
        var endpoints = json.RootElement.EnumerateArray().ToArray();
        Assert.Equal(["DefaultRemote", "myremote", "offline"], endpoints.Select(e => e.GetProperty("name").GetString()));
        Assert.Equal((true, true), (endpoints[0].GetProperty("system").GetBoolean(), endpoints[0].GetProperty("default").GetBoolean()));
        Assert.Equal("https://keys.openpgp.org", endpoints[0].GetProperty("keyservers")[0].GetProperty("uri").GetString());
        Assert.Equal("https://keys.example.com", endpoints[1].GetProperty("keyservers")[0].GetProperty("uri").GetString());
        Assert.Equal(JsonValueKind.Null, endpoints[2].GetProperty("keyservers").ValueKind);
    }
}

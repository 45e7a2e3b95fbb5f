using System.Net;
using DotnetRemote.Core.Endpoints;

namespace DotnetRemote.Core.Tests.Endpoints;

public sealed class RemoteStatusTests : IDisposable
{
    private const string Host = "enterprise.example.com";
    private const string TokenStatus = $"https://auth.{Host}/token/v1/token-status";
    private readonly TestMachine _machine = new();
    private readonly FakeHttpHandler _http = new();

    public RemoteStatusTests()
    {
        _http.Discovery(Host, "https://keys.example.com").Respond($"https://library.{Host}/version", """{"data":{"version":"v1.4.10"}}""");
    }

    public void Dispose() => _machine.Dispose();

    [Theory]
    [InlineData(HttpStatusCode.OK, nameof(TokenState.Valid))]
    [InlineData(HttpStatusCode.NotFound, nameof(TokenState.Invalid))]
    [InlineData(HttpStatusCode.InternalServerError, nameof(TokenState.Unchecked))]
    public async Task The_token_state_says_whether_the_service_refused_the_token_or_could_not_be_asked(HttpStatusCode answer, string expected)
    {
        _machine.WriteUser($"Active: corp\nRemotes:\n  corp:\n    URI: {Host}\n    Token: stored-token\n    System: false\n    Exclusive: false\n");
        _http.Respond(TokenStatus, "", answer);

        var status = await new GetRemoteStatus(_machine.Context(http: _http)).ExecuteAsync(new GetRemoteStatusOptions("corp"));

        Assert.Equal(Enum.Parse<TokenState>(expected), status.Token);
        Assert.Equal(expected == nameof(TokenState.Valid), status.TokenError is null);
    }

    [Fact]
    public async Task Services_are_listed_by_name_with_their_versions_and_without_a_token_nothing_is_checked()
    {
        _machine.WriteUser($"Active: corp\nRemotes:\n  corp:\n    URI: {Host}\n    System: false\n    Exclusive: false\n");

        var status = await new GetRemoteStatus(_machine.Context(http: _http)).ExecuteAsync(new GetRemoteStatusOptions(null));

        Assert.Equal(TokenState.None, status.Token);
        Assert.Equal(["Keyserver", "Library", "Token"], status.Services.Select(s => s.Name));
        var library = status.Services.Single(s => s.Name == "Library");
        Assert.True(library.Ok);
        Assert.Equal("v1.4.10", library.Version);
        Assert.False(status.Services.Single(s => s.Name == "Keyserver").Ok);
        Assert.DoesNotContain(_http.Requests, r => r.Contains("token-status", StringComparison.Ordinal));
    }
}

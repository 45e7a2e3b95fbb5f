using System.Net;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Endpoints;

namespace DotnetRemote.Core.Tests.Endpoints;

/// <summary>A server that answers badly gives one message naming it; a refused token keeps the seed's words.</summary>
public sealed class ServerFaultTests : IDisposable
{
    private const string Host = "enterprise.example.com";
    private readonly TestMachine _machine = new();
    private readonly FakeHttpHandler _http = new();

    public void Dispose() => _machine.Dispose();

    private static EndpointConfig Endpoint => new() { Uri = Host };

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    public async Task A_failing_discovery_names_the_host(HttpStatusCode status)
    {
        _http.Respond($"https://{Host}/assets/config/config.prod.json", "oops", status);

        var error = await Assert.ThrowsAsync<RemoteException>(() => new ServiceDiscovery(_machine.Context(http: _http)).DiscoverAsync(Endpoint));

        Assert.Equal(RemoteErrorCodes.DiscoveryFailed, error.Code);
        Assert.Equal($"error response from server {Host}: {(int)status} {FakeHttpHandler.ReasonFor(status)}", error.Message);
    }

    [Fact]
    public async Task A_malformed_discovery_document_names_the_host()
    {
        _http.Respond($"https://{Host}/assets/config/config.prod.json", "[1, 2]");

        var error = await Assert.ThrowsAsync<RemoteException>(() => new ServiceDiscovery(_machine.Context(http: _http)).DiscoverAsync(Endpoint));

        Assert.StartsWith($"jsonresp: failed to unmarshal response from {Host}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_service_error_names_its_host_and_is_not_called_invalid_credentials()
    {
        _http.Discovery(Host, "https://keys.example.com").Respond($"https://auth.{Host}/token/v1/token-status", "", HttpStatusCode.InternalServerError);

        var error = await Assert.ThrowsAsync<RemoteException>(() => new TokenVerifier(_machine.Context(http: _http)).VerifyAsync(Endpoint, "some-token"));

        Assert.Equal($"error response from server auth.{Host}: 500 InternalServerError", error.Message);
        Assert.DoesNotContain("some-token", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.Unauthorized)]
    public async Task A_refused_token_keeps_the_seeds_words(HttpStatusCode status)
    {
        _http.Discovery(Host, "https://keys.example.com").Respond($"https://auth.{Host}/token/v1/token-status", "", status);

        var error = await Assert.ThrowsAsync<RemoteException>(() => new TokenVerifier(_machine.Context(http: _http)).VerifyAsync(Endpoint, "some-token"));

        Assert.Equal(RemoteErrorCodes.TokenInvalid, error.Code);
        Assert.Equal("error response from server: Invalid Credentials", error.Message);
    }
}

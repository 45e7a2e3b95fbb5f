using System.Net;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Endpoints;

namespace DotnetRemote.Core.Tests.Context;

/// <summary>
/// One HTTP handler per context: the requests of one command to one host share a connection (one TCP connect, one
/// TLS handshake on https), instead of one handler, connection and handshake per request.
/// </summary>
public sealed class SharedHttpHandlerTests : IDisposable
{
    private readonly TestMachine _machine = new();

    public void Dispose() => _machine.Dispose();

    [Fact]
    public async Task Status_asks_discovery_the_service_and_the_token_service_over_one_connection()
    {
        using var server = new CountingHttpServer();
        var origin = $"http://127.0.0.1:{server.Port}";
        server.Routes["/assets/config/config.prod.json"] = $$$"""{"tokenAPI":{"uri":"{{{origin}}}/token"}}""";
        server.Routes["/token/version"] = """{"data":{"version":"1.2.3"}}""";
        server.Routes["/token/v1/token-status"] = "{}";
        _machine.WriteUser($"Active: local\nRemotes:\n  local:\n    URI: 127.0.0.1:{server.Port}\n    Token: t0ken\n    Insecure: true\n");

        GetRemoteStatusResult status;
        using (var context = new RemoteContext(_machine.Paths(), isRoot: false, environment: _machine.Environment))
        {
            status = await new GetRemoteStatus(context).ExecuteAsync(new GetRemoteStatusOptions("local"));
        }

        Assert.Equal(TokenState.Valid, status.Token);
        Assert.Equal("1.2.3", Assert.Single(status.Services).Version);
        Assert.Equal(["/assets/config/config.prod.json", "/token/version", "/token/v1/token-status"], server.Requests);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public void The_context_makes_one_handler_per_certificate_setting_and_disposes_them()
    {
        var context = new RemoteContext(_machine.Paths(), isRoot: false, environment: _machine.Environment);
        var verifying = context.SharedHttpHandler(insecureSkipVerify: false);
        var insecure = context.SharedHttpHandler(insecureSkipVerify: true);

        Assert.Same(verifying, context.SharedHttpHandler(insecureSkipVerify: false));
        Assert.NotSame(verifying, insecure);
        Assert.Null(((SocketsHttpHandler)verifying).SslOptions.RemoteCertificateValidationCallback);
        Assert.NotNull(((SocketsHttpHandler)insecure).SslOptions.RemoteCertificateValidationCallback);

        context.Dispose();
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:9/");
        using var invoker = new HttpMessageInvoker(verifying, disposeHandler: false);
        Assert.Throws<ObjectDisposedException>(() => invoker.Send(request, CancellationToken.None));
        Assert.Throws<ObjectDisposedException>(() => context.SharedHttpHandler(insecureSkipVerify: false));
    }

    [Fact]
    public async Task An_injected_handler_serves_both_settings_and_outlives_the_context()
    {
        var fake = new FakeHttpHandler().Respond("https://example.com/x", "ok");
        using (var context = _machine.Context(http: fake))
        {
            Assert.Same(fake, context.SharedHttpHandler(insecureSkipVerify: false));
            Assert.Same(fake, context.SharedHttpHandler(insecureSkipVerify: true));
            using var client = RemoteHttp.CreateClient(context, insecureSkipVerify: true, TimeSpan.FromSeconds(5));
            Assert.Equal("ok", await client.GetStringAsync(new Uri("https://example.com/x")));
        }

        using var invoker = new HttpMessageInvoker(fake, disposeHandler: true);
        using var response = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://example.com/x"), CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

using System.Net;
using System.Net.Sockets;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Endpoints;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Tests.Context;

/// <summary>
/// DNS rebinding, from the attacker's side: a name that answers 127.0.0.1 while the loopback rule judges it, and
/// another machine's address a moment later. One command resolves a name once; its connections go to the judged
/// addresses, so credentials the loopback rule allowed over http never travel to the second answer.
/// </summary>
public sealed class DnsRebindingTests : IDisposable
{
    private const string Host = "rebind.test";

    private readonly TestMachine _machine = new();

    public void Dispose() => _machine.Dispose();

    [Fact]
    public async Task A_name_judged_loopback_is_connected_to_at_the_judged_address_even_when_dns_answers_otherwise_later()
    {
        using var server = new CountingHttpServer();
        server.Routes["/assets/config/config.prod.json"] = $$$"""{"tokenAPI":{"uri":"http://{{{Host}}}:{{{server.Port}}}/token"}}""";
        server.Routes["/token/version"] = """{"data":{"version":"1.2.3"}}""";
        server.Routes["/token/v1/token-status"] = "{}";
        _machine.WriteUser($"Active: local\nRemotes:\n  local:\n    URI: {Host}:{server.Port}\n    Token: t0ken\n    Insecure: true\n");
        var dns = new RebindingResolver(first: IPAddress.Loopback, then: IPAddress.Parse("192.0.2.1"));

        GetRemoteStatusResult status;
        bool judgedLoopback;
        using (var context = new RemoteContext(_machine.Paths(), isRoot: false, environment: _machine.Environment) { ResolveHost = dns.ResolveAsync })
        {
            judgedLoopback = await RealmPolicy.AnyLoopbackAsync(Host, context.ResolveOnceAsync, CancellationToken.None);
            status = await new GetRemoteStatus(context).ExecuteAsync(new GetRemoteStatusOptions("local"));
        }

        Assert.True(judgedLoopback);
        Assert.Equal(TokenState.Valid, status.Token);
        Assert.Equal(["/assets/config/config.prod.json", "/token/version", "/token/v1/token-status"], server.Requests);
        Assert.Equal(1, dns.Lookups);
    }

    [Fact]
    public async Task Each_command_resolves_afresh_and_a_failed_name_is_the_handlers_name_resolution_error()
    {
        var dns = new RebindingResolver(first: null, then: IPAddress.Loopback);
        using (var context = new RemoteContext(_machine.Paths(), isRoot: false, environment: _machine.Environment) { ResolveHost = dns.ResolveAsync })
        {
            using var client = RemoteHttp.CreateClient(context, insecureSkipVerify: false, TimeSpan.FromSeconds(10));
            var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri($"http://{Host}:9/")));
            Assert.Equal(HttpRequestError.NameResolutionError, failure.HttpRequestError);
            Assert.Equal($"cannot resolve host {Host}:9", RemoteHttp.Describe(failure, $"http://{Host}:9/"));
        }

        using (var context = new RemoteContext(_machine.Paths(), isRoot: false, environment: _machine.Environment) { ResolveHost = dns.ResolveAsync })
        {
            Assert.Equal([IPAddress.Loopback], await context.ResolveOnceAsync(Host, CancellationToken.None));
            Assert.Equal([IPAddress.Loopback], await context.ResolveOnceAsync(Host.ToUpperInvariant(), CancellationToken.None));
        }

        Assert.Equal(2, dns.Lookups);
    }

    /// <summary>Answers <c>first</c> (null: no such host) to the first lookup and <c>then</c> to every later one.</summary>
    private sealed class RebindingResolver(IPAddress? first, IPAddress then)
    {
        private int _lookups;

        public int Lookups => Volatile.Read(ref _lookups);

        public Task<IPAddress[]> ResolveAsync(string name, CancellationToken cancellationToken)
        {
            var answer = Interlocked.Increment(ref _lookups) == 1 ? first : then;
            return answer is null
                ? Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound))
                : Task.FromResult<IPAddress[]>([answer]);
        }
    }
}

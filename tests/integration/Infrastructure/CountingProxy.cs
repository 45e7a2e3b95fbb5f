using System.Net;
using System.Net.Sockets;

namespace DotnetRemote.Integration.Tests.Infrastructure;

/// <summary>
/// A TCP forwarder in front of a fixture server that counts every connection a client opens, so a test can say
/// "this build made no connection". <see cref="Stop"/> makes the server unreachable as a stopped container is:
/// connections are still accepted (and counted) but closed at once without an answer.
/// </summary>
public sealed class CountingProxy : IDisposable
{
    private readonly TcpListener _listener;
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private int _connections;
    private volatile bool _forwarding = true;

    public CountingProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync();
    }

    /// <summary>The port on 127.0.0.1 clients use instead of the fixture's.</summary>
    public int Port { get; }

    public string HostPort => $"127.0.0.1:{Port}";

    /// <summary>Connections opened so far (also while stopped).</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>From now on every connection is closed unanswered, as if the server were down.</summary>
    public void Stop() => _forwarding = false;

    /// <summary>Forwards again.</summary>
    public void Start() => _forwarding = true;

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            if (!_forwarding)
            {
                client.Client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                continue;
            }

            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await upstream.ConnectAsync(_targetHost, _targetPort, _stop.Token);
                using var stream = client.GetStream();
                using var target = upstream.GetStream();
                var up = CopyAsync(stream, target);
                var down = CopyAsync(target, stream);
                await Task.WhenAny(up, down);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client or the server went away; nothing to forward any more.
            }
        }
    }

    private async Task CopyAsync(Stream from, Stream to)
    {
        try
        {
            await from.CopyToAsync(to, _stop.Token);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}

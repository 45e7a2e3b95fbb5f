using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DotnetRemote.Testing;

/// <summary>A keep-alive HTTP/1.1 server on 127.0.0.1 that answers GETs from <see cref="Routes"/> and counts connections.</summary>
public sealed class CountingHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private int _connections;

    public CountingHttpServer()
    {
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Dictionary<string, string> Routes { get; } = new(StringComparer.Ordinal);

    public List<string> Requests { get; } = [];

    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                _ = ServeAsync(client);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
                while (await reader.ReadLineAsync(_stop.Token) is { Length: > 0 } requestLine)
                {
                    while (await reader.ReadLineAsync(_stop.Token) is { Length: > 0 })
                    {
                        // Headers: GETs carry no body.
                    }

                    var path = requestLine.Split(' ')[1];
                    lock (Requests)
                    {
                        Requests.Add(path);
                    }

                    var found = Routes.TryGetValue(path, out var body);
                    var bytes = Encoding.UTF8.GetBytes(body ?? "");
                    var head = $"HTTP/1.1 {(found ? "200 OK" : "404 Not Found")}\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\n\r\n";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                    await stream.WriteAsync(bytes, _stop.Token);
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}

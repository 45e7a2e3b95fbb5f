using System.Security.Authentication;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Reflection;

namespace DotnetRemote.Core.Context;

/// <summary>The engine's HTTP client factory and the wording of transport failures.</summary>
internal static class RemoteHttp
{
    public static readonly string UserAgent =
        $"dotnet-remote/{typeof(RemoteHttp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0"}";

    /// <summary>The largest response body the engine buffers (discovery, token and version documents are a few KB).</summary>
    public const int MaxResponseBytes = 4 * 1024 * 1024;

    /// <summary>
    /// A client over the context's handler (tests inject one; otherwise one per context and certificate setting, see
    /// <see cref="RemoteContext.SharedHttpHandler"/>). Disposing the client leaves the handler open for the next request.
    /// Redirects are not followed automatically, so credentials never travel to a host nobody named.
    /// </summary>
    public static HttpClient CreateClient(RemoteContext context, bool insecureSkipVerify, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(context);
        var handler = context.SharedHttpHandler(insecureSkipVerify);
        var disposeHandler = false;
        if (context.Log.IsDebugEnabled)
        {
            handler = new DebugLoggingHandler(context.Log, handler, disposeInner: false);
            disposeHandler = true;
        }

        // Every answer the engine reads is a small JSON document; a hostile server cannot make it buffer gigabytes.
        // The client's Timeout bounds each request, connecting included.
        var client = new HttpClient(handler, disposeHandler) { Timeout = timeout, MaxResponseContentBufferSize = MaxResponseBytes };
        client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
        return client;
    }

    /// <summary>The engine's <see cref="SocketsHttpHandler"/>: no redirects, no cookies; certificates checked unless asked.</summary>
    /// <param name="resolve">The context's resolver (<see cref="RemoteContext.ResolveOnceAsync"/>): connections go to
    /// the addresses the command already judged, never to a second DNS answer.</param>
    internal static SocketsHttpHandler CreateHandler(bool insecureSkipVerify, Func<string, CancellationToken, Task<IPAddress[]>> resolve)
    {
        ArgumentNullException.ThrowIfNull(resolve);
        var sockets = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectCallback = (connection, cancellationToken) => ConnectAsync(connection.DnsEndPoint, resolve, cancellationToken),
        };
        if (insecureSkipVerify)
        {
            // Only for endpoints the user marked insecure (Apptainer's -i); never the default.
#pragma warning disable CA5359 // The user asked for it with --insecure, per endpoint.
            sockets.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = static (_, _, _, _) => true };
#pragma warning restore CA5359
        }

        return sockets;
    }

    /// <summary>
    /// Connects to the first of the host's addresses that answers, as the default handler does, but with the
    /// addresses from <paramref name="resolve"/>. A failure of the name is a <see cref="SocketException"/>, which the
    /// handler reports as a name resolution error, as it does for its own lookups.
    /// </summary>
    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, Func<string, CancellationToken, Task<IPAddress[]>> resolve, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var literal)
            ? [literal]
            : await resolve(endpoint.Host, cancellationToken).ConfigureAwait(false);
        SocketException? failure = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                failure = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw failure ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>The host[:port] of a URL, for messages that must say which server answered.</summary>
    public static string Authority(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var parsed) ? parsed.Authority : url;

    public static string StatusLine(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return $"{(int)response.StatusCode} {response.ReasonPhrase ?? response.StatusCode.ToString()}";
    }

    /// <summary>True for failures of the network, not of the program (and not a cancellation the caller asked for).</summary>
    public static bool IsTransportFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is HttpRequestException or IOException or SocketException or AuthenticationException
        || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested);

    /// <summary>One line naming the host and what went wrong, without any request content.</summary>
    public static string Describe(Exception exception, string url)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var host = Authority(url);
        return exception switch
        {
            TaskCanceledException => $"request to {host} timed out",
            HttpRequestException { InnerException: AuthenticationException tls } when tls.Message.Contains("certificate", StringComparison.OrdinalIgnoreCase)
                => $"TLS handshake with {host} failed: certificate not trusted",
            HttpRequestException { InnerException: AuthenticationException } => $"TLS handshake with {host} failed (does it speak https?)",
            HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => $"cannot resolve host {host}",
            HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => $"cannot connect to {host}",
            _ => $"{host}: {exception.Message}",
        };
    }
}

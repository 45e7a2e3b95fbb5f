using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Context;

/// <summary>
/// Under <c>--debug</c>: one line per HTTP request and one per answer: method, URL (without user info or query
/// values), status, and which kind of credential was sent (the Authorization scheme), never the credential.
/// </summary>
internal sealed class DebugLoggingHandler(IRemoteLog log, HttpMessageHandler inner, bool disposeInner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var url = Describe(request.RequestUri);
        var credential = request.Headers.Authorization is { } authorization ? $"{authorization.Scheme} credentials" : "no credentials";
        log.Debug($"HTTP {request.Method} {url} ({credential})");
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            log.Debug($"HTTP {request.Method} {url}: {RemoteHttp.StatusLine(response)}");
            return response;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            log.Debug($"HTTP {request.Method} {url} failed: {ex.GetType().Name}: {ex.Message}");
            throw;
        }
    }

#pragma warning disable CA2215 // The injected handler belongs to the caller (tests): base.Dispose would dispose it.
    protected override void Dispose(bool disposing)
    {
        if (disposeInner)
        {
            base.Dispose(disposing);
        }
    }
#pragma warning restore CA2215

    /// <summary>The URL without user info; query parameter values are kept only for the token service's scope/service.</summary>
    internal static string Describe(Uri? uri)
    {
        if (uri is null)
        {
            return "(no URL)";
        }

        if (!uri.IsAbsoluteUri)
        {
            return uri.OriginalString;
        }

        var builder = new UriBuilder(uri) { UserName = "", Password = "" };
        if (uri.Query.Length > 1)
        {
            var parameters = uri.Query[1..].Split('&').Select(p =>
            {
                var equals = p.IndexOf('=', StringComparison.Ordinal);
                var name = equals < 0 ? p : p[..equals];
                return name is "scope" or "service" or "account" ? p : $"{name}=…";
            });
            builder.Query = string.Join('&', parameters);
        }

        return builder.Uri.ToString();
    }
}

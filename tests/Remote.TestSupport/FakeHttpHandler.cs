using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace DotnetRemote.Testing;

/// <summary>
/// An in-memory web: answers the URLs it was given, and fails every other request as an unreachable host would,
/// so no test ever touches the network. Records every request it saw.
/// </summary>
internal sealed class FakeHttpHandler : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, (HttpStatusCode Status, string Body)> _responses = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Answers <paramref name="url"/> (exact, without query) with <paramref name="body"/>.</summary>
    public FakeHttpHandler Respond(string url, string body, HttpStatusCode status = HttpStatusCode.OK)
    {
        _responses[url] = (status, body);
        return this;
    }

    /// <summary>Serves the service discovery document of <c>https://&lt;host&gt;</c> with a keystore (and a library).</summary>
    public FakeHttpHandler Discovery(string host, string keyserver, string scheme = "https") =>
        Respond(
            $"{scheme}://{host}/assets/config/config.prod.json",
            $$$"""{"keystoreAPI":{"uri":"{{{keyserver}}}"},"libraryAPI":{"uri":"https://library.{{{host}}}"},"tokenAPI":{"uri":"https://auth.{{{host}}}/token"}}""");

    /// <summary>The reason phrase the fake sends with <paramref name="status"/>.</summary>
    public static string ReasonFor(HttpStatusCode status)
    {
        using var response = new HttpResponseMessage(status);
        return response.ReasonPhrase ?? status.ToString();
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var url = request.RequestUri!.GetLeftPart(UriPartial.Path);
        Requests.Enqueue($"{request.Method} {url}");
        if (!_responses.TryGetValue(url, out var response))
        {
            throw new HttpRequestException(HttpRequestError.NameResolutionError, $"fake network: no host for {url}");
        }

        return Task.FromResult(new HttpResponseMessage(response.Status)
        {
            Content = new StringContent(response.Body, Encoding.UTF8, "application/json"),
            RequestMessage = request,
        });
    }
}

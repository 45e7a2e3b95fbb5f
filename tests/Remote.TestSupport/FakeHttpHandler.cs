using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace DotnetRemote.Testing;

/// <summary>
/// An in-memory web: answers the URLs it was given (<see cref="Respond"/>), then asks the function it was made with
/// (a registry and its token service in code), and fails every other request as an unreachable host would, so no
/// test ever touches the network. Records every request it saw.
/// </summary>
internal sealed class FakeHttpHandler : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, (HttpStatusCode Status, string Body)> _responses = new(StringComparer.Ordinal);
    private readonly Func<HttpRequestMessage, HttpResponseMessage>? _respond;
    private readonly List<(string Url, string? Authorization)> _calls = [];

    /// <summary>A web of the URLs given to <see cref="Respond"/> only.</summary>
    public FakeHttpHandler()
    {
    }

    /// <summary>A web where <paramref name="respond"/> answers every request no <see cref="Respond"/> URL matches.</summary>
    public FakeHttpHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) => _respond = respond;

    /// <summary>Every request fails as a refused connection would (the host is down).</summary>
    public bool Down { get; set; }

    /// <summary>Every request waits until it is canceled; <see cref="Hanging"/> completes when the first one waits.</summary>
    public bool Hang { get; set; }

    public TaskCompletionSource Hanging { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Every request as <c>METHOD url</c> (without the query), in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Every request with its full URL and its Authorization header, in order.</summary>
    public IReadOnlyList<(string Url, string? Authorization)> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

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

    /// <summary>The answer without recording the request (for composing fakes).</summary>
    public HttpResponseMessage Answer(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var url = request.RequestUri!.GetLeftPart(UriPartial.Path);
        if (_responses.TryGetValue(url, out var response))
        {
            return new HttpResponseMessage(response.Status)
            {
                Content = new StringContent(response.Body, Encoding.UTF8, "application/json"),
                RequestMessage = request,
            };
        }

        return _respond is not null
            ? _respond(request)
            : throw new HttpRequestException(HttpRequestError.NameResolutionError, $"fake network: no host for {url}");
    }

    /// <summary>The reason phrase the fake sends with <paramref name="status"/>.</summary>
    public static string ReasonFor(HttpStatusCode status)
    {
        using var response = new HttpResponseMessage(status);
        return response.ReasonPhrase ?? status.ToString();
    }

    /// <summary>A response with <paramref name="status"/>, a <c>WWW-Authenticate</c> challenge and a JSON body when given.</summary>
    public static HttpResponseMessage Status(HttpStatusCode status, string? challenge = null, string? json = null)
    {
        var response = new HttpResponseMessage(status);
        if (challenge is not null)
        {
            response.Headers.TryAddWithoutValidation("WWW-Authenticate", challenge);
        }

        if (json is not null)
        {
            response.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return response;
    }

    /// <summary>A Basic-auth registry: <c>/v2/</c> answers 200 only to the right Basic credentials.</summary>
    public static FakeHttpHandler BasicAuth(string user, string password) => new(request =>
        request.Headers.Authorization?.ToString() == $"Basic {TestMachine.Basic(user, password)}"
            ? Status(HttpStatusCode.OK)
            : Status(HttpStatusCode.Unauthorized, "Basic realm=\"Registry Realm\""));

    /// <summary>
    /// The web of a pipeline: a library endpoint on <c>https://<paramref name="library"/></c> (service discovery, and a
    /// token status that knows only <paramref name="token"/>) and a Basic-auth registry on <c>https://<paramref name="registry"/></c>.
    /// </summary>
    public static FakeHttpHandler LibraryAndRegistry(string library, string token, string registry, string user, string password)
    {
        var registryAuth = BasicAuth(user, password);
        return new FakeHttpHandler(request => request.RequestUri!.GetLeftPart(UriPartial.Path) is var url && url == $"https://{library}/token/v1/token-status"
                ? Status(request.Headers.Authorization?.ToString() == $"Bearer {token}" ? HttpStatusCode.OK : HttpStatusCode.NotFound)
                : url == $"https://{registry}/v2/"
                    ? registryAuth.Answer(request)
                    : throw new HttpRequestException(HttpRequestError.NameResolutionError, $"fake network: no host for {url}"))
            .Respond(
                $"https://{library}/assets/config/config.prod.json",
                $$$"""{"libraryAPI":{"uri":"https://{{{library}}}"},"tokenAPI":{"uri":"https://{{{library}}}/token"}}""");
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Requests.Enqueue($"{request.Method} {request.RequestUri!.GetLeftPart(UriPartial.Path)}");
        lock (_calls)
        {
            _calls.Add((request.RequestUri.ToString(), request.Headers.Authorization?.ToString()));
        }

        if (Down)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, "fake network: connection refused");
        }

        if (Hang)
        {
            Hanging.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return Answer(request);
    }
}

using System.Net.Http.Headers;
using System.Text;

namespace DotnetRemote.Integration.Tests.Tests;

internal static class Http
{
    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public static async Task<HttpResponseMessage> GetAsync(HttpClient client, Uri uri, AuthenticationHeaderValue? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = authorization;
        return await client.SendAsync(request);
    }
}

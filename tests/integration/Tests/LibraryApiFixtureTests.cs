using System.Net;
using System.Text.Json;

namespace DotnetRemote.Integration.Tests.Tests;

[Collection(Libraries.Name)]
public sealed class LibraryApiFixtureTests(LibraryApiFixture library)
{
    private static readonly HttpClient Client = new();

    [SkippableFact]
    public async Task Library_answers_discovery_with_an_object_of_service_objects()
    {
        await library.EnsureAvailableAsync();
        Assert.InRange(library.Token.Length, 200, 4096);

        using var response = await Http.GetAsync(Client, new Uri(library.BaseAddress, "assets/config/config.prod.json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.All(json.RootElement.EnumerateObject(), service => Assert.Equal(JsonValueKind.Object, service.Value.ValueKind));

        var baseUri = $"http://{library.HostPort}";
        Assert.Equal(baseUri, json.RootElement.GetProperty("libraryAPI").GetProperty("uri").GetString());
        Assert.Equal($"{baseUri}/token", json.RootElement.GetProperty("tokenAPI").GetProperty("uri").GetString());
        Assert.Equal($"{baseUri}/keystore", json.RootElement.GetProperty("keystoreAPI").GetProperty("uri").GetString());

        foreach (var service in json.RootElement.EnumerateObject())
        {
            var uri = service.Value.GetProperty("uri").GetString();
            using var version = await Http.GetAsync(Client, new Uri($"{uri}/version"));
            Assert.Equal(HttpStatusCode.OK, version.StatusCode);
            using var body = JsonDocument.Parse(await version.Content.ReadAsStringAsync());
            Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("data").GetProperty("version").GetString()));
        }
    }

    [SkippableFact]
    public async Task Library_accepts_its_token_and_rejects_a_wrong_one()
    {
        await library.EnsureAvailableAsync();
        var status = new Uri(library.BaseAddress, "token/v1/token-status");

        using var valid = await Http.GetAsync(Client, status, library.Authorization);
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        using var invalid = await Http.GetAsync(Client, status, new("Bearer", library.Token + "x"));
        Assert.Equal(HttpStatusCode.NotFound, invalid.StatusCode);
        using var missing = await Http.GetAsync(Client, status);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        var current = new Uri(library.BaseAddress, "v1/rbac/users/current");
        using var user = await Http.GetAsync(Client, current, library.Authorization);
        Assert.Equal(HttpStatusCode.OK, user.StatusCode);
        using var json = JsonDocument.Parse(await user.Content.ReadAsStringAsync());
        Assert.Equal(library.Username, json.RootElement.GetProperty("username").GetString());
        Assert.Equal(library.Email, json.RootElement.GetProperty("email").GetString());
        Assert.Equal(library.Secret, json.RootElement.GetProperty("oidc_user_meta").GetProperty("secret").GetString());

        using var unauthorized = await Http.GetAsync(Client, current, new("Bearer", "wrong"));
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
    }
}

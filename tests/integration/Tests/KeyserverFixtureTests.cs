using System.Net;
using System.Security.Authentication;

namespace DotnetRemote.Integration.Tests.Tests;

[Collection(Keyservers.Name)]
public sealed class KeyserverFixtureTests(KeyserverFixture keys)
{
    private const string Fingerprint = "13A5C5039616FFE3BCABA4E379D7D7BA02E8D834";
    private static readonly HttpClient Client = new();

    private static string PublicKey => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "signer.pub.asc"));

    private static string Lookup(string op) => $"pks/lookup?op={op}&search=0x{Fingerprint}&options=mr";

    [SkippableFact]
    public async Task Every_flavour_answers_401_without_credentials()
    {
        await keys.EnsureAvailableAsync();
        using var trusting = KeyserverFixture.CreateTrustingClient();

        using var basic = await Http.GetAsync(Client, keys.BasicBaseAddress);
        Assert.Equal(HttpStatusCode.Unauthorized, basic.StatusCode);
        Assert.Equal("Basic", Assert.Single(basic.Headers.WwwAuthenticate).Scheme);

        using var bearer = await Http.GetAsync(Client, keys.BearerBaseAddress);
        Assert.Equal(HttpStatusCode.Unauthorized, bearer.StatusCode);
        Assert.Equal("Bearer", Assert.Single(bearer.Headers.WwwAuthenticate).Scheme);
        using var wrongToken = await Http.GetAsync(Client, keys.BearerBaseAddress, new("Bearer", "not-" + keys.BearerToken));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongToken.StatusCode);

        using var tls = await Http.GetAsync(trusting, keys.TlsBaseAddress);
        Assert.Equal(HttpStatusCode.Unauthorized, tls.StatusCode);
        using var wrongPassword = await Http.GetAsync(trusting, keys.TlsBaseAddress, Http.Basic(keys.Username, "wrong"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);

        using var withCredentials = await Http.GetAsync(Client, keys.BasicBaseAddress, keys.BasicAuthorization);
        Assert.Equal(HttpStatusCode.OK, withCredentials.StatusCode);
    }

    [SkippableFact]
    public async Task Uploaded_key_is_returned_by_op_get_through_every_flavour()
    {
        await keys.EnsureAvailableAsync();
        using var trusting = KeyserverFixture.CreateTrustingClient();

        using (var anonymous = new HttpRequestMessage(HttpMethod.Post, new Uri(keys.BasicBaseAddress, "pks/add")))
        {
            anonymous.Content = new FormUrlEncodedContent([new("keytext", PublicKey)]);
            using var refused = await Client.SendAsync(anonymous);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var add = new HttpRequestMessage(HttpMethod.Post, new Uri(keys.BasicBaseAddress, "pks/add")))
        {
            add.Headers.Authorization = keys.BasicAuthorization;
            add.Content = new FormUrlEncodedContent([new("keytext", PublicKey)]);
            using var added = await Client.SendAsync(add);
            Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        }

        foreach (var (client, baseAddress, authorization) in new[]
        {
            (Client, keys.BasicBaseAddress, keys.BasicAuthorization),
            (Client, keys.BearerBaseAddress, keys.BearerAuthorization),
            (trusting, keys.TlsBaseAddress, keys.BasicAuthorization),
        })
        {
            using var get = await Http.GetAsync(client, new Uri(baseAddress, Lookup("get")), authorization);
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            var armored = await get.Content.ReadAsStringAsync();
            Assert.Contains("-----BEGIN PGP PUBLIC KEY BLOCK-----", armored, StringComparison.Ordinal);

            using var index = await Http.GetAsync(client, new Uri(baseAddress, Lookup("index")), authorization);
            Assert.Equal(HttpStatusCode.OK, index.StatusCode);
            Assert.Contains($"pub:{Fingerprint}:", await index.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var unknown = await Http.GetAsync(Client, new Uri(keys.BasicBaseAddress, "pks/lookup?op=get&search=0x0123456789ABCDEF0123456789ABCDEF01234567&options=mr"), keys.BasicAuthorization);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [SkippableFact]
    public async Task Tls_flavour_is_trusted_only_through_the_test_ca_and_matches_its_host_name()
    {
        await keys.EnsureAvailableAsync();
        Assert.Equal("https", keys.TlsBaseAddress.Scheme);
        Assert.Equal("keys.test", keys.TlsBaseAddress.Host);

        // The system trust store does not know the test CA.
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => Http.GetAsync(Client, keys.TlsBaseAddress, keys.BasicAuthorization));
        Assert.IsType<AuthenticationException>(error.InnerException);

        using var trusting = KeyserverFixture.CreateTrustingClient();
        using var ok = await Http.GetAsync(trusting, keys.TlsBaseAddress, keys.BasicAuthorization);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        // Host name checks stay on: 127.0.0.6 reaches the same listener but is not in the certificate.
        var unnamed = new UriBuilder(keys.TlsBaseAddress) { Host = "127.0.0.6" }.Uri;
        var mismatch = await Assert.ThrowsAsync<HttpRequestException>(() => Http.GetAsync(trusting, unnamed, keys.BasicAuthorization));
        Assert.IsType<AuthenticationException>(mismatch.InnerException);

        Assert.True(File.Exists(KeyserverFixture.CaCertificatePath));
        Assert.Contains("BEGIN CERTIFICATE", await File.ReadAllTextAsync(KeyserverFixture.CaCertificatePath), StringComparison.Ordinal);
    }
}

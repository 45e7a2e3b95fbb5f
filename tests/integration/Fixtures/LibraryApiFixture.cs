using System.Net.Http.Headers;
using System.Security.Cryptography;
using DotNet.Testcontainers.Builders;

namespace DotnetRemote.Integration.Tests.Fixtures;

/// <summary>
/// Our fake library endpoint (servers/LibraryApi) as http://library.test:PORT. It answers (docs/compatibility.md#service-discovery):
/// <c>/assets/config/config.prod.json</c> (service URIs built from the request's Host: library = base,
/// token = base/token, keystore = base/keystore, builder = base/builder, consent = base/consent),
/// <c>&lt;svc&gt;/version</c> -> <c>{"data":{"version":...}}</c>,
/// <c>token/v1/token-status</c> (Bearer <see cref="Token"/> -> 200, anything else -> 404),
/// <c>v1/rbac/users/current</c> (Bearer <see cref="Token"/> -> <see cref="Username"/>, <see cref="Email"/>,
/// <c>oidc_user_meta.secret</c> = <see cref="Secret"/>; otherwise 401).
/// </summary>
public sealed class LibraryApiFixture : ContainerFixture
{
    public string Hostname { get; } = "library.test";

    public int Port { get; private set; }

    /// <summary>"library.test:PORT": the remote URI as a user would type it (insecure: http).</summary>
    public string HostPort => $"{Hostname}:{Port}";

    public Uri BaseAddress => new($"http://{HostPort}/");

    /// <summary>The one valid token: 240 characters (Apptainer token files need 200-4096).</summary>
    public string Token { get; } = "it" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(119));

    public string Username { get; } = "libuser";

    public string Email { get; } = "libuser@library.test";

    /// <summary>The OCI secret returned as oidc_user_meta.secret (what get-login-password prints).</summary>
    public string Secret { get; } = "library-oci-secret-0123456789";

    public AuthenticationHeaderValue Authorization => new("Bearer", Token);

    protected override async Task StartAsync()
    {
        var image = await Images.FakeServers.GetAsync();
        var container = Track(new ContainerBuilder(image)
            .WithCommand("/app/LibraryApi/LibraryApi.dll")
            .WithEnvironment("LIBRARY_TOKEN", Token)
            .WithEnvironment("LIBRARY_USERNAME", Username)
            .WithEnvironment("LIBRARY_EMAIL", Email)
            .WithEnvironment("LIBRARY_SECRET", Secret)
            .WithFakeServerReady()
            .Build());
        await StartWithLogsAsync(container, "library API");
        Port = container.GetMappedPublicPort(Images.FakeServerPort);
    }
}

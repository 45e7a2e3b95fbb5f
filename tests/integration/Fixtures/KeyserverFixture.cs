using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using DotNet.Testcontainers.Builders;

namespace DotnetRemote.Integration.Tests.Fixtures;

/// <summary>
/// One SKS keyserver (HKP) behind nginx, reachable as keys.test in three flavours, all sharing one key database:
/// <list type="bullet">
/// <item><see cref="BasicBaseAddress"/>: http, Basic <see cref="Username"/>/<see cref="Password"/>;</item>
/// <item><see cref="BearerBaseAddress"/>: http, <c>Authorization: Bearer <see cref="BearerToken"/></c>;</item>
/// <item><see cref="TlsBaseAddress"/>: https (certificate for keys.test signed by the test CA, <see cref="CaCertificatePath"/>), Basic auth.</item>
/// </list>
/// Without (right) credentials nginx answers 401 with a <c>WWW-Authenticate</c> challenge. <see cref="OpenBaseAddress"/> is SKS itself, no auth.
/// </summary>
public sealed class KeyserverFixture : ContainerFixture
{
    private const int SksPort = 11371;
    private const int BasicPort = 8080;
    private const int BearerPort = 8081;
    private const int TlsPort = 8443;

    public string Hostname { get; } = "keys.test";

    public string Username { get; } = "kim";

    public string Password { get; } = "kim-keys-pass";

    /// <summary>The token the Bearer flavour accepts.</summary>
    public string BearerToken { get; } = "keyserver-bearer-token-0123456789";

    /// <summary>http://keys.test:PORT/ — Basic auth.</summary>
    public Uri BasicBaseAddress { get; private set; } = null!;

    /// <summary>http://keys.test:PORT/ — Bearer auth.</summary>
    public Uri BearerBaseAddress { get; private set; } = null!;

    /// <summary>https://keys.test:PORT/ — TLS with the test CA, Basic auth.</summary>
    public Uri TlsBaseAddress { get; private set; } = null!;

    /// <summary>http://keys.test:PORT/ — SKS directly, no auth.</summary>
    public Uri OpenBaseAddress { get; private set; } = null!;

    public static string CaCertificatePath => TestCertificates.CaCertificatePath;

    public static X509Certificate2 CaCertificate => TestCertificates.CaCertificate;

    public AuthenticationHeaderValue BasicAuthorization => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}")));

    public AuthenticationHeaderValue BearerAuthorization => new("Bearer", BearerToken);

    /// <summary>An HttpClient that trusts the test CA (and only adds that; host name checks stay on).</summary>
    public static HttpClient CreateTrustingClient() => new(TestCertificates.CreateTrustingHandler());

    protected override async Task StartAsync()
    {
        var nginxImage = Images.Nginx.GetAsync();
        var sksImage = await Images.Sks.GetAsync();
        var network = Track(new NetworkBuilder().WithName($"dotnet-remote-it-keys-{Guid.NewGuid():N}").Build());
        await network.CreateAsync();

        var sks = Track(new ContainerBuilder(sksImage)
            .WithNetwork(network)
            .WithNetworkAliases("sks")
            .WithPortBinding(SksPort, true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(
                r => r.ForPath("/").ForPort(SksPort), w => w.WithTimeout(TimeSpan.FromSeconds(30))))
            .Build());
        await StartWithLogsAsync(sks, "sks");

        var config = $$"""
            worker_processes 1;
            pid /tmp/nginx.pid;
            error_log stderr warn;
            daemon off;
            events { worker_connections 64; }
            http {
              access_log off;
              client_body_temp_path /tmp/body;
              proxy_temp_path /tmp/proxy;
              fastcgi_temp_path /tmp/fastcgi;
              uwsgi_temp_path /tmp/uwsgi;
              scgi_temp_path /tmp/scgi;
              proxy_http_version 1.0;
              server {
                listen {{BasicPort}};
                location / {
                  auth_basic "keyserver";
                  auth_basic_user_file /etc/nginx/htpasswd;
                  proxy_set_header Authorization "";
                  proxy_pass http://sks:{{SksPort}};
                }
              }
              server {
                listen {{BearerPort}};
                location / {
                  if ($http_authorization != "Bearer {{BearerToken}}") {
                    add_header WWW-Authenticate 'Bearer realm="keyserver"' always;
                    return 401;
                  }
                  proxy_set_header Authorization "";
                  proxy_pass http://sks:{{SksPort}};
                }
              }
              server {
                listen {{TlsPort}} ssl;
                server_name keys.test;
                ssl_certificate /etc/nginx/tls/server.crt;
                ssl_certificate_key /etc/nginx/tls/server.key;
                location / {
                  auth_basic "keyserver";
                  auth_basic_user_file /etc/nginx/htpasswd;
                  proxy_set_header Authorization "";
                  proxy_pass http://sks:{{SksPort}};
                }
              }
            }

            """;
        var nginx = Track(new ContainerBuilder(await nginxImage)
            .WithNetwork(network)
            .WithResourceMapping(Utf8(config), "/etc/nginx/nginx.conf")
            // apr1 hash of kim-keys-pass (openssl passwd -apr1); nginx verifies apr1 itself.
            .WithResourceMapping(Utf8("kim:$apr1$keysalt1$Ea6/fw3CijeSsT7sHW63X.\n"), "/etc/nginx/htpasswd")
            .WithResourceMapping(Utf8(TestCertificates.ServerCertificatePem), "/etc/nginx/tls/server.crt")
            .WithResourceMapping(Utf8(TestCertificates.ServerKeyPem), "/etc/nginx/tls/server.key")
            .WithPortBinding(BasicPort, true)
            .WithPortBinding(BearerPort, true)
            .WithPortBinding(TlsPort, true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(
                r => r.ForPath("/").ForPort(BasicPort).ForStatusCode(HttpStatusCode.Unauthorized),
                w => w.WithTimeout(TimeSpan.FromSeconds(30))))
            .Build());
        await StartWithLogsAsync(nginx, "nginx in front of sks");

        OpenBaseAddress = new Uri($"http://{Hostname}:{sks.GetMappedPublicPort(SksPort)}/");
        BasicBaseAddress = new Uri($"http://{Hostname}:{nginx.GetMappedPublicPort(BasicPort)}/");
        BearerBaseAddress = new Uri($"http://{Hostname}:{nginx.GetMappedPublicPort(BearerPort)}/");
        TlsBaseAddress = new Uri($"https://{Hostname}:{nginx.GetMappedPublicPort(TlsPort)}/");
    }
}

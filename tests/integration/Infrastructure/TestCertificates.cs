using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DotnetRemote.Integration.Tests.Infrastructure;

/// <summary>Test-only PKI, generated once per test run: a CA, a server certificate it signs, a token signing key.</summary>
public static class TestCertificates
{
    private static readonly Lazy<Material> Lazy = new(Create);

    /// <summary>PEM of the test CA certificate (trust it explicitly; never disable verification).</summary>
    public static string CaCertificatePem => Lazy.Value.CaPem;

    /// <summary>The CA certificate written to a file (for tools and clients that take a path).</summary>
    public static string CaCertificatePath => Lazy.Value.CaPath;

    public static X509Certificate2 CaCertificate => X509CertificateLoader.LoadCertificate(Lazy.Value.CaDer);

    /// <summary>Server certificate (SAN: keys.test, registry-a.test, registry-b.test, library.test, localhost, 127.0.0.1-5) and key, PEM.</summary>
    internal static string ServerCertificatePem => Lazy.Value.ServerPem;

    internal static string ServerKeyPem => Lazy.Value.ServerKeyPem;

    /// <summary>Self-signed registry token signing certificate and key, PEM.</summary>
    internal static string TokenCertificatePem => Lazy.Value.TokenPem;

    internal static string TokenKeyPem => Lazy.Value.TokenKeyPem;

    /// <summary>A handler that trusts exactly the test CA in addition to nothing else; host name checks stay on.</summary>
    public static SocketsHttpHandler CreateTrustingHandler()
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(CaCertificate);
        return new SocketsHttpHandler { SslOptions = { CertificateChainPolicy = policy } };
    }

    private sealed record Material(string CaPem, byte[] CaDer, string CaPath, string ServerPem, string ServerKeyPem, string TokenPem, string TokenKeyPem);

    private static Material Create()
    {
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=dotnet remote integration test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now, now.AddDays(30));

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=keys.test", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in IntegrationEnvironment.HostNames.Keys.Append("localhost"))
        {
            san.AddDnsName(name);
        }
        foreach (var address in IntegrationEnvironment.HostNames.Values.Append(IPAddress.Loopback))
        {
            san.AddIpAddress(address);
        }
        serverRequest.CertificateExtensions.Add(san.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var server = serverRequest.Create(ca, now, now.AddDays(29), RandomNumberGenerator.GetBytes(16));

        using var tokenKey = RSA.Create(2048);
        var tokenRequest = new CertificateRequest("CN=dotnet remote registry token signer", tokenKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var token = tokenRequest.CreateSelfSigned(now, now.AddDays(30));

        var directory = Path.Combine(TestTemp.Root, $"pki-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var caPath = Path.Combine(directory, "ca.crt");
        File.WriteAllText(caPath, ca.ExportCertificatePem() + "\n");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        };

        return new Material(
            ca.ExportCertificatePem() + "\n", ca.RawData, caPath,
            server.ExportCertificatePem() + "\n", serverKey.ExportPkcs8PrivateKeyPem() + "\n",
            token.ExportCertificatePem() + "\n", tokenKey.ExportPkcs8PrivateKeyPem() + "\n");
    }
}

using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Keyservers;

namespace DotnetRemote.Core.Tests.Keyservers;

/// <summary>docs/compatibility.md#keyserver-identity: keyserver identity after hkp/hkps normalisation; the path never counts.</summary>
public class KeyserverUriTests
{
    [Theory]
    [InlineData("http://localhost", "http", "localhost")]
    [InlineData("https://keys.openpgp.org", "https", "keys.openpgp.org")]
    [InlineData("https://keys.openpgp.org:8443/pks", "https", "keys.openpgp.org:8443")]
    [InlineData("hkp://localhost", "http", "localhost:11371")]
    [InlineData("hkp://localhost:80", "http", "localhost:80")]
    [InlineData("hkps://keys.example.com", "https", "keys.example.com")]
    [InlineData("hkps://keys.example.com:1443", "https", "keys.example.com:1443")]
    [InlineData("HTTPS://Keys.Example.COM", "https", "keys.example.com")]
    public void Normalize_maps_hkp_to_http_on_11371_and_hkps_to_https(string uri, string scheme, string hostPort)
    {
        Assert.Equal((scheme, hostPort), KeyserverUri.Normalize(uri));
    }

    [Theory]
    [InlineData("ftp://keys.example.com", "ftp")]
    [InlineData("ldap://keys.example.com", "ldap")]
    [InlineData("docker://docker.io", "docker")]
    public void An_unsupported_scheme_is_rejected(string uri, string scheme)
    {
        var error = Assert.Throws<RemoteException>(() => KeyserverUri.Normalize(uri));

        Assert.Equal($"unsupported keyserver protocol scheme \"{scheme}\"", error.Message);
        Assert.Equal(RemoteErrorCodes.KeyserverScheme, error.Code);
    }

    [Theory]
    [InlineData("keys.example.com")]
    [InlineData("localhost:8080")]
    [InlineData("")]
    public void A_uri_without_scheme_and_host_is_not_a_keyserver(string uri)
    {
        Assert.False(KeyserverUri.IsKeyserver(uri));
        Assert.Throws<RemoteException>(() => KeyserverUri.Normalize(uri));
    }

    [Theory]
    [InlineData("http://localhost:11371", "hkp://localhost", true)]
    [InlineData("https://localhost", "hkps://localhost", true)]
    [InlineData("http://localhost", "hkp://localhost", false)]
    [InlineData("https://keys.example.com/pks/lookup", "https://keys.example.com", true)]
    [InlineData("https://keys.example.com", "http://keys.example.com", false)]
    [InlineData("https://keys.example.com", "https://keys.example.com:8443", false)]
    [InlineData("https://keys.example.com", "https://KEYS.example.com/", true)]
    [InlineData("https://a.example.com", "https://b.example.com", false)]
    [InlineData("ftp://keys.example.com", "ftp://keys.example.com", false)]
    [InlineData("keys.example.com", "keys.example.com", false)]
    public void Same_keyserver_compares_scheme_and_host_port_after_normalisation(string a, string b, bool same)
    {
        Assert.Equal(same, KeyserverUri.IsSameKeyserver(a, b));
        Assert.Equal(same, KeyserverUri.IsSameKeyserver(b, a));
    }

    [Theory]
    [InlineData("docker://docker.io", "docker://docker.io/library", true)]
    [InlineData("oras://localhost:5000", "oras://localhost:5000", true)]
    [InlineData("docker://localhost:5000", "oras://localhost:5000", false)]
    [InlineData("http://localhost:11371", "hkp://localhost", false)]
    [InlineData("https://keys.example.com/a", "https://keys.example.com/b", true)]
    [InlineData("localhost:8080", "localhost:8080", false)]
    public void Same_uri_compares_scheme_and_host_port_without_hkp_normalisation(string a, string b, bool same)
    {
        Assert.Equal(same, KeyserverUri.IsSameUri(a, b));
    }
}

using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Endpoints;

namespace DotnetRemote.Core.Tests.Remotes;

/// <summary>How a typed remote URI is stored (docs/compatibility.md#remote-add) with the port fix of docs/compatibility.md#fix-port-uris.</summary>
public class EndpointUriTests
{
    [Theory]
    [InlineData("cloud.example.com", "cloud.example.com")]
    [InlineData("https://cloud.example.com/", "cloud.example.com")]
    [InlineData("https://enterprise.example.com", "enterprise.example.com")]
    [InlineData("really//not/a/URI", "really/not/a/URI")]
    [InlineData("https://host:8443/path", "host:8443/path")]
    [InlineData("https://host:8443", "host:8443")]
    [InlineData("host:8443", "host:8443")]
    [InlineData("host:8443/path/", "host:8443/path")]
    [InlineData("10.0.0.1:8080", "10.0.0.1:8080")]
    [InlineData("http://lab.internal:8080/", "lab.internal:8080")]
    [InlineData("library://cloud.sylabs.io", "cloud.sylabs.io")]
    [InlineData("https://host//a///b/", "host/a/b")]
    [InlineData("https://host/a/./b", "host/a/b")]
    [InlineData("  cloud.sylabs.io  ", "cloud.sylabs.io")]
    public void Normalize_drops_the_scheme_and_extra_slashes_and_keeps_the_port(string typed, string stored)
    {
        Assert.Equal(stored, EndpointUri.Normalize(typed));
    }

    [Theory]
    [InlineData("https://host/a/../b", "host/b")]
    [InlineData("https://host/path?x=1", "host/path")]
    [InlineData("https://host/path#frag", "host/path")]
    public void Normalize_cleans_the_path_as_go_path_clean_of_host_and_url_path_does(string typed, string stored)
    {
        Assert.Equal(stored, EndpointUri.Normalize(typed));
    }

    [Fact]
    public void Normalize_is_idempotent()
    {
        foreach (var typed in new[] { "https://host:8443/path/", "really//not/a/URI", "cloud.example.com" })
        {
            var once = EndpointUri.Normalize(typed);
            Assert.Equal(once, EndpointUri.Normalize(once));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("https://")]
    [InlineData("///")]
    [InlineData("https://user@host")]
    public void A_uri_without_a_host_is_rejected(string typed)
    {
        var error = Assert.Throws<RemoteException>(() => EndpointUri.Normalize(typed));

        Assert.Equal(RemoteErrorCodes.InvalidArgument, error.Code);
    }

    [Theory]
    [InlineData("cloud.sylabs.io", false, "https://cloud.sylabs.io")]
    [InlineData("lab.internal:8080", true, "http://lab.internal:8080")]
    [InlineData("host:8443/path", false, "https://host:8443/path")]
    [InlineData("https://host:8443", false, "https://host:8443")]
    [InlineData("http://host", false, "https://host")]
    [InlineData("https://host", true, "http://host")]
    public void Base_url_is_https_or_http_for_insecure_endpoints_and_keeps_the_port(string stored, bool insecure, string url)
    {
        Assert.Equal(url, EndpointUri.BaseUrl(stored, insecure));
    }

    [Fact]
    public void Base_url_of_an_empty_uri_is_an_error()
    {
        var error = Assert.Throws<RemoteException>(() => EndpointUri.BaseUrl("", insecure: false));

        Assert.Equal("no URI set for endpoint", error.Message);
    }
}

using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Tests.Registries;

public class RegistryReferenceTests
{
    [Theory]
    [InlineData("docker://ghcr.io", "docker", "ghcr.io", "", "ghcr.io", "ghcr.io", "docker://ghcr.io")]
    [InlineData("oras://GHCR.io/Team/", "oras", "ghcr.io", "Team", "ghcr.io/Team", "ghcr.io", "oras://ghcr.io/Team")]
    [InlineData("docker://localhost:5000/team/app", "docker", "localhost:5000", "team/app", "localhost:5000/team/app", "localhost:5000", "docker://localhost:5000/team/app")]
    [InlineData("docker://docker.io", "docker", "docker.io", "", "https://index.docker.io/v1/", "registry-1.docker.io", "docker://docker.io")]
    [InlineData("docker://index.docker.io", "docker", "index.docker.io", "", "https://index.docker.io/v1/", "registry-1.docker.io", "docker://index.docker.io")]
    [InlineData("docker://registry-1.docker.io/someone", "docker", "registry-1.docker.io", "someone", "https://index.docker.io/v1/", "registry-1.docker.io", "docker://registry-1.docker.io/someone")]
    [InlineData("docker://[::1]:5000", "docker", "[::1]:5000", "", "[::1]:5000", "[::1]:5000", "docker://[::1]:5000")]
    [InlineData("  docker://10.1.2.3:443//a//b  ", "docker", "10.1.2.3:443", "a/b", "10.1.2.3:443/a/b", "10.1.2.3:443", "docker://10.1.2.3:443/a/b")]
    public void Login_uris_parse_into_registry_namespace_key_and_api_host(string uri, string transport, string registry, string ns, string key, string apiHost, string canonical)
    {
        var reference = RegistryReference.ParseRegistry(uri);

        Assert.Equal(transport, reference.Transport);
        Assert.Equal(registry, reference.Registry);
        Assert.Equal(ns, reference.Namespace);
        Assert.Equal(key, reference.ConfigKey);
        Assert.Equal(apiHost, reference.ApiHost);
        Assert.Equal(canonical, reference.Uri);
    }

    [Theory]
    [InlineData("localhost:5000", "localhost transport is not supported (for an OCI registry use docker://localhost:5000)")]
    [InlineData("https://ghcr.io", "https transport is not supported")]
    [InlineData("library://user/col/img", "library transport is not supported")]
    [InlineData("ghcr.io/org", " transport is not supported (for an OCI registry use docker://ghcr.io/org)")]
    [InlineData("", " transport is not supported")]
    public void Other_schemes_are_not_supported_with_the_seed_wording(string uri, string message)
    {
        var error = Assert.Throws<RemoteException>(() => RegistryReference.ParseRegistry(uri));

        Assert.Equal(RemoteErrorCodes.TransportNotSupported, error.Code);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("docker://")]
    [InlineData("docker:ghcr.io")]
    [InlineData("docker://host:99999")]
    [InlineData("docker://host:port")]
    [InlineData("docker://bad_host!/x")]
    [InlineData("docker://ghcr.io/team?x=1")]
    public void Malformed_registry_uris_are_invalid_arguments(string uri) =>
        Assert.Equal(RemoteErrorCodes.InvalidArgument, Assert.Throws<RemoteException>(() => RegistryReference.ParseRegistry(uri)).Code);

    [Fact]
    public void Userinfo_is_rejected_without_echoing_the_password()
    {
        var error = Assert.Throws<RemoteException>(() => RegistryReference.ParseRegistry("docker://me:hunter2@ghcr.io"));

        Assert.Equal(RemoteErrorCodes.InvalidArgument, error.Code);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("docker://alpine", "docker.io", "library/alpine", "https://index.docker.io/v1/")]
    [InlineData("docker://alpine:3.19", "docker.io", "library/alpine", "https://index.docker.io/v1/")]
    [InlineData("docker://someone/tool:latest", "docker.io", "someone/tool", "https://index.docker.io/v1/")]
    [InlineData("docker://ghcr.io/team/app:1.0", "ghcr.io", "team/app", "ghcr.io/team/app")]
    [InlineData("oras://localhost:5000/app@sha256:0123abcd", "localhost:5000", "app", "localhost:5000/app")]
    [InlineData("docker://localhost/app", "localhost", "app", "localhost/app")]
    [InlineData("docker://myreg:5000", "docker.io", "library/myreg", "https://index.docker.io/v1/")]
    [InlineData("docker://localhost:5000", "localhost:5000", "", "localhost:5000")]
    [InlineData("docker://myreg.io:443", "myreg.io:443", "", "myreg.io:443")]
    public void Image_uris_follow_docker_naming(string uri, string registry, string ns, string key)
    {
        var reference = RegistryReference.ParseImage(uri);

        Assert.Equal(registry, reference.Registry);
        Assert.Equal(ns, reference.Namespace);
        Assert.Equal(key, reference.ConfigKey);
    }

    [Fact]
    public void Lookup_keys_run_from_the_full_namespace_down_to_the_registry()
    {
        Assert.Equal(["ghcr.io/team/app", "ghcr.io/team", "ghcr.io"], RegistryReference.ParseImage("docker://ghcr.io/team/app:1").LookupKeys());
        Assert.Equal(["localhost:5000"], RegistryReference.ParseRegistry("docker://localhost:5000").LookupKeys());
        Assert.Equal([RegistryReference.DockerHubConfigKey], RegistryReference.ParseImage("docker://alpine").LookupKeys());
    }

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("LOCALHOST", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("[::1]", true)]
    [InlineData("10.0.0.1", false)]
    [InlineData("localhost.example.com", false)]
    public void Loopback_hosts_are_recognised(string host, bool expected) => Assert.Equal(expected, RegistryReference.IsLoopback(host));
}

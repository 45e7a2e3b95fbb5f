using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Credentials;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Registries;
using DotnetRemote.Core.Tests.Registries;

namespace DotnetRemote.Core.Tests.Credentials;

public class CredentialResolverTests : IDisposable
{
    private readonly TestMachine _home = new();

    public void Dispose() => _home.Dispose();

    private Task<CredentialMatch?> Resolve(string uri) => new CredentialResolver(_home.Context()).ResolveAsync(uri);

    private void Primary(params (string Key, string User, string Password)[] entries) => TestMachine.WriteFile(_home.PrimaryFile, TestMachine.AuthsJson(entries));

    public static TheoryData<string, string, string?> Matching => new()
    {
        // Image URI, expected key ("" for none), expected user.
        { "docker://ghcr.io/team/app:1.0", "ghcr.io/team", "team-user" },
        { "docker://ghcr.io/team/app/sub@sha256:abc", "ghcr.io/team", "team-user" },
        { "docker://ghcr.io/other/app", "ghcr.io", "registry-user" },
        { "oras://ghcr.io/team", "ghcr.io/team", "team-user" },
        { "docker://localhost:5000/app", "localhost:5000", "port-user" },
        { "docker://localhost:5001/app", "", null },
        { "docker://localhost/app", "", null },
        { "docker://alpine", "https://index.docker.io/v1/", "hub-user" },
        { "docker://docker.io/library/alpine:3", "https://index.docker.io/v1/", "hub-user" },
        { "docker://registry-1.docker.io/someone/tool", "https://index.docker.io/v1/", "hub-user" },
        { "docker://myreg.io/app", "https://myreg.io/v2/", "legacy-user" },
        { "docker://MYREG.io/app", "https://myreg.io/v2/", "legacy-user" },
        { "docker://quay.io/app", "", null },
    };

    [Theory]
    [MemberData(nameof(Matching))]
    public async Task The_most_specific_stored_key_wins_and_ports_matter(string uri, string key, string? user)
    {
        Primary(
            ("ghcr.io", "registry-user", "p1"),
            ("ghcr.io/team", "team-user", "p2"),
            ("localhost:5000", "port-user", "p3"),
            (RegistryReference.DockerHubConfigKey, "hub-user", "p4"),
            ("https://myreg.io/v2/", "legacy-user", "p5"));

        var match = await Resolve(uri);

        Assert.Equal(key, match?.Key ?? "");
        Assert.Equal(user, match?.Username);
        if (match is not null)
        {
            Assert.Equal(CredentialSource.AuthFile, match.Source);
            Assert.Equal(_home.PrimaryFile, match.File);
        }
    }

    [Fact]
    public async Task Reasons_explain_prefix_legacy_and_Docker_Hub_matches()
    {
        Primary(("ghcr.io/team", "u", "p"), (RegistryReference.DockerHubConfigKey, "u", "p"), ("https://myreg.io/v2/", "u", "p"));

        Assert.Equal($"\"ghcr.io/team\" is the most specific key in {_home.PrimaryFile} that covers ghcr.io/team/app", (await Resolve("docker://ghcr.io/team/app"))!.Reason);
        Assert.Equal($"the key \"https://myreg.io/v2/\" in {_home.PrimaryFile} names the host myreg.io", (await Resolve("docker://myreg.io/x"))!.Reason);
        Assert.Equal(
            $"{_home.PrimaryFile} has a login under \"https://index.docker.io/v1/\" (Docker Hub logins for docker.io are kept under https://index.docker.io/v1/)",
            (await Resolve("docker://alpine"))!.Reason);
    }

    [Fact]
    public async Task Dockers_own_file_is_the_read_only_fallback()
    {
        Primary(("ghcr.io", "primary-user", "p"));
        TestMachine.WriteFile(_home.FallbackFile, TestMachine.AuthsJson([("ghcr.io", "docker-user", "q"), ("quay.io", "docker-user", "r")]));

        var primary = await Resolve("docker://ghcr.io/app");
        var fallback = await Resolve("docker://quay.io/app");

        Assert.Equal(("primary-user", CredentialSource.AuthFile), (primary!.Username, primary.Source));
        Assert.Equal(("docker-user", "r", CredentialSource.FallbackFile, _home.FallbackFile), (fallback!.Username, fallback.Secret, fallback.Source, fallback.File));
        Assert.StartsWith($"no login in {_home.PrimaryFile}, so Docker's own file is used", fallback.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_auth_file_replaces_the_primary_file_and_disables_the_fallback()
    {
        var authFile = Path.Combine(_home.Root, "auth.json");
        TestMachine.WriteFile(authFile, TestMachine.AuthsJson([("ghcr.io", "ci-user", "p")]));
        TestMachine.WriteFile(_home.FallbackFile, TestMachine.AuthsJson([("quay.io", "docker-user", "r")]));
        var resolver = new CredentialResolver(_home.Context(authFile: authFile));

        Assert.Equal("ci-user", (await resolver.ResolveAsync("docker://ghcr.io/app"))!.Username);
        Assert.Null(await resolver.ResolveAsync("docker://quay.io/app"));
    }

    [Fact]
    public async Task A_broken_primary_file_warns_and_the_fallback_still_serves()
    {
        TestMachine.WriteFile(_home.PrimaryFile, "{ nope");
        TestMachine.WriteFile(_home.FallbackFile, TestMachine.AuthsJson([("ghcr.io", "docker-user", "r")]));

        var match = await Resolve("docker://ghcr.io/app");

        Assert.Equal(CredentialSource.FallbackFile, match!.Source);
        Assert.Contains(_home.PrimaryFile, Assert.Single(_home.Log.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Helpers_serve_registries_by_credHelpers_then_credsStore()
    {
        var named = FakeCredentialHelper.Install(_home, "named");
        FakeCredentialHelper.Install(_home, "global");
        TestMachine.WriteFile(_home.PrimaryFile, """{"auths":{"ghcr.io":{}},"credHelpers":{"ghcr.io":"named"},"credsStore":"global"}""");
        await new CredentialHelperClient("named", _home.Environment).StoreAsync(new HelperCredential("ghcr.io", "helper-user", "helper-secret"));
        await new CredentialHelperClient("global", _home.Environment).StoreAsync(new HelperCredential("quay.io", HelperCredential.IdentityTokenUsername, "refresh"));

        var fromNamed = await Resolve("docker://ghcr.io/team/app");
        var fromGlobal = await Resolve("docker://quay.io/app");

        Assert.Equal(("helper-user", "helper-secret", CredentialSource.Helper, "named", "ghcr.io"), (fromNamed!.Username, fromNamed.Secret, fromNamed.Source, fromNamed.Helper, fromNamed.Key));
        Assert.EndsWith("the secret is kept by docker-credential-named", fromNamed.Reason, StringComparison.Ordinal);
        Assert.Equal(("", "refresh", true, "global"), (fromGlobal!.Username, fromGlobal.Secret, fromGlobal.IsIdentityToken, fromGlobal.Helper));
        Assert.DoesNotContain("helper-secret", FakeCredentialHelper.ArgvLog(named), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_helper_fails_the_lookup()
    {
        FakeCredentialHelper.Install(_home, "broken", "#!/bin/sh\necho 'keychain locked'\nexit 1\n");
        TestMachine.WriteFile(_home.PrimaryFile, """{"credsStore":"broken"}""");

        var error = await Assert.ThrowsAsync<RemoteException>(() => Resolve("docker://ghcr.io/app"));

        Assert.Equal(RemoteErrorCodes.CredentialStore, error.Code);
    }

    public static TheoryData<string[], string, string, string> EnvironmentCases => new()
    {
        { ["APPTAINER_DOCKER_USERNAME=a", "APPTAINER_DOCKER_PASSWORD=pa", "DOCKER_USERNAME=d", "DOCKER_PASSWORD=pd"], "a", "pa", "APPTAINER_DOCKER_USERNAME, APPTAINER_DOCKER_PASSWORD" },
        { ["DOCKER_USERNAME=d", "DOCKER_PASSWORD=pd", "SINGULARITY_DOCKER_USERNAME=s", "SINGULARITY_DOCKER_PASSWORD=ps"], "d", "pd", "DOCKER_USERNAME, DOCKER_PASSWORD" },
        { ["SINGULARITY_DOCKER_USERNAME=s", "SINGULARITY_DOCKER_PASSWORD=ps"], "s", "ps", "SINGULARITY_DOCKER_USERNAME, SINGULARITY_DOCKER_PASSWORD" },
        { ["APPTAINER_DOCKER_USERNAME=a", "DOCKER_PASSWORD=pd"], "a", "pd", "APPTAINER_DOCKER_USERNAME, DOCKER_PASSWORD" },
        { ["DOCKER_PASSWORD=pd"], "", "pd", "DOCKER_PASSWORD" },
    };

    [Theory]
    [MemberData(nameof(EnvironmentCases))]
    public async Task Explicit_environment_credentials_win_over_stored_logins_for_every_host(string[] variables, string user, string secret, string used)
    {
        Primary(("ghcr.io", "stored-user", "stored"));
        foreach (var variable in variables)
        {
            var parts = variable.Split('=');
            _home.SetEnvironment(parts[0], parts[1]);
        }

        foreach (var uri in new[] { "docker://ghcr.io/app", "oras://any.example.com/x" })
        {
            var match = await Resolve(uri);
            Assert.Equal((user, secret, CredentialSource.Environment, used), (match!.Username, match.Secret, match.Source, match.Variable));
            Assert.Contains("apply to every registry", match.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Keyserver_logins_come_from_remote_yaml_with_hkp_normalisation()
    {
        await new RemoteConfigStore(_home.Context()).UpdateUserAsync(merged: false, config =>
        {
            config.Credentials.Add(new CredentialConfig { Uri = "http://keys.example.com:11371", Auth = $"Basic {TestMachine.Basic("kim", "pw:with:colons")}" });
            config.Credentials.Add(new CredentialConfig { Uri = "https://tokens.example.com", Auth = "Bearer tok" });
            return 0;
        });

        var basic = await Resolve("hkp://keys.example.com/pks/lookup");
        var bearer = await Resolve("hkps://tokens.example.com");

        Assert.Equal(("kim", "pw:with:colons", CredentialSource.RemoteConfig, "http://keys.example.com:11371"), (basic!.Username, basic.Secret, basic.Source, basic.Key));
        Assert.Equal(("", "tok"), (bearer!.Username, bearer.Secret));
        Assert.Null(await Resolve("http://keys.example.com"));
    }

    [Fact]
    public async Task Library_uris_and_remote_names_get_the_remotes_token()
    {
        await new RemoteConfigStore(_home.Context()).UpdateUserAsync(merged: false, config =>
        {
            config.Remotes["mine"] = new EndpointConfig { Uri = "cloud.example.com", Token = "lib-token" };
            config.Remotes["empty"] = new EndpointConfig { Uri = "other.example.com" };
            config.Active = "mine";
            return 0;
        });

        var byName = await Resolve("mine");
        var byEntity = await Resolve("library://user/collection/image:tag");
        var byDefault = await Resolve("library:///user/collection/image");

        Assert.Equal(("", "lib-token", CredentialSource.RemoteConfig, "mine", "https://cloud.example.com"), (byName!.Username, byName.Secret, byName.Source, byName.Key, byName.ServerUrl));
        Assert.Equal("mine", byEntity!.Key);
        Assert.Equal("mine", byDefault!.Key);
        Assert.Null(await Resolve("empty"));

        // With a host in the URI Apptainer sends no token at all, not even to the active remote's own host.
        Assert.Null(await Resolve("library://cloud.example.com/user/collection/image:tag"));
        Assert.Null(await Resolve("library://unknown.example.com/a/b/c"));
        Assert.Equal(RemoteErrorCodes.RemoteNotFound, (await Assert.ThrowsAsync<RemoteException>(() => Resolve("nosuchremote"))).Code);
    }

    [Fact]
    public async Task Other_schemes_are_not_supported_and_require_reports_a_missing_credential()
    {
        var unsupported = await Assert.ThrowsAsync<RemoteException>(() => Resolve("ftp://x.example.com"));
        var missing = await Assert.ThrowsAsync<RemoteException>(() => new CredentialResolver(_home.Context()).RequireAsync("docker://ghcr.io/app"));

        Assert.Equal((RemoteErrorCodes.TransportNotSupported, "ftp transport is not supported"), (unsupported.Code, unsupported.Message));
        Assert.Equal((RemoteErrorCodes.CredentialNotFound, "no credentials found for docker://ghcr.io/app"), (missing.Code, missing.Message));
    }

    [Fact]
    public void A_match_never_prints_its_secret()
    {
        var match = new CredentialMatch { ServerUrl = "s", Username = "u", Secret = "hunter2", Source = CredentialSource.AuthFile, Reason = "r" };

        Assert.DoesNotContain("hunter2", match.ToString(), StringComparison.Ordinal);
    }
}

using System.Text.Json.Nodes;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Tests.Registries;

public class DockerConfigFileTests : IDisposable
{
    private readonly TestMachine _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task A_rewrite_keeps_unknown_fields_writes_tabs_and_mode_0600()
    {
        TestMachine.WriteFile(_home.PrimaryFile, """
            {
              "psFormat": "table {{.ID}}",
              "proxies": { "default": { "httpProxy": "http://proxy:3128" } },
              "auths": { "ghcr.io": { "auth": "dXNlcjpwYXNz", "email": "me@example.com" } }
            }
            """);

        await DockerConfigFile.UpdateAsync(_home.PrimaryFile, file =>
        {
            file.SetAuth("localhost:5000", "bob", "s3cr+t/=");
            return Task.FromResult(0);
        });

        var text = File.ReadAllText(_home.PrimaryFile);
        var root = JsonNode.Parse(text)!.AsObject();
        Assert.Equal("table {{.ID}}", (string?)root["psFormat"]);
        Assert.Equal("http://proxy:3128", (string?)root["proxies"]!["default"]!["httpProxy"]);
        Assert.Equal("me@example.com", (string?)root["auths"]!["ghcr.io"]!["email"]);
        Assert.Equal(TestMachine.Basic("bob", "s3cr+t/="), (string?)root["auths"]!["localhost:5000"]!["auth"]);
        Assert.Contains("\n\t\"auths\": {\n\t\t\"ghcr.io\": {", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u002B", text, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_home.PrimaryFile));
    }

    [Fact]
    public async Task A_new_file_gets_a_private_directory_and_an_auths_object()
    {
        var path = Path.Combine(_home.Root, "new-dir", "auth.json");

        await DockerConfigFile.UpdateAsync(path, _ => Task.FromResult(0));

        Assert.Equal("{\n\t\"auths\": {}\n}\n", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public async Task Parallel_writers_lose_no_login()
    {
        var keys = Enumerable.Range(0, 16).Select(i => $"registry{i}.example.com").ToList();

        await Task.WhenAll(keys.Select(key => Task.Run(() => DockerConfigFile.UpdateAsync(_home.PrimaryFile, file =>
        {
            file.SetAuth(key, "u", "p");
            return Task.FromResult(0);
        }))));

        Assert.Equal(keys.Order(), DockerConfigFile.Load(_home.PrimaryFile).Keys.Order());
    }

    [Theory]
    [InlineData("{ \"auths\": { \"ghcr.io\": { \"auth\": ")]
    [InlineData("[1, 2]")]
    [InlineData("{ \"auths\": [] }")]
    public async Task A_broken_file_is_reported_by_name_and_left_untouched(string content)
    {
        TestMachine.WriteFile(_home.PrimaryFile, content);
        var called = false;

        var error = await Assert.ThrowsAsync<ConfigFileException>(() => DockerConfigFile.UpdateAsync(_home.PrimaryFile, _ =>
        {
            called = true;
            return Task.FromResult(0);
        }));

        Assert.Equal(RemoteErrorCodes.ConfigInvalid, error.Code);
        Assert.Contains(_home.PrimaryFile, error.Message, StringComparison.Ordinal);
        Assert.False(called);
        Assert.Equal(content, File.ReadAllText(_home.PrimaryFile));
    }

    [Fact]
    public void Entries_decode_auth_plain_fields_identity_tokens_and_helper_placeholders()
    {
        var file = DockerConfigFile.Parse("config.json", $$"""
            {
              "auths": {
                "a.io": { "auth": "{{TestMachine.Basic("alice", "pa:ss")}}" },
                "b.io": { "username": "bob", "password": "pw" },
                "c.io": { "auth": "{{TestMachine.Basic("carol", "")}}", "identitytoken": "refresh-token" },
                "d.io": {}
              },
              "credsStore": "pass",
              "credHelpers": { "e.io": "ecr-login" }
            }
            """);

        Assert.Equal(new DockerAuthEntry("alice", "pa:ss", false), file.GetEntry("a.io"));
        Assert.Equal(new DockerAuthEntry("bob", "pw", false), file.GetEntry("b.io"));
        Assert.Equal(new DockerAuthEntry("carol", "refresh-token", true), file.GetEntry("c.io"));
        Assert.False(file.GetEntry("d.io")!.HasSecret);
        Assert.Null(file.GetEntry("x.io"));
        Assert.Equal(["a.io", "b.io", "c.io", "d.io"], file.Keys);
        Assert.Equal("ecr-login", file.HelperFor("e.io"));
        Assert.Equal("pass", file.HelperFor("a.io"));
        Assert.Null(file.NamedHelperFor("a.io"));
    }

    [Fact]
    public void A_new_login_replaces_stale_plain_passwords_and_tokens()
    {
        var file = DockerConfigFile.Parse("config.json", """{ "auths": { "a.io": { "username": "old", "password": "old", "identitytoken": "t", "email": "e" } } }""");

        file.SetAuth("a.io", "new", "secret");

        var entry = JsonNode.Parse(file.ToJson())!["auths"]!["a.io"]!.AsObject();
        Assert.Equal(["auth", "email"], entry.Select(p => p.Key).Order());
        Assert.Equal(new DockerAuthEntry("new", "secret", false), file.GetEntry("a.io"));
    }

    [Fact]
    public void An_undecodable_auth_is_an_error_that_does_not_echo_it()
    {
        var file = DockerConfigFile.Parse("config.json", """{ "auths": { "a.io": { "auth": "not base64 secret!" } } }""");

        var error = Assert.Throws<RemoteException>(() => file.GetEntry("a.io"));

        Assert.Equal(RemoteErrorCodes.CredentialStore, error.Code);
        Assert.Contains("a.io", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://myreg.io/v2/", "myreg.io")]
    [InlineData("http://myreg.io:5000", "myreg.io:5000")]
    [InlineData("https://index.docker.io/v1/", "index.docker.io")]
    [InlineData("myreg.io/team", null)]
    [InlineData("myreg.io", null)]
    public void Only_keys_with_a_scheme_have_a_hostname_form(string key, string? expected) =>
        Assert.Equal(expected, DockerConfigFile.SchemeKeyHostname(key));
}

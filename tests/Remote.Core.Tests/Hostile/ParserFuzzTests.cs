using System.Net;
using CsCheck;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Credentials;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Endpoints;
using DotnetRemote.Core.Keyservers;
using DotnetRemote.Core.Manifests;
using DotnetRemote.Core.Registries;
using DotnetRemote.Core.Tests.Manifests;

namespace DotnetRemote.Core.Tests.Hostile;

/// <summary>
/// Every parser against a few thousand hostile inputs (fixed seed, see <see cref="Fuzz"/>): no exception but the
/// engine's own, no case near the time limit, and where a file is involved nothing written after an error.
/// </summary>
public sealed class ParserFuzzTests : IDisposable
{
    private static readonly string[] RemoteYamlSamples = [SampleYaml.V125Example, SampleYaml.HeadExample, SampleYaml.StockSystem];

    private static readonly string[] DockerConfigSamples =
    [
        """{"auths":{"registry.example.com":{"auth":"YWxpY2U6cHc="},"https://index.docker.io/v1/":{}},"credsStore":"pass","credHelpers":{"ghcr.io":"gh"}}""",
        """{"auths":{"ghcr.io/team":{"username":"u","password":"p"},"h:5000":{"identitytoken":"tok"}},"psFormat":"table"}""",
        "{\n\t\"auths\": {}\n}\n",
    ];

    private static readonly string[] ManifestSamples =
    [
        ManifestSandbox.CompanyManifest,
        """
        remotes:
          other:
            uri: https://other.example.com:8443/x
            insecure: true
            keyservers:
              - uri: https://pgp.example.com
                order: 1
              - uri: hkp://keys.example.com
        logins:
          - uri: https://pgp.example.com
            username: ${env:REGISTRY_USER}
            password: ${file:secret.txt}
          - uri: oras://registry.example.com/team
            username: bob
            password: ${env:REGISTRY_PASSWORD}
            insecure: true

        """,
    ];

    private static readonly string[] DiscoverySamples =
    [
        """{"keystoreAPI":{"uri":"https://keys.example.com"},"libraryAPI":{"uri":"https://library.example.com"},"tokenAPI":{"uri":"https://auth.example.com/token"}}""",
        """{"builderAPI":{"uri":"https://build.example.com:8443/"},"consentAPI":{"uri":""},"tokenAPI":{"uri":"http://auth.example.com"}}""",
    ];

    private static readonly string[] UriSamples =
    [
        "docker://registry.example.com:5000/team/app:tag", "oras://ghcr.io/team", "docker://alpine", "https://keys.openpgp.org",
        "hkps://keys.example.com:11371", "library://library.example.com/ns/img", "https://enterprise.example.com:8443/path/",
        "cloud.apptainer.org", "[::1]:5000", "DefaultRemote",
    ];

    private static readonly string[] HeaderSamples =
    [
        "Bearer realm=\"https://auth.example.com/token\",service=\"registry.example.com\",scope=\"repository:a/b:pull\"",
        "Basic realm=\"Registry Realm\", Bearer realm=https://h/t", "Negotiate abc==, Basic realm=\"a,b\"",
    ];

    private static readonly string[] HelperSamples =
    [
        """{"ServerURL":"registry.example.com","Username":"alice","Secret":"pw"}""",
        "registry.example.com", "https://index.docker.io/v1/", "ghcr.io/team", "localhost:5000",
    ];

    private readonly TestMachine _machine = new();

    public void Dispose() => _machine.Dispose();

    [Fact]
    public void Remote_yaml_parser()
    {
        Fuzz.Run(Fuzz.Text(RemoteYamlSamples, Fuzz.YamlTokens), text => RemoteConfigYaml.Parse(text, "/x/remote.yaml"), Fuzz.Show);
    }

    [Fact]
    public void Remote_yaml_store_writes_nothing_after_an_error()
    {
        var store = new RemoteConfigStore(_machine.Context());
        Fuzz.Run(
            Fuzz.Text(RemoteYamlSamples, Fuzz.YamlTokens),
            text =>
            {
                // As a file holds it: UTF-8, a lone surrogate replaced (a file cannot hold one).
                _machine.WriteUser("");
                File.WriteAllBytes(_machine.UserFile, System.Text.Encoding.UTF8.GetBytes(text));
                var before = File.ReadAllBytes(_machine.UserFile);
                try
                {
                    store.UpdateUserAsync(merged: false, config => config.Active = "fuzz").GetAwaiter().GetResult();
                }
                catch (RemoteException)
                {
                    Assert.Equal(before, File.ReadAllBytes(_machine.UserFile));
                    throw;
                }
                finally
                {
                    AssertOnlyFilesAndLocks(_machine.ConfigDir);
                }
            },
            Fuzz.Show,
            cases: 1000,
            stream: 2);
    }

    [Fact]
    public void Docker_config_parser_and_every_reader_of_it()
    {
        Fuzz.Run(
            Fuzz.Bytes(DockerConfigSamples, Fuzz.JsonTokens),
            bytes =>
            {
                var path = Path.Combine(_machine.Root, "docker-config.json");
                File.WriteAllBytes(path, bytes);
                var file = DockerConfigFile.Load(path);
                _ = file.CredsStore;
                foreach (var key in file.Keys)
                {
                    _ = file.HoldsSecret(key);
                    _ = file.HelperFor(key);
                    _ = file.GetEntry(key);
                }

                _ = file.ToJson();
            },
            Fuzz.Show);
    }

    [Fact]
    public void Docker_config_update_writes_nothing_after_an_error()
    {
        var directory = Path.Combine(_machine.Root, "auth");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "docker-config.json");
        Fuzz.Run(
            Fuzz.Bytes(DockerConfigSamples, Fuzz.JsonTokens),
            bytes =>
            {
                File.WriteAllBytes(path, bytes);
                try
                {
                    DockerConfigFile.UpdateAsync(path, file =>
                    {
                        file.SetAuth("registry.example.com", "u", "p");
                        return Task.FromResult(0);
                    }).GetAwaiter().GetResult();
                }
                catch (RemoteException)
                {
                    Assert.Equal(bytes, File.ReadAllBytes(path));
                    throw;
                }
                finally
                {
                    AssertOnlyFilesAndLocks(directory);
                }
            },
            Fuzz.Show,
            cases: 1000,
            stream: 3);
    }

    [Fact]
    public void Manifest_reader_and_apply_write_nothing_after_an_error()
    {
        var pipeline = Path.Combine(_machine.Root, "pipeline");
        Directory.CreateDirectory(pipeline);
        File.WriteAllText(Path.Combine(pipeline, "secret.txt"), "file-secret\n");
        var variables = new Dictionary<string, string>
        {
            ["COMPANY_TOKEN"] = ManifestSandbox.ValidToken,
            ["REGISTRY_USER"] = ManifestSandbox.RegistryUser,
            ["REGISTRY_PASSWORD"] = ManifestSandbox.RegistryPassword,
        };
        var context = _machine.Context();
        Fuzz.Run(
            Fuzz.Text(ManifestSamples, Fuzz.YamlTokens),
            text =>
            {
                var before = Snapshot(_machine.ConfigDir);
                try
                {
                    var manifest = ManifestReader.Parse(text, Path.Combine(pipeline, "remotes.yaml"), name => variables.GetValueOrDefault(name));
                    new ApplyManifest(context).ExecuteAsync(new ApplyManifestOptions(manifest, DryRun: false, NoVerify: true)).GetAwaiter().GetResult();
                }
                catch (RemoteException ex)
                {
                    Assert.Equal(before, Snapshot(_machine.ConfigDir));
                    Assert.DoesNotContain("file-secret", ex.Message, StringComparison.Ordinal);
                    Assert.DoesNotContain(ManifestSandbox.RegistryPassword, ex.Message, StringComparison.Ordinal);
                    throw;
                }
            },
            Fuzz.Show,
            stream: 4);
    }

    [Fact]
    public void Credential_helper_stdin_writes_nothing_and_echoes_no_input_after_an_error()
    {
        var context = _machine.Context();
        var protocol = new CredentialHelperProtocol(context);
        var docker = context.Paths.DockerConfigFile;
        var actions = Gen.OneOf("get", "store", "erase");
        Fuzz.Run(
            Gen.Select(actions, Fuzz.Text(HelperSamples, [.. Fuzz.JsonTokens, .. Fuzz.UriTokens])),
            input =>
            {
                var (action, text) = input;
                var before = File.Exists(docker) ? File.ReadAllBytes(docker) : null;
                using var output = new StringWriter();
                var code = protocol.ServeAsync(action, new StringReader(text), output).GetAwaiter().GetResult();
                if (code != 0)
                {
                    Assert.Equal(before, File.Exists(docker) ? File.ReadAllBytes(docker) : null);
                    Assert.True(output.ToString().Length < 200, output.ToString());
                    Assert.DoesNotContain("\"Secret\"", output.ToString(), StringComparison.Ordinal);
                }
            },
            input => $"{input.Item1} {Fuzz.Show(input.Item2)}",
            stream: 5);
    }

    [Fact]
    public void Www_authenticate_parser()
    {
        Fuzz.Run(Fuzz.Text(HeaderSamples, Fuzz.HeaderTokens), header => _ = AuthChallenge.Parse(header).Select(c => c["realm"]).ToList(), Fuzz.Show);
    }

    [Fact]
    public void Registry_login_against_hostile_challenges_and_token_replies()
    {
        var gen = Gen.Select(Fuzz.Text(HeaderSamples, Fuzz.HeaderTokens), Fuzz.Text(["""{"token":"t","access_token":"a","expires_in":60}"""], Fuzz.JsonTokens));
        Fuzz.Run(
            gen,
            input =>
            {
                var (challenge, tokenReply) = input;
                var web = new FakeHttpHandler(request => request.RequestUri!.AbsolutePath == "/v2/"
                    ? FakeHttpHandler.Status(HttpStatusCode.Unauthorized, challenge)
                    : FakeHttpHandler.Status(HttpStatusCode.OK, json: tokenReply));
                var context = _machine.Context(http: web);
                new RegistryLoginVerifier(context).VerifyAsync(RegistryReference.ParseRegistry("docker://registry.example.com"), "alice", "pw", insecure: false).GetAwaiter().GetResult();
            },
            input => $"{Fuzz.Show(input.Item1)} / {Fuzz.Show(input.Item2)}",
            stream: 6);
    }

    [Fact]
    public void Discovery_documents_and_status_against_a_hostile_server()
    {
        Fuzz.Run(
            Fuzz.Text(DiscoverySamples, Fuzz.JsonTokens),
            body =>
            {
                _ = ServiceDiscovery.ParseServices(body, "library.example.com");
                var web = new FakeHttpHandler()
                    .Respond("https://library.example.com/assets/config/config.prod.json", body)
                    .Respond("https://library.example.com/version", body)
                    .Respond("https://auth.example.com/token/v1/token-status", body);
                var machine = new TestMachine();
                try
                {
                    machine.WriteUser("Active: company\nRemotes:\n  company:\n    URI: library.example.com\n    Token: t\n");
                    var context = machine.Context(http: web);
                    new GetRemoteStatus(context).ExecuteAsync(new GetRemoteStatusOptions("company")).GetAwaiter().GetResult();
                    new GetLoginPassword(context).ExecuteAsync(new GetLoginPasswordOptions()).GetAwaiter().GetResult();
                }
                finally
                {
                    machine.Dispose();
                }
            },
            Fuzz.Show,
            cases: 1500,
            stream: 7);
    }

    [Fact]
    public void Uris_and_ports()
    {
        Fuzz.Run(
            Fuzz.Text(UriSamples, Fuzz.UriTokens),
            uri =>
            {
                Attempt(() => EndpointUri.BaseUrl(EndpointUri.Normalize(uri), insecure: false));
                Attempt(() => RegistryReference.ParseImage(uri).LookupKeys());
                Attempt(() => RegistryReference.ParseRegistry(uri).ConfigKey);
                Attempt(() => KeyserverUri.Normalize(uri));
                Attempt(() => new CredentialResolver(_machine.Context()).ResolveAsync(uri).GetAwaiter().GetResult());
            },
            Fuzz.Show,
            stream: 8);
    }

    /// <summary>Runs one call; its RemoteException is a fine answer, so the next call still runs.</summary>
    private static void Attempt<T>(Func<T> call)
    {
        try
        {
            _ = call();
        }
        catch (RemoteException)
        {
        }
    }

    private static void AssertOnlyFilesAndLocks(string directory)
    {
        var leftovers = Directory.GetFiles(directory).Select(Path.GetFileName).Where(name => name!.EndsWith(".tmp", StringComparison.Ordinal) || name.EndsWith(".journal", StringComparison.Ordinal));
        Assert.Empty(leftovers);
    }

    private static string Snapshot(string directory) =>
        !Directory.Exists(directory)
            ? ""
            : string.Join("\n", Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                .Where(f => !f.EndsWith(".lock", StringComparison.Ordinal))
                .Select(f => $"{f}:{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))}"));
}

using System.Text;
using DotnetRemote.Integration.Tests.Tests.Logins;
using static DotnetRemote.Integration.Tests.Infrastructure.ClientPrograms;

namespace DotnetRemote.Integration.Tests.Tests.Exec;

/// <summary>
/// Inside <c>exec</c>, skopeo and <c>dotnet remote</c> see exactly the declared login (alice on registry-a) and none of the
/// user's (bob on registry-b: in our docker-config.json, ~/.docker/config.json, containers' auth.json and
/// DOCKER_USERNAME/DOCKER_PASSWORD); the user's files are byte-identical afterwards.
/// </summary>
[Collection(Registries.Name)]
public sealed class ExecRegistryTests(RegistryAFixture a, RegistryBFixture b)
{
    private async Task<ExecSandbox> UserWithOwnLoginsAsync()
    {
        await a.EnsureAvailableAsync();
        await b.EnsureAvailableAsync();
        ClientPrograms.Require(Skopeo);
        var sandbox = new ExecSandbox();
        try
        {
            ToolAssert.Succeeded(await RegistryLoginTests.LoginAsync(sandbox.Tool, $"docker://{b.HostPort}", b.Username, b.Password));
            var bobAuth = "{\"auths\":{\"" + b.HostPort + "\":{\"auth\":\"" + Base64($"{b.Username}:{b.Password}") + "\"}}}";
            Write(Path.Combine(sandbox.Tool.Home, ".docker", "config.json"), bobAuth);
            Write(Path.Combine(sandbox.Tool.Home, ".config", "containers", "auth.json"), bobAuth);
            return sandbox;
        }
        catch
        {
            sandbox.Dispose();
            throw;
        }
    }

    private Dictionary<string, string> Environment(ExecSandbox sandbox) => sandbox.Environment(new Dictionary<string, string>
    {
        ["REGISTRY_USER"] = a.Username,
        ["REGISTRY_PASSWORD"] = a.Password,
        ["DOCKER_USERNAME"] = b.Username,
        ["DOCKER_PASSWORD"] = b.Password,
        ["XDG_CONFIG_HOME"] = Path.Combine(sandbox.Tool.Home, ".config"),
    });

    private string Manifest(ExecSandbox sandbox) => sandbox.Manifest($"""
        logins:
          - uri: docker://{a.HostPort}
            username: ${"{"}env:REGISTRY_USER{"}"}
            password: ${"{"}env:REGISTRY_PASSWORD{"}"}
            insecure: true

        """);

    [SkippableFact]
    public async Task Skopeo_pushes_with_the_declared_login_and_not_with_the_users()
    {
        using var sandbox = await UserWithOwnLoginsAsync();
        var image = TinyOciImage.Write(Path.Combine(sandbox.Tool.Root, "image"));
        var before = Snapshot(sandbox);
        var manifest = Manifest(sandbox);

        string[] Push(string registry, string tag) =>
            ["exec", "-f", manifest, "--", Skopeo, "--insecure-policy", "copy", "--retry-times", "0", "--dest-tls-verify=false", image, $"docker://{registry}/it/exec:{tag}"];
        var declared = await sandbox.RunAsync(Push(a.HostPort, "declared"), Environment(sandbox));
        var users = await sandbox.RunAsync(Push(b.HostPort, "users"), Environment(sandbox));

        Assert.True(declared.ExitCode == 0, $"skopeo could not push with the declared login: {declared}");
        Assert.True(users.ExitCode != 0, $"skopeo pushed to registry-b with the user's login from inside exec: {users}");
        Assert.Contains("unauthorized", users.StdErr, StringComparison.OrdinalIgnoreCase);
        ToolAssert.NeverPrinted(declared, a.Password, b.Password);
        Assert.Equal(before, Snapshot(sandbox));
        Assert.Empty(sandbox.Scopes);

        // Outside, the user's logins are still there and still work.
        var outside = await RemoteTool.RunProcessAsync(Skopeo, ["--insecure-policy", "copy", "--retry-times", "0", "--dest-tls-verify=false", image, $"docker://{b.HostPort}/it/exec:outside"], null, Environment(sandbox));
        Assert.True(outside.ExitCode == 0, outside.ToString());
    }

    [SkippableFact]
    public async Task Dotnet_remote_inside_serves_the_declared_login_and_none_of_the_users()
    {
        using var sandbox = await UserWithOwnLoginsAsync();
        var before = Snapshot(sandbox);
        var manifest = Manifest(sandbox);
        var launcher = await RemoteTool.LauncherAsync();

        var declared = await sandbox.RunAsync(["exec", "-f", manifest, "--", .. launcher, "credential", "get", $"docker://{a.HostPort}/it/app"], Environment(sandbox));
        var users = await sandbox.RunAsync(["exec", "-f", manifest, "--", .. launcher, "credential", "get", $"docker://{b.HostPort}/it/app"], Environment(sandbox));
        var list = await sandbox.RunAsync(["exec", "-f", manifest, "--", .. launcher, "registry", "list"], Environment(sandbox));

        Assert.True(declared.ExitCode == 0, declared.ToString());
        Assert.Equal($$"""{"ServerURL":"{{a.HostPort}}","Username":"{{a.Username}}","Secret":"{{a.Password}}"}""" + "\n", declared.StdOut);
        Assert.True(users.ExitCode == 1, $"the user's login to registry-b is visible inside exec: {users}");
        Assert.DoesNotContain(b.Password, users.StdOut, StringComparison.Ordinal);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(a.HostPort, list.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain(b.HostPort, list.StdOut, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(sandbox));

        // --keep-user-state starts from the user's logins: both are served inside, and the user's files stay as they were.
        var kept = await sandbox.RunAsync(["exec", "--keep-user-state", "-f", manifest, "--", .. launcher, "registry", "list"], Environment(sandbox));
        Assert.True(kept.ExitCode == 0, kept.ToString());
        Assert.Contains(a.HostPort, kept.StdOut, StringComparison.Ordinal);
        Assert.Contains(b.HostPort, kept.StdOut, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(sandbox));
        Assert.Empty(sandbox.Scopes);
    }

    [SkippableFact]
    public async Task Docker_pulls_with_the_declared_login_read_from_DOCKER_CONFIG()
    {
        using var sandbox = await UserWithOwnLoginsAsync();
        ClientPrograms.Require(DockerCli);

        // dockerd treats 127.0.0.0/8 as an insecure registry, so registry-a is reached by its loopback address here.
        var loopback = $"127.0.0.2:{a.Port}";
        var manifest = sandbox.Manifest($"""
            logins:
              - uri: docker://{loopback}
                username: ${"{"}env:REGISTRY_USER{"}"}
                password: ${"{"}env:REGISTRY_PASSWORD{"}"}

            """, "loopback.yaml");
        var image = TinyOciImage.Write(Path.Combine(sandbox.Tool.Root, "image"));
        var reference = $"{loopback}/it/docker:{Guid.NewGuid():N}";
        var push = await sandbox.RunAsync(["exec", "-f", manifest, "--", Skopeo, "--insecure-policy", "copy", "--retry-times", "0", "--dest-tls-verify=false", image, $"docker://{reference}"], Environment(sandbox));
        Assert.True(push.ExitCode == 0, push.ToString());

        var outside = await RemoteTool.RunProcessAsync(DockerCli, ["pull", reference], null, Environment(sandbox));
        var inside = await sandbox.RunAsync(["exec", "-f", manifest, "--", DockerCli, "pull", reference], Environment(sandbox));
        await RemoteTool.RunProcessAsync(DockerCli, ["image", "rm", "--force", reference], null, Environment(sandbox));

        Assert.True(outside.ExitCode != 0, $"docker pulled without the login: {outside}");
        Assert.True(inside.ExitCode == 0, $"docker could not pull with the declared login: {inside}");
        ToolAssert.NeverPrinted(inside, a.Password);
        Assert.Empty(sandbox.Scopes);
    }

    private static string Snapshot(ExecSandbox sandbox) => string.Join(
        "\n---\n",
        new[]
        {
            sandbox.Tool.RemoteYaml,
            sandbox.Tool.DockerConfig,
            Path.Combine(sandbox.Tool.Home, ".docker", "config.json"),
            Path.Combine(sandbox.Tool.Home, ".config", "containers", "auth.json"),
        }.Select(path => File.Exists(path) ? File.ReadAllText(path) : "(none)"));

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}

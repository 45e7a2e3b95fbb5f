using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using DotnetRemote.Integration.Tests.Tests.Logins;
using DotnetRemote.Testing;
using static DotnetRemote.Integration.Tests.Infrastructure.ClientPrograms;

namespace DotnetRemote.Integration.Tests.Tests.Exec;

/// <summary>
/// The README's "CI recipes", read from README.md and run as the platforms would: each recipe's `dotnet remote exec`
/// line through bash in a checkout holding the README's manifest and an OCI image, with the variables GitHub Actions,
/// GitLab CI or Azure Pipelines set (the secrets mapped as the recipe maps them). The only change: the README's
/// registry.example.com is registry-a's loopback address (127.0.0.2:PORT, plain HTTP, which dotnet remote allows
/// for loopback like docker; skopeo is told so by the runner's ~/.config/containers/registries.conf). The tool is on PATH as
/// <c>dotnet-remote</c>, as <c>dotnet tool install --global</c> leaves it, so <c>dotnet remote</c> finds it.
/// </summary>
[Collection(Registries.Name)]
public sealed partial class CiRecipeTests(RegistryAFixture a)
{
    private const string ReadmeHost = "registry.example.com";

    private string Host => $"127.0.0.2:{a.Port}";

    [SkippableFact]
    public async Task GitHub_Actions_recipe_masks_the_password_first_and_pushes()
    {
        var recipe = Recipe("# .github/workflows/publish.yml");
        using var checkout = await CheckoutAsync();
        var image = Substitute(Regex.Match(recipe, @"IMAGE: (\S+)").Groups[1].Value);
        const string Sha = "3f1c2a9e8b7d6c5f4e3a2b1c0d9e8f7a6b5c4d3e";

        var result = await checkout.RunAsync(ExecLine(recipe), new Dictionary<string, string>
        {
            ["CI"] = "true",
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_SHA"] = Sha,
            ["GITHUB_WORKSPACE"] = checkout.Directory,
            ["RUNNER_OS"] = "Linux",
            ["IMAGE"] = image,
            ["REGISTRY_USER"] = a.Username,
            ["REGISTRY_PASSWORD"] = a.Password,
        });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith($"::add-mask::{a.Password}\n", result.StdOut, StringComparison.Ordinal);
        AssertSecretOnlyInMaskLines(result, "::add-mask::");
        await AssertPushedAsync(image, Sha);
        checkout.AssertNothingLeft();
    }

    [SkippableFact]
    public async Task GitLab_CI_recipe_imports_DOCKER_AUTH_CONFIG_prints_no_mask_line_and_pushes()
    {
        var recipe = Recipe("# .gitlab-ci.yml");
        using var checkout = await CheckoutAsync();
        var registryImage = $"{Host}/group/project";
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{a.Username}:{a.Password}"));

        var result = await checkout.RunAsync(ExecLine(recipe), new Dictionary<string, string>
        {
            ["CI"] = "true",
            ["GITLAB_CI"] = "true",
            ["CI_REGISTRY_IMAGE"] = registryImage,
            ["CI_COMMIT_SHORT_SHA"] = "3f1c2a9e",
            ["CI_PROJECT_DIR"] = checkout.Directory,
            ["DOCKER_AUTH_CONFIG"] = "{\"auths\":{\"" + Host + "\":{\"auth\":\"" + auth + "\"}}}",
        });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain(result.StdOut.Split('\n'), line => line.StartsWith("::", StringComparison.Ordinal) || line.StartsWith("##vso", StringComparison.Ordinal));
        ToolAssert.NeverPrinted(result, a.Password, auth);
        await AssertPushedAsync(registryImage, "3f1c2a9e");
        checkout.AssertNothingLeft();
    }

    [SkippableFact]
    public async Task Azure_Pipelines_recipe_sets_the_secret_first_and_pushes()
    {
        var recipe = Recipe("# azure-pipelines.yml");
        using var checkout = await CheckoutAsync();
        var image = Substitute(Regex.Match(recipe, @"IMAGE: (\S+)").Groups[1].Value);

        var result = await checkout.RunAsync(ExecLine(recipe), new Dictionary<string, string>
        {
            ["TF_BUILD"] = "True",
            ["BUILD_BUILDID"] = "1234",
            ["BUILD_SOURCESDIRECTORY"] = checkout.Directory,
            ["AGENT_OS"] = "Linux",
            ["IMAGE"] = image,
            ["REGISTRY_USER"] = a.Username,
            ["REGISTRY_PASSWORD"] = a.Password,
        });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith($"##vso[task.setsecret]{a.Password}\n", result.StdOut, StringComparison.Ordinal);
        AssertSecretOnlyInMaskLines(result, "##vso[task.setsecret]");
        await AssertPushedAsync(image, "1234");
        checkout.AssertNothingLeft();
    }

    [Fact]
    public void The_README_has_the_three_recipes_and_their_manifests()
    {
        Assert.Contains("dotnet remote exec -f .ci/registries.yaml --", ExecLine(Recipe("# .github/workflows/publish.yml")), StringComparison.Ordinal);
        Assert.Contains("dotnet remote exec -f .ci/gitlab-registries.yaml --", ExecLine(Recipe("# .gitlab-ci.yml")), StringComparison.Ordinal);
        Assert.Contains("dotnet remote exec -f .ci/registries.yaml --", ExecLine(Recipe("# azure-pipelines.yml")), StringComparison.Ordinal);
        Assert.Contains("${env:REGISTRY_PASSWORD}", Recipe("# .ci/registries.yaml"), StringComparison.Ordinal);
        Assert.Equal("# .ci/gitlab-registries.yaml\ndockerAuthConfig: ${env:DOCKER_AUTH_CONFIG}\n", Recipe("# .ci/gitlab-registries.yaml"));
    }

    /// <summary>The yaml block of README.md's "CI recipes" section that starts with <paramref name="firstLine"/>.</summary>
    private static string Recipe(string firstLine)
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "README.md"));
        var start = readme.IndexOf("\n## CI recipes", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no \"CI recipes\" section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? readme[start..] : readme[start..end];
        var block = YamlBlock().Matches(section).Select(m => m.Groups[1].Value).SingleOrDefault(b => b.StartsWith(firstLine + "\n", StringComparison.Ordinal));
        return block ?? throw new InvalidOperationException($"README.md's CI recipes have no block starting with \"{firstLine}\"");
    }

    /// <summary>The recipe's command from <c>dotnet remote exec</c> to the end of its line (after <c>run:</c>, <c>- </c> or <c>- script:</c>).</summary>
    private static string ExecLine(string recipe)
    {
        var line = recipe.Split('\n').Single(l => l.Contains("dotnet remote exec", StringComparison.Ordinal));
        return line[line.IndexOf("dotnet remote exec", StringComparison.Ordinal)..];
    }

    private string Substitute(string text) => text.Replace(ReadmeHost, Host, StringComparison.Ordinal);

    private void AssertSecretOnlyInMaskLines(ToolResult result, string maskPrefix)
    {
        var lines = result.StdOut.Split('\n');
        Assert.Equal([maskPrefix + a.Password], lines.Where(l => l.Contains(a.Password, StringComparison.Ordinal)));
        Assert.DoesNotContain(a.Password, result.StdErr, StringComparison.Ordinal);
    }

    /// <summary>The registry lists the tag under the image's repository.</summary>
    private async Task AssertPushedAsync(string image, string tag)
    {
        var repository = image[(image.IndexOf('/', StringComparison.Ordinal) + 1)..];
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(a.BaseAddress, $"/v2/{repository}/tags/list"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{a.Username}:{a.Password}")));
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{repository}: {(int)response.StatusCode} {body}");
        Assert.Contains($"\"{tag}\"", body, StringComparison.Ordinal);
    }

    private async Task<Checkout> CheckoutAsync()
    {
        await a.EnsureAvailableAsync();
        ClientPrograms.Require(Skopeo);
        var checkout = new Checkout();
        try
        {
            Directory.CreateDirectory(Path.Combine(checkout.Directory, ".ci"));
            foreach (var manifest in new[] { ".ci/registries.yaml", ".ci/gitlab-registries.yaml" })
            {
                await File.WriteAllTextAsync(Path.Combine(checkout.Directory, manifest), Substitute(Recipe("# " + manifest)));
            }

            TinyOciImage.Write(Path.Combine(checkout.Directory, "build", "image"));

            // The runner's own configuration: this loopback registry speaks plain HTTP.
            Directory.CreateDirectory(Path.GetDirectoryName(checkout.RegistriesConf)!);
            await File.WriteAllTextAsync(checkout.RegistriesConf, $"[[registry]]\nlocation = \"{Host}\"\ninsecure = true\n");

            // `dotnet tool install --global` puts dotnet-remote on PATH; `dotnet remote` runs it.
            var launcher = await RemoteTool.LauncherAsync();
            var shim = Path.Combine(checkout.Bin, "dotnet-remote");
            await File.WriteAllTextAsync(shim, "#!/bin/sh\nexec " + string.Join(' ', launcher.Select(arg => $"'{arg}'")) + " \"$@\"\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(shim, (UnixFileMode)0b111_101_101);
            }
            return checkout;
        }
        catch
        {
            checkout.Dispose();
            throw;
        }
    }

    [GeneratedRegex("```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();

    /// <summary>A runner's checkout: the sandbox, its work folder, a bin folder on PATH.</summary>
    private sealed class Checkout : IDisposable
    {
        private readonly ExecSandbox _sandbox = new();

        public Checkout()
        {
            Directory = Path.Combine(_sandbox.Tool.Root, "checkout");
            Bin = Path.Combine(_sandbox.Tool.Root, "bin");
            System.IO.Directory.CreateDirectory(Directory);
            System.IO.Directory.CreateDirectory(Bin);
        }

        public string Directory { get; }

        public string Bin { get; }

        public string RegistriesConf => Path.Combine(_sandbox.Tool.Home, ".config", "containers", "registries.conf");

        /// <summary><c>bash -e -c COMMAND</c> in the checkout (GitHub's and Azure's default shell on Linux).</summary>
        public async Task<ToolResult> RunAsync(string command, Dictionary<string, string> platform)
        {
            var environment = _sandbox.Environment();
            foreach (var name in new[] { "CI", "GITHUB_ACTIONS", "TF_BUILD", "GITLAB_CI" })
            {
                environment.Remove(name);
            }

            environment["PATH"] = Bin + Path.PathSeparator + environment["PATH"];
            foreach (var (name, value) in platform)
            {
                environment[name] = value;
            }

            var info = new ProcessStartInfo("/bin/bash", ["-e", "-c", command])
            {
                WorkingDirectory = Directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            info.Environment.Clear();
            foreach (var (name, value) in environment)
            {
                info.Environment[name] = value;
            }

            using var running = new RunningTool(Process.Start(info)!);
            return await running.EndAsync();
        }

        /// <summary>No private configuration left, and nothing written to the user's configuration.</summary>
        public void AssertNothingLeft()
        {
            Assert.Empty(_sandbox.Scopes);
            Assert.False(File.Exists(_sandbox.Tool.RemoteYaml), _sandbox.Tool.ReadRemoteYaml());
            Assert.False(File.Exists(_sandbox.Tool.DockerConfig), _sandbox.Tool.ReadDockerConfig());
        }

        public void Dispose() => _sandbox.Dispose();
    }
}

using System.Text;
using System.Text.Json.Nodes;

namespace DotnetRemote.Integration.Tests.Tests.Pipelines;

/// <summary>The library endpoint and the registry a pipeline declares, in one collection of their own.</summary>
[CollectionDefinition(Name)]
public sealed class PipelineServers : ICollectionFixture<LibraryApiFixture>, ICollectionFixture<RegistryAFixture>
{
    public const string Name = "Pipelines";
}

/// <summary>
/// What the samples declare against the fixtures: the remote "company" (library.test, with its token, active) and a
/// login to registry-a.test, with the secrets in COMPANY_TOKEN, REGISTRY_USER and REGISTRY_PASSWORD.
/// </summary>
internal sealed class PipelineDeclaration(LibraryApiFixture library, RegistryAFixture registry)
{
    public LibraryApiFixture Library => library;

    public RegistryAFixture Registry => registry;

    public string RegistryUri => $"docker://{registry.HostPort}";

    /// <summary>The manifest <c>dotnet remote apply</c> and the Cake sample read.</summary>
    public string Manifest => $$"""
        remotes:
          company:
            uri: http://{{library.HostPort}}
            insecure: true
            token: ${env:COMPANY_TOKEN}
            use: true
        logins:
          - uri: {{RegistryUri}}
            username: ${env:REGISTRY_USER}
            password: ${env:REGISTRY_PASSWORD}
            insecure: true

        """;

    /// <summary>Where <see cref="Manifest"/> declares the remote (the line its fields begin) and the login.</summary>
    public const int RemoteLine = 3, LoginLine = 8;

    public string[] Secrets => [library.Token, registry.Password];

    /// <summary>Waits until both servers answer (skips the test where Docker is missing).</summary>
    public async Task EnsureAvailableAsync()
    {
        await library.EnsureAvailableAsync();
        await registry.EnsureAvailableAsync();
    }

    /// <summary>Writes <see cref="Manifest"/> as <c>remotes.yaml</c> in the tool's root; returns its path.</summary>
    public async Task<string> WriteManifestAsync(RemoteTool tool)
    {
        var manifest = Path.Combine(tool.Root, "remotes.yaml");
        await File.WriteAllTextAsync(manifest, Manifest);
        return manifest;
    }

    /// <summary>The pipeline's secret variables, with <paramref name="changes"/> applied (a null value removes the variable).</summary>
    public Dictionary<string, string> Variables(RemoteTool tool, params (string Name, string? Value)[] changes)
    {
        var environment = tool.Environment(new Dictionary<string, string>
        {
            ["COMPANY_TOKEN"] = library.Token,
            ["REGISTRY_USER"] = registry.Username,
            ["REGISTRY_PASSWORD"] = registry.Password,
            ["NUGET_PACKAGES"] = PackedPackages.NuGetCache,
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["UseSharedCompilation"] = "false",
        });
        environment.Remove("GITHUB_ACTIONS");
        environment.Remove("TF_BUILD");
        foreach (var (name, value) in changes)
        {
            if (value is null)
            {
                environment.Remove(name);
            }
            else
            {
                environment[name] = value;
            }
        }

        return environment;
    }

    /// <summary>remote.yaml holds the remote with its token, active, and the registry login; docker-config.json its key.</summary>
    public void AssertApplied(RemoteTool tool)
    {
        var yaml = tool.ReadRemoteYaml();
        Assert.StartsWith("Active: company\n", yaml, StringComparison.Ordinal);
        Assert.Contains($"  company:\n    URI: {library.HostPort}\n    Token: {library.Token}\n", yaml, StringComparison.Ordinal);
        Assert.Contains($"- URI: {RegistryUri}\n", yaml, StringComparison.Ordinal);
        var auth = (string?)DockerAuths(tool)?[registry.HostPort]?["auth"];
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{registry.Username}:{registry.Password}")), auth);
    }

    /// <summary>After <c>logout --all</c>: the remote stays, its token and every login are gone.</summary>
    public void AssertLoggedOut(RemoteTool tool)
    {
        var yaml = tool.ReadRemoteYaml();
        Assert.Contains($"  company:\n    URI: {library.HostPort}\n", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain(library.Token, yaml, StringComparison.Ordinal);
        Assert.DoesNotContain(RegistryUri, yaml, StringComparison.Ordinal);
        Assert.Null(DockerAuths(tool)?[registry.HostPort]);
    }

    /// <summary>Neither remote.yaml nor docker-config.json was written.</summary>
    public static void AssertNothingStored(RemoteTool tool)
    {
        Assert.False(File.Exists(tool.RemoteYaml), $"remote.yaml was written:\n{tool.ReadRemoteYaml()}");
        Assert.False(File.Exists(tool.DockerConfig), "docker-config.json was written");
    }

    /// <summary>The text never holds a secret.</summary>
    public void AssertNoSecret(string text, string what)
    {
        foreach (var secret in Secrets)
        {
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"a secret appears in {what}");
        }
    }

    private static JsonObject? DockerAuths(RemoteTool tool) =>
        File.Exists(tool.DockerConfig) ? JsonNode.Parse(tool.ReadDockerConfig())?["auths"]?.AsObject() : null;
}

using DotnetRemote.Integration.Tests.Tests.Logins;

namespace DotnetRemote.Integration.Tests.Tests.Pipelines;

/// <summary><c>dotnet remote apply -f</c>, the real tool against the library endpoint and the registry.</summary>
[Collection(PipelineServers.Name)]
public sealed class ApplyCommandTests(LibraryApiFixture library, RegistryAFixture registry)
{
    private readonly PipelineDeclaration _pipeline = new(library, registry);

    private async Task<(RemoteTool Tool, string Manifest)> SandboxAsync()
    {
        await _pipeline.EnsureAvailableAsync();
        var tool = new RemoteTool();
        var manifest = await _pipeline.WriteManifestAsync(tool);
        return (tool, manifest);
    }

    [SkippableFact]
    public async Task Apply_stores_everything_and_a_second_apply_changes_nothing()
    {
        var (tool, manifest) = await SandboxAsync();
        using var _ = tool;

        var first = await tool.RunAsync(["apply", "-f", manifest], env: _pipeline.Variables(tool));
        ToolAssert.Succeeded(first);
        _pipeline.AssertApplied(tool);
        var remoteYaml = await File.ReadAllBytesAsync(tool.RemoteYaml);
        var dockerConfig = await File.ReadAllBytesAsync(tool.DockerConfig);

        var second = await tool.RunAsync(["apply", "-f", manifest], env: _pipeline.Variables(tool));
        ToolAssert.Succeeded(second);
        Assert.Equal(remoteYaml, await File.ReadAllBytesAsync(tool.RemoteYaml));
        Assert.Equal(dockerConfig, await File.ReadAllBytesAsync(tool.DockerConfig));
        var rows = second.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(4, rows.Count);
        Assert.All(rows, row => Assert.Contains(" unchanged ", row, StringComparison.Ordinal));
        Assert.Contains("Nothing to change.", second.StdErr, StringComparison.Ordinal);
        foreach (var run in new[] { first, second })
        {
            ToolAssert.NeverPrinted(run, _pipeline.Secrets);
        }
    }

    [SkippableFact]
    public async Task A_missing_variable_names_it_and_its_line_and_writes_nothing()
    {
        var (tool, manifest) = await SandboxAsync();
        using var _ = tool;

        var result = await tool.RunAsync(["apply", "-f", manifest], env: _pipeline.Variables(tool, ("REGISTRY_PASSWORD", null)));

        ToolAssert.FailedWithOneFatal(result, "REGISTRY_PASSWORD", $"{manifest}:10:");
        ToolAssert.NeverPrinted(result, _pipeline.Secrets);
        PipelineDeclaration.AssertNothingStored(tool);
    }

    [SkippableFact]
    public async Task A_wrong_registry_password_writes_nothing_not_even_the_verified_token()
    {
        var (tool, manifest) = await SandboxAsync();
        using var _ = tool;

        var result = await tool.RunAsync(["apply", "-f", manifest], env: _pipeline.Variables(tool, ("REGISTRY_PASSWORD", "not-the-password")));

        ToolAssert.FailedWithOneFatal(result, $"{manifest}:{PipelineDeclaration.LoginLine}:");
        ToolAssert.NeverPrinted(result, [.. _pipeline.Secrets, "not-the-password"]);
        PipelineDeclaration.AssertNothingStored(tool);
    }

    [SkippableFact]
    public async Task On_GitHub_Actions_the_mask_lines_come_first_on_stdout_and_dry_run_writes_nothing()
    {
        var (tool, manifest) = await SandboxAsync();
        using var _ = tool;

        var result = await tool.RunAsync(["apply", "-f", manifest, "--dry-run"], env: _pipeline.Variables(tool, ("GITHUB_ACTIONS", "true")));

        ToolAssert.Succeeded(result);
        // The user name comes from ${env:REGISTRY_USER}: every referenced value is masked (issue 9), after the secrets.
        Assert.StartsWith($"::add-mask::{library.Token}\n::add-mask::{registry.Password}\n::add-mask::{registry.Username}\n", result.StdOut, StringComparison.Ordinal);
        Assert.Equal(2, result.StdOut.Split('\n').Count(line => line.Contains(library.Token, StringComparison.Ordinal) || line.Contains(registry.Password, StringComparison.Ordinal)));
        Assert.Contains("Dry run: nothing was written.", result.StdErr, StringComparison.Ordinal);
        PipelineDeclaration.AssertNothingStored(tool);
    }
}

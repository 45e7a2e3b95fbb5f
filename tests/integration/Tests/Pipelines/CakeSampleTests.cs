using DotnetRemote.Integration.Tests.Fixtures;
using DotnetRemote.Integration.Tests.Infrastructure;
using DotnetRemote.Integration.Tests.Tests.Logins;

namespace DotnetRemote.Integration.Tests.Tests.Pipelines;

/// <summary>
/// samples/cake run by the repository's Cake tool: installs the packed dotnet-remote, applies a manifest, lists, and
/// logs out of everything at teardown.
/// </summary>
[Collection(PipelineServers.Name)]
public sealed class CakeSampleTests(LibraryApiFixture library, RegistryAFixture registry)
{
    private readonly PipelineDeclaration _pipeline = new(library, registry);

    [SkippableFact]
    public async Task The_sample_applies_the_manifest_lists_it_and_logs_out_at_teardown()
    {
        await library.EnsureAvailableAsync();
        await registry.EnsureAvailableAsync();
        using var tool = new RemoteTool();
        var packages = await PackedPackages.FolderAsync();
        var sample = Path.Combine(tool.Root, "cake");
        PackedPackages.CopyTree(Path.Combine(PackedPackages.RepositoryRoot, "samples", "cake"), sample);
        PackedPackages.CopyTree(Path.Combine(PackedPackages.RepositoryRoot, ".config"), Path.Combine(sample, ".config"));
        var nugetConfig = Path.Combine(sample, "nuget.config");
        var manifest = Path.Combine(tool.Root, "remotes.yaml");
        await File.WriteAllTextAsync(manifest, _pipeline.Manifest);
        var environment = _pipeline.Variables(tool);

        // Cake itself comes from the machine's configured feeds; the sample's own `dotnet tool install --add-source` must see only our packages.
        await File.WriteAllTextAsync(nugetConfig, PackedPackages.NuGetConfig(await PackedPackages.ConfiguredSourcesAsync()));
        var restore = await RunInAsync(sample, environment, "tool", "restore");
        Assert.True(restore.ExitCode == 0, $"dotnet tool restore failed: {restore}");
        await File.WriteAllTextAsync(nugetConfig, PackedPackages.NuGetConfig(packages));

        var cake = await RunInAsync(sample, environment, "cake", "build.cake", $"--manifest={manifest}", $"--packages={packages}");

        ToolAssert.Succeeded(cake);
        Assert.Contains(library.HostPort, cake.StdOut, StringComparison.Ordinal);
        Assert.Contains(_pipeline.RegistryUri, cake.StdOut, StringComparison.Ordinal);
        ToolAssert.NeverPrinted(cake, _pipeline.Secrets);
        _pipeline.AssertLoggedOut(tool);
    }

    /// <summary><c>dotnet ARGS</c> with <paramref name="directory"/> as the working directory (through the shell: RunProcessAsync has none).</summary>
    private static Task<ToolResult> RunInAsync(string directory, Dictionary<string, string> environment, params string[] arguments) =>
        RemoteTool.RunProcessAsync("/bin/sh", ["-c", "cd \"$0\" && exec dotnet \"$@\"", directory, .. arguments], null, environment);
}

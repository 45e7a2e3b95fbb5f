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
        await _pipeline.EnsureAvailableAsync();
        using var tool = new RemoteTool();
        var packages = await PackedPackages.FolderAsync();
        var manifest = await _pipeline.WriteManifestAsync(tool);
        var environment = _pipeline.Variables(tool);
        var sample = await CakeSample.PrepareAsync(tool.Root, packages, environment);

        var cake = await CakeSample.RunAsync(sample, environment, "cake", "build.cake", $"--manifest={manifest}", $"--packages={packages}");

        ToolAssert.Succeeded(cake);
        Assert.Contains(library.HostPort, cake.StdOut, StringComparison.Ordinal);
        Assert.Contains(_pipeline.RegistryUri, cake.StdOut, StringComparison.Ordinal);
        ToolAssert.NeverPrinted(cake, _pipeline.Secrets);
        _pipeline.AssertLoggedOut(tool);
    }
}

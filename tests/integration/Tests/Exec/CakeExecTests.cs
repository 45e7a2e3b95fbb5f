using DotnetRemote.Integration.Tests.Tests.Logins;
using DotnetRemote.Integration.Tests.Tests.Pipelines;

namespace DotnetRemote.Integration.Tests.Tests.Exec;

/// <summary>
/// samples/cake's <c>Exec</c> target: the packed tool's <c>exec</c> runs a command with the manifest's logins (verified
/// against the library and registry fixtures); nothing reaches the user's configuration and no folder is left.
/// </summary>
[Collection(PipelineServers.Name)]
public sealed class CakeExecTests(LibraryApiFixture library, RegistryAFixture registry)
{
    private readonly PipelineDeclaration _pipeline = new(library, registry);

    [SkippableFact]
    public async Task The_Exec_target_runs_the_command_inside_the_scope_and_writes_nothing()
    {
        await _pipeline.EnsureAvailableAsync();
        using var sandbox = new ExecSandbox();
        var tool = sandbox.Tool;
        var packages = await PackedPackages.FolderAsync();
        var manifest = await _pipeline.WriteManifestAsync(tool);
        var environment = _pipeline.Variables(tool);
        environment["TMPDIR"] = sandbox.TempDirectory;
        environment.Remove("XDG_RUNTIME_DIR");
        var sample = await CakeSample.PrepareAsync(tool.Root, packages, environment);

        var cake = await CakeSample.RunAsync(sample, environment, "cake", "build.cake", "--target=Exec", $"--manifest={manifest}", $"--packages={packages}",
            "--command=test -n \"$DOTNET_REMOTE_EXEC_DIR\" && .tools/dotnet-remote registry list");

        ToolAssert.Succeeded(cake);
        Assert.Contains(registry.HostPort, cake.StdOut, StringComparison.Ordinal);
        ToolAssert.NeverPrinted(cake, _pipeline.Secrets);
        PipelineDeclaration.AssertNothingStored(tool);
        Assert.Empty(sandbox.Scopes);
    }
}

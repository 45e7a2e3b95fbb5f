using DotnetRemote.Testing;

namespace DotnetRemote.Integration.Tests.Tests.Pipelines;

/// <summary>
/// samples/msbuild built with <c>dotnet build</c> and the packed Remote.MSBuild: the items are applied before Build,
/// verified against the servers, all or nothing, and no secret reaches the console or the binary log.
/// </summary>
[Collection(PipelineServers.Name)]
public sealed class MSBuildSampleTests(LibraryApiFixture library, RegistryAFixture registry)
{
    /// <summary>One copy of the sample per run (restored once, then built incrementally by every test).</summary>
    private static readonly Lazy<Task<string>> SampleProject = new(CopySampleAsync);

    private readonly PipelineDeclaration _pipeline = new(library, registry);

    [SkippableFact]
    public async Task Build_applies_the_items_and_neither_console_nor_binlog_holds_a_secret()
    {
        using var tool = await SandboxAsync();
        var binlog = Path.Combine(tool.Root, "build.binlog");

        var build = await BuildAsync(_pipeline.Variables(tool), binlog);

        Assert.True(build.ExitCode == 0, $"dotnet build failed: {build}");
        _pipeline.AssertApplied(tool);
        Assert.Contains("dotnet remote: remote company: add", build.StdOut, StringComparison.Ordinal);
        _pipeline.AssertNoSecret(build.StdOut + build.StdErr, "the build's console output");

        var replayLog = Path.Combine(tool.Root, "replay.log");
        var replay = await RemoteTool.RunProcessAsync("dotnet", ["msbuild", binlog, "-noconlog", $"-flp:logfile={replayLog};verbosity=diagnostic"], null, _pipeline.Variables(tool));
        Assert.True(replay.ExitCode == 0, $"binlog replay failed: {replay}");
        var replayed = await File.ReadAllTextAsync(replayLog);
        Assert.Contains("Task \"RemoteApply\"", replayed, StringComparison.Ordinal);
        _pipeline.AssertNoSecret(replayed, "the replayed binlog");
    }

    public static TheoryData<string, string?, string> Failures => new()
    {
        { "COMPANY_TOKEN", "not-the-token-0123456789", "RemoteEndpoint 'company'" },
        { "REGISTRY_PASSWORD", "not-the-password", "RemoteLogin 'docker://{registry}'" },
        { "REGISTRY_PASSWORD", null, "RemoteLogin 'docker://{registry}'" },
    };

    [SkippableTheory]
    [MemberData(nameof(Failures))]
    public async Task A_wrong_or_missing_secret_fails_the_build_naming_the_item_and_stores_nothing(string variable, string? value, string item)
    {
        using var tool = await SandboxAsync();
        var expectedItem = item.Replace("{registry}", registry.HostPort, StringComparison.Ordinal);

        // In CI (CI=true) a missing secret is an error; outside CI it is a warning (MSBuildIncrementalTests).
        var build = await BuildAsync(_pipeline.Variables(tool, (variable, value), ("CI", "true")), Path.Combine(tool.Root, "build.binlog"));

        Assert.True(build.ExitCode != 0, $"the build succeeded: {build}");
        var errors = build.StdOut.Split('\n').Where(line => line.Contains("error RMT", StringComparison.Ordinal)).Distinct().ToList();
        Assert.True(errors.Count > 0 && errors.All(line => line.Contains(expectedItem, StringComparison.Ordinal)), $"no RMT error naming {expectedItem}: {build}");
        PipelineDeclaration.AssertNothingStored(tool);
        _pipeline.AssertNoSecret(build.StdOut + build.StdErr, "the build's console output");
    }

    [SkippableFact]
    public async Task With_RemoteApplyEnabled_false_the_build_applies_nothing_and_needs_no_secret()
    {
        using var tool = await SandboxAsync();
        var noSecrets = _pipeline.Variables(tool, ("COMPANY_TOKEN", null), ("REGISTRY_USER", null), ("REGISTRY_PASSWORD", null));

        var build = await BuildAsync(noSecrets, Path.Combine(tool.Root, "build.binlog"), "-p:RemoteApplyEnabled=false");

        Assert.True(build.ExitCode == 0, $"dotnet build failed: {build}");
        Assert.DoesNotContain("dotnet remote:", build.StdOut, StringComparison.Ordinal);
        PipelineDeclaration.AssertNothingStored(tool);
    }

    private async Task<RemoteTool> SandboxAsync()
    {
        await _pipeline.EnsureAvailableAsync();
        return new RemoteTool();
    }

    private async Task<ToolResult> BuildAsync(Dictionary<string, string> environment, string binlog, params string[] extraArguments)
    {
        var project = await SampleProject.Value;
        return await RemoteTool.RunProcessAsync(
            "dotnet",
            [
                "build", project, $"-bl:{binlog}", "-nologo", "-nodeReuse:false",
                $"-p:CompanyRemoteUri=http://{library.HostPort}", "-p:CompanyRemoteInsecure=true",
                $"-p:RegistryUri={_pipeline.RegistryUri}", "-p:RegistryInsecure=true",
                .. extraArguments,
            ],
            null,
            environment);
    }

    private static async Task<string> CopySampleAsync()
    {
        var packages = await PackedPackages.FolderAsync();
        var directory = PackedPackages.TempFolder("msbuild-sample");
        PackedPackages.CopyTree(Path.Combine(RepositoryFiles.Root, "samples", "msbuild"), directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "nuget.config"), PackedPackages.NuGetConfig(packages));
        return Path.Combine(directory, "SampleApp.csproj");
    }
}

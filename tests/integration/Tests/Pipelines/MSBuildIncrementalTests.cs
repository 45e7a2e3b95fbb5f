namespace DotnetRemote.Integration.Tests.Tests.Pipelines;

/// <summary>
/// Remote.MSBuild's incremental RemoteApply with real servers behind counting proxies: an unchanged project builds
/// with the servers down and opens no connection; a changed secret is verified again (a wrong one fails); outside
/// CI a missing secret is one warning; a multi-targeted project verifies once.
/// </summary>
[Collection(PipelineServers.Name)]
public sealed class MSBuildIncrementalTests(LibraryApiFixture library, RegistryAFixture registry) : IDisposable
{
    private readonly PipelineDeclaration _pipeline = new(library, registry);
    private CountingProxy? _library;
    private CountingProxy? _registry;

    private int Connections => _library!.Connections + _registry!.Connections;

    public void Dispose()
    {
        _library?.Dispose();
        _registry?.Dispose();
    }

    [SkippableFact]
    public async Task Two_builds_in_a_row_the_second_with_the_servers_down_succeed_and_the_second_connects_nowhere()
    {
        using var tool = await SandboxAsync();
        var project = await ProjectAsync(tool, "net10.0");

        var first = await BuildAsync(project, _pipeline.Variables(tool));
        Assert.True(first.ExitCode == 0, $"first build failed: {first}");
        Assert.True(_library!.Connections > 0 && _registry!.Connections > 0, "the first build verified nothing");
        var stored = (tool.ReadRemoteYaml(), tool.ReadDockerConfig());
        Assert.Contains("Token: " + library.Token, stored.Item1, StringComparison.Ordinal);

        _library.Stop();
        _registry.Stop();
        var before = Connections;
        var second = await BuildAsync(project, _pipeline.Variables(tool));

        Assert.True(second.ExitCode == 0, $"the unchanged build failed with the servers down: {second}");
        Assert.Equal(before, Connections);
        Assert.Contains("RemoteApply: unchanged since", second.StdOut, StringComparison.Ordinal);
        Assert.Equal(stored, (tool.ReadRemoteYaml(), tool.ReadDockerConfig()));
        _pipeline.AssertNoSecret(first.StdOut + second.StdOut, "the build output");
    }

    [SkippableFact]
    public async Task A_changed_secret_is_verified_again_and_a_wrong_one_fails_the_build_storing_nothing()
    {
        using var tool = await SandboxAsync();
        var project = await ProjectAsync(tool, "net10.0");
        Assert.True((await BuildAsync(project, _pipeline.Variables(tool))).ExitCode == 0);
        var stored = (tool.ReadRemoteYaml(), tool.ReadDockerConfig());
        var before = _registry!.Connections;

        var wrong = await BuildAsync(project, _pipeline.Variables(tool, ("REGISTRY_PASSWORD", "not-the-password")));

        Assert.True(wrong.ExitCode != 0, $"a wrong password built: {wrong}");
        Assert.True(_registry.Connections > before, "the changed secret was not verified");
        Assert.Contains("error RMT0040", wrong.StdOut, StringComparison.Ordinal);
        Assert.Equal(stored, (tool.ReadRemoteYaml(), tool.ReadDockerConfig()));

        // The right secret again: the stamp still matches the store, nothing to verify.
        var total = Connections;
        var again = await BuildAsync(project, _pipeline.Variables(tool));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(total, Connections);
    }

    [SkippableFact]
    public async Task Outside_CI_a_missing_secret_is_one_RMT0061_warning_and_the_build_succeeds()
    {
        using var tool = await SandboxAsync();
        var project = await ProjectAsync(tool, "net10.0");
        var environment = _pipeline.Variables(tool, ("REGISTRY_PASSWORD", null), ("CI", null), ("GITLAB_CI", null));

        var build = await BuildAsync(project, environment);

        Assert.True(build.ExitCode == 0, $"the build failed: {build}");
        // The console logger repeats a warning (with and without the node prefix and project suffix): count distinct ones.
        var warnings = build.StdOut.Split('\n').Where(l => l.Contains("warning RMT", StringComparison.Ordinal))
            .Select(l => l[l.IndexOf('/', StringComparison.Ordinal)..].Split(" [", 2)[0].Trim()).Distinct().ToList();
        var warning = Assert.Single(warnings);
        Assert.StartsWith($"{project}(8", warning, StringComparison.Ordinal);
        Assert.Contains("warning RMT0061: RemoteLogin", warning, StringComparison.Ordinal);
        Assert.Equal(0, Connections);
        PipelineDeclaration.AssertNothingStored(tool);

        var inCi = await BuildAsync(project, _pipeline.Variables(tool, ("REGISTRY_PASSWORD", null), ("CI", "true")));
        Assert.True(inCi.ExitCode != 0, $"in CI a missing secret built: {inCi}");
        Assert.Contains("error RMT0061", inCi.StdOut, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_multi_targeted_project_verifies_once()
    {
        using var single = await SandboxAsync();
        var singleBuild = await BuildAsync(await ProjectAsync(single, "net10.0"), _pipeline.Variables(single));
        Assert.True(singleBuild.ExitCode == 0, singleBuild.ToString());
        var oneVerification = Connections;

        using var tool = new RemoteTool();
        var project = await ProjectAsync(tool, "net10.0;net10.0-browser");
        var build = await BuildAsync(project, _pipeline.Variables(tool));

        Assert.True(build.ExitCode == 0, $"the multi-targeted build failed: {build}");
        Assert.Equal(1, Count(build.StdOut, "RemoteApply: verifying and applying"));
        Assert.Equal(2, Count(build.StdOut, "RemoteApply: unchanged since"));
        Assert.Equal(oneVerification, Connections - oneVerification);
        var yaml = tool.ReadRemoteYaml();
        Assert.StartsWith("Active: company\n", yaml, StringComparison.Ordinal);
        Assert.Contains($"  company:\n    URI: 127.0.0.1:{_library!.Port}\n    Token: {library.Token}\n", yaml, StringComparison.Ordinal);
        Assert.Contains($"- URI: docker://127.0.0.1:{_registry!.Port}\n", yaml, StringComparison.Ordinal);
    }

    private static int Count(string text, string what) =>
        text.Split('\n').Count(line => line.Contains(what, StringComparison.Ordinal));

    private async Task<RemoteTool> SandboxAsync()
    {
        await _pipeline.EnsureAvailableAsync();
        _library ??= new CountingProxy("127.0.0.1", library.Port);
        _registry ??= new CountingProxy("127.0.0.1", registry.Port);
        return new RemoteTool();
    }

    /// <summary>A class library declaring the pipeline's items against the proxies, restored from the packed Remote.MSBuild.</summary>
    private async Task<string> ProjectAsync(RemoteTool tool, string targetFrameworks)
    {
        var packages = await PackedPackages.FolderAsync();
        var directory = Path.Combine(tool.Root, "project");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "nuget.config"), PackedPackages.NuGetConfig(packages));
        await File.WriteAllTextAsync(Path.Combine(directory, "Library.cs"), "namespace Pipeline;\n\npublic static class Marker\n{\n}\n");
        var project = Path.Combine(directory, "Pipeline.csproj");
        await File.WriteAllTextAsync(project, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFrameworks>{targetFrameworks}</TargetFrameworks>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Remote.MSBuild" Version="0.1.0" PrivateAssets="all" />
                <RemoteEndpoint Include="company" Uri="http://127.0.0.1:{_library!.Port}" TokenEnvironmentVariable="COMPANY_TOKEN" Insecure="true" Use="true" />
                <RemoteLogin Include="docker://127.0.0.1:{_registry!.Port}" UsernameEnvironmentVariable="REGISTRY_USER" PasswordEnvironmentVariable="REGISTRY_PASSWORD" Insecure="true" />
              </ItemGroup>
            </Project>
            """);
        return project;
    }

    private static Task<ToolResult> BuildAsync(string project, Dictionary<string, string> environment) =>
        RemoteTool.RunProcessAsync("dotnet", ["build", project, "-nologo", "-nodeReuse:false", "-v:n", "-clp:NoSummary"], null, environment);
}

using DotnetRemote.Integration.Tests.Tests.Logins;
using DotnetRemote.Integration.Tests.Tests.Pipelines;
using static DotnetRemote.Integration.Tests.Infrastructure.ClientPrograms;

namespace DotnetRemote.Integration.Tests.Tests.Exec;

/// <summary>
/// The packed Remote.MSBuild's <c>RemoteExec</c> task in a real <c>dotnet msbuild</c>: skopeo pushes with the
/// manifest's login (verified against the fixtures); no secret in the console or the binlog; nothing stored; no folder left.
/// </summary>
[Collection(PipelineServers.Name)]
public sealed class MSBuildExecTests(LibraryApiFixture library, RegistryAFixture registry)
{
    private readonly PipelineDeclaration _pipeline = new(library, registry);

    [SkippableFact]
    public async Task RemoteExec_pushes_with_the_manifests_login_and_leaves_nothing()
    {
        await _pipeline.EnsureAvailableAsync();
        ClientPrograms.Require(Skopeo);
        using var sandbox = new ExecSandbox();
        var tool = sandbox.Tool;
        var packages = await PackedPackages.FolderAsync();
        var project = Path.Combine(tool.Root, "pipeline");
        Directory.CreateDirectory(project);
        await File.WriteAllTextAsync(Path.Combine(project, "nuget.config"), PackedPackages.NuGetConfig(packages));
        await File.WriteAllTextAsync(Path.Combine(project, "remotes.yaml"), _pipeline.Manifest);
        TinyOciImage.Write(Path.Combine(project, "image"));
        await File.WriteAllTextAsync(Path.Combine(project, "Pipeline.csproj"), $$"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Remote.MSBuild" Version="0.1.0" PrivateAssets="all" />
              </ItemGroup>
              <Target Name="PushImage">
                <RemoteExec Manifest="remotes.yaml" Command="{{Skopeo}} --insecure-policy copy --retry-times 0 --dest-tls-verify=false oci:image:latest docker://{{registry.HostPort}}/it/msbuild:1">
                  <Output TaskParameter="ExitCode" PropertyName="PushExitCode" />
                </RemoteExec>
                <Message Importance="high" Text="push exit code: $(PushExitCode)" />
              </Target>
            </Project>
            """);
        var environment = _pipeline.Variables(tool);
        environment["TMPDIR"] = sandbox.TempDirectory;
        environment.Remove("XDG_RUNTIME_DIR");
        var binlog = Path.Combine(tool.Root, "exec.binlog");

        var build = await RemoteTool.RunProcessAsync("dotnet", ["msbuild", Path.Combine(project, "Pipeline.csproj"), "-restore", "-t:PushImage", $"-bl:{binlog}", "-nologo", "-nodeReuse:false"], null, environment);

        Assert.True(build.ExitCode == 0, $"dotnet msbuild failed: {build}");
        Assert.Contains("Writing manifest to image destination", build.StdOut, StringComparison.Ordinal);
        Assert.Contains("push exit code: 0", build.StdOut, StringComparison.Ordinal);
        _pipeline.AssertNoSecret(build.StdOut + build.StdErr, "the build's console output");
        var replayLog = Path.Combine(tool.Root, "replay.log");
        var replay = await RemoteTool.RunProcessAsync("dotnet", ["msbuild", binlog, "-noconlog", $"-flp:logfile={replayLog};verbosity=diagnostic"], null, environment);
        Assert.True(replay.ExitCode == 0, $"binlog replay failed: {replay}");
        var replayed = await File.ReadAllTextAsync(replayLog);
        Assert.Contains("Task \"RemoteExec\"", replayed, StringComparison.Ordinal);
        _pipeline.AssertNoSecret(replayed, "the replayed binlog");
        PipelineDeclaration.AssertNothingStored(tool);
        Assert.Empty(sandbox.Scopes);
    }
}

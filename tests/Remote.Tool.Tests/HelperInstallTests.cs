using System.Diagnostics;
using DotnetRemote.Tool.Tests.TestSupport;

namespace DotnetRemote.Tool.Tests;

/// <summary>
/// <c>credential-helper install</c>: says when the folder is not on PATH, and from a local tool (run out of the NuGet
/// package cache) refuses without <c>--dir</c> or copies the tool there, so a cache clean does not break docker.
/// </summary>
public sealed class HelperInstallTests : IDisposable
{
    private static readonly string[] ToolFiles =
        ["dotnet-remote.dll", "dotnet-remote.runtimeconfig.json", "dotnet-remote.deps.json", "Remote.Core.dll", "System.CommandLine.dll", "YamlDotNet.dll"];

    private readonly TestMachine _machine = new();

    public void Dispose() => _machine.Dispose();

    [Fact]
    public async Task A_folder_not_on_PATH_is_named_in_a_warning()
    {
        var folder = Path.Combine(_machine.Root, "not-on-path");

        var result = await ToolProcess.RunAsync(_machine.Variables, "credential-helper", "install", "--dir", folder);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"WARNING: {folder} is not on PATH", result.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, "docker-credential-dotnet-remote")));
    }

    [Fact]
    public async Task A_folder_on_PATH_gets_no_warning()
    {
        var folder = Path.Combine(_machine.Root, "bin");
        var variables = new Dictionary<string, string>(_machine.Variables) { ["PATH"] = folder + ":" + Environment.GetEnvironmentVariable("PATH") };

        var result = await ToolProcess.RunAsync(variables, "credential-helper", "install", "--dir", folder);

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("WARNING", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_local_tool_without_dir_is_refused_with_a_message_naming_dir()
    {
        var (cache, dll) = LocalToolInCache();

        var result = await RunAsync(cache, dll, null, "credential-helper", "install");

        Assert.Equal(255, result.ExitCode);
        Assert.Contains("pass --dir DIR", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(cache, "docker-credential-*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_local_tool_with_dir_gets_a_launcher_that_survives_a_cache_clean()
    {
        var (cache, dll) = LocalToolInCache();
        var folder = Path.Combine(_machine.Root, "bin");
        Directory.CreateDirectory(_machine.ConfigDir);
        File.WriteAllText(Path.Combine(_machine.ConfigDir, "docker-config.json"), """{"auths":{"registry.example.com":{"auth":"YWxpY2U6czNjcjN0"}}}""");

        var install = await RunAsync(cache, dll, null, "credential-helper", "install", "--dir", folder);
        Assert.True(install.ExitCode == 0, install.ToString());
        var launcher = Path.Combine(folder, "docker-credential-dotnet-remote");
        Assert.DoesNotContain(cache, File.ReadAllText(launcher), StringComparison.Ordinal);

        Directory.Delete(cache, recursive: true);
        var get = await RunAsync(null, launcher, "registry.example.com", "get");

        Assert.Equal(new CliResult(0, "{\"ServerURL\":\"registry.example.com\",\"Username\":\"alice\",\"Secret\":\"s3cr3t\"}\n", ""), get);
    }

    /// <summary>The built tool copied into a fake NuGet cache, as <c>dotnet tool run</c> starts a local tool.</summary>
    private (string Cache, string Dll) LocalToolInCache()
    {
        var cache = Path.Combine(_machine.Root, "nuget-packages");
        var tool = Path.Combine(cache, "remote.tool", "0.1.0", "tools", "net10.0", "any");
        Directory.CreateDirectory(tool);
        foreach (var file in ToolFiles.Where(f => File.Exists(Path.Combine(AppContext.BaseDirectory, f))))
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, file), Path.Combine(tool, file));
        }

        return (cache, Path.Combine(tool, "dotnet-remote.dll"));
    }

    /// <summary>Runs the dll with the dotnet host (or a launcher script directly) with the sandbox's variables.</summary>
    private async Task<CliResult> RunAsync(string? cache, string program, string? stdin, params string[] args)
    {
        var dll = program.EndsWith(".dll", StringComparison.Ordinal);
        var start = ToolProcess.StartInfo(dll ? ToolProcess.DotnetHost : program, dll ? [program, .. args] : args, _machine.Variables);
        if (cache is not null)
        {
            start.Environment["NUGET_PACKAGES"] = cache;
        }

        return await ToolProcess.WaitAsync(Process.Start(start)!, stdin ?? "");
    }
}

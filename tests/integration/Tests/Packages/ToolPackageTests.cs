using System.IO.Compression;
using System.Text.Json.Nodes;

namespace DotnetRemote.Integration.Tests.Tests.Packages;

/// <summary>
/// The packed packages as a user gets them: what files the tool packages carry (no symbols, no XML docs, a README),
/// and the portable <c>any</c> package installed and run on a .NET 10 runtime older than the SDK's own.
/// </summary>
public sealed class ToolPackageTests
{
    private static readonly string[] NotInToolPackages = [".pdb", ".dbg", ".xml"];

    [Fact]
    public async Task The_tool_packages_carry_the_program_a_readme_and_nothing_else()
    {
        var packages = await PackedPackages.FolderAsync();
        var tool = Directory.GetFiles(packages, "Remote.Tool.*.nupkg");
        Assert.Contains(tool, p => Path.GetFileName(p).StartsWith("Remote.Tool.any.", StringComparison.Ordinal));
        Assert.Contains(tool, p => Path.GetFileName(p).StartsWith("Remote.Tool.linux-x64.", StringComparison.Ordinal));

        foreach (var package in tool)
        {
            var files = Entries(package);
            Assert.Contains("README.md", files);
            var unwanted = files.Where(f => f.StartsWith("tools/", StringComparison.Ordinal) && NotInToolPackages.Contains(Path.GetExtension(f)) && !f.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal)).ToList();
            Assert.True(unwanted.Count == 0, $"{Path.GetFileName(package)} carries {string.Join(", ", unwanted)}");
            Assert.DoesNotContain(files, f => f.EndsWith(".resources.dll", StringComparison.Ordinal));
        }

        var native = Entries(tool.Single(p => Path.GetFileName(p).StartsWith("Remote.Tool.linux-x64.", StringComparison.Ordinal)));
        Assert.Equal(["tools/any/linux-x64/DotnetToolSettings.xml", "tools/any/linux-x64/docker-credential-dotnet-remote", "tools/any/linux-x64/dotnet-remote"], native.Where(f => f.StartsWith("tools/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));

        var portable = tool.Single(p => Path.GetFileName(p).StartsWith("Remote.Tool.any.", StringComparison.Ordinal));
        Assert.Equal(
            ["DotnetToolSettings.xml", "Remote.Core.dll", "System.CommandLine.dll", "YamlDotNet.dll", "dotnet-remote.deps.json", "dotnet-remote.dll", "dotnet-remote.runtimeconfig.json"],
            Entries(portable).Where(f => f.StartsWith("tools/net10.0/any/", StringComparison.Ordinal)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var runtimeConfig = JsonNode.Parse(ReadEntry(portable, "tools/net10.0/any/dotnet-remote.runtimeconfig.json"))!["runtimeOptions"]!;
        Assert.Equal("10.0.0", (string?)runtimeConfig["framework"]!["version"]);
        Assert.Equal("Major", (string?)runtimeConfig["rollForward"]);
    }

    [Fact]
    public async Task The_MSBuild_package_carries_its_targets_for_single_and_multi_targeted_projects_and_its_own_readme()
    {
        var package = Directory.GetFiles(await PackedPackages.FolderAsync(), "Remote.MSBuild.*.nupkg").Single();
        var files = Entries(package);

        foreach (var expected in (string[])["README.md", "build/Remote.MSBuild.props", "build/Remote.MSBuild.targets", "buildMultiTargeting/Remote.MSBuild.props",
                     "buildMultiTargeting/Remote.MSBuild.targets", "tasks/net10.0/Remote.MSBuild.dll", "tasks/net10.0/Remote.Core.dll", "tasks/net10.0/YamlDotNet.dll"])
        {
            Assert.Contains(expected, files);
        }

        Assert.DoesNotContain(files, f => f.StartsWith("lib/", StringComparison.Ordinal));
        Assert.Contains("<RemoteEndpoint Include=", ReadEntry(package, "README.md"), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task The_portable_package_runs_on_an_older_NET_10_runtime()
    {
        var (sdkRoot, installed) = await InstalledRuntimeAsync();
        Skip.If(installed.Build <= 0, "the installed runtime is 10.0.0: nothing older to try");
        var older = new Version(10, 0, installed.Build - 1);
        var work = PackedPackages.TempFolder("older-runtime");
        var runtime = await DownloadRuntimeAsync(work, older);
        Skip.If(runtime is null && System.Environment.GetEnvironmentVariable("CI") is not ("true" or "True" or "1"),
            $"the runtime pack Microsoft.NETCore.App.Runtime.linux-x64 {older} could not be downloaded (no package feed)");
        Assert.NotNull(runtime);

        // A private dotnet root holding only the older runtime: the SDK's muxer and hostfxr, the pack's runtime files.
        var root = Path.Combine(work, "dotnet");
        var framework = Path.Combine(root, "shared", "Microsoft.NETCore.App", older.ToString());
        PackedPackages.CopyTree(Path.Combine(sdkRoot, "host"), Path.Combine(root, "host"));
        File.Copy(Path.Combine(sdkRoot, "dotnet"), Path.Combine(root, "dotnet"));
        PackedPackages.CopyTree(Path.Combine(runtime, "lib", "net10.0"), framework);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(runtime, "native")))
        {
            File.Copy(file, Path.Combine(framework, Path.GetFileName(file)), overwrite: true);
        }

        // The portable package itself (dotnet tool install on linux-x64 would pick the native one).
        var toolPath = Path.Combine(work, "tool");
        var install = await RemoteTool.RunProcessAsync("dotnet", ["tool", "install", "--tool-path", toolPath, "--add-source", await PackedPackages.FolderAsync(), "Remote.Tool.any"], null, ProcessEnvironment(work));
        Assert.True(install.ExitCode == 0, $"dotnet tool install Remote.Tool.any failed: {install}");

        using var sandbox = new RemoteTool();
        var trace = Path.Combine(work, "host-trace.txt");
        var run = await RemoteTool.RunProcessAsync(Path.Combine(toolPath, "dotnet-remote"), ["list"], null, sandbox.Environment(new Dictionary<string, string>
        {
            ["DOTNET_ROOT"] = root,
            ["DOTNET_ROOT_X64"] = root,
            ["DOTNET_MULTILEVEL_LOOKUP"] = "0",
            ["COREHOST_TRACE"] = "1",
            ["COREHOST_TRACEFILE"] = trace,
        }));

        Assert.True(run.ExitCode == 0, $"dotnet-remote on .NET {older} failed: {run}");
        Assert.StartsWith("Cloud Services Endpoints\n", run.StdOut, StringComparison.Ordinal);
        var chosen = (await File.ReadAllLinesAsync(trace)).Where(line => line.StartsWith("Chose FX version", StringComparison.Ordinal)).ToList();
        Assert.True(chosen.SequenceEqual([$"Chose FX version [{framework}]"]), $"the host chose: {string.Join("; ", chosen)} (expected {framework})");
    }

    private static List<string> Entries(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        return [.. zip.Entries.Select(e => e.FullName)];
    }

    private static string ReadEntry(string package, string name)
    {
        using var zip = ZipFile.OpenRead(package);
        using var reader = new StreamReader(zip.GetEntry(name)!.Open());
        return reader.ReadToEnd();
    }

    /// <summary>This process's environment (the machine's NuGet settings included) with the run's own package cache.</summary>
    private static Dictionary<string, string> ProcessEnvironment(string work)
    {
        var environment = System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);
        environment["NUGET_PACKAGES"] = PackedPackages.NuGetCache;
        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        environment["DOTNET_NOLOGO"] = "1";
        environment["DOTNET_CLI_HOME"] = Path.Combine(work, "cli-home");
        return environment;
    }

    /// <summary>The dotnet root of the SDK running the tests and the highest Microsoft.NETCore.App 10.0 it has.</summary>
    private static async Task<(string Root, Version Runtime)> InstalledRuntimeAsync()
    {
        var list = await RemoteTool.RunProcessAsync("dotnet", ["--list-runtimes"], null, null);
        var runtimes = list.StdOut.Split('\n')
            .Select(line => line.Split(' ', 3))
            .Where(parts => parts.Length == 3 && parts[0] == "Microsoft.NETCore.App" && parts[1].StartsWith("10.0.", StringComparison.Ordinal))
            .Select(parts => (Version: Version.Parse(parts[1].Split('-')[0]), Folder: parts[2].Trim().Trim('[', ']')))
            .OrderByDescending(r => r.Version)
            .ToList();
        Assert.True(runtimes.Count > 0, $"no .NET 10 runtime: {list}");
        var root = Path.GetFullPath(Path.Combine(runtimes[0].Folder, "..", ".."));
        return (root, runtimes[0].Version);
    }

    /// <summary>Microsoft.NETCore.App.Runtime.linux-x64 VERSION by a restore from the machine's configured feeds, or null.</summary>
    private static async Task<string?> DownloadRuntimeAsync(string work, Version version)
    {
        var project = Path.Combine(work, "download", "Download.csproj");
        Directory.CreateDirectory(Path.GetDirectoryName(project)!);
        await File.WriteAllTextAsync(project, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
              </PropertyGroup>
              <ItemGroup>
                <PackageDownload Include="Microsoft.NETCore.App.Runtime.linux-x64" Version="[{version}]" />
              </ItemGroup>
            </Project>
            """);
        var restore = await RemoteTool.RunProcessAsync("dotnet", ["restore", project, "-nologo"], null, ProcessEnvironment(work));
        var folder = Path.Combine(PackedPackages.NuGetCache, "microsoft.netcore.app.runtime.linux-x64", version.ToString(), "runtimes", "linux-x64");
        return restore.ExitCode == 0 && Directory.Exists(folder) ? folder : null;
    }
}

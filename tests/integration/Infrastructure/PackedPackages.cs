using DotnetRemote.Testing;

namespace DotnetRemote.Integration.Tests.Infrastructure;

/// <summary>
/// The packed <c>Remote.Tool</c> and <c>Remote.MSBuild</c> packages the pipeline samples consume, and a NuGet
/// packages cache of this test run. The folder is <c>DOTNET_REMOTE_PACKAGES</c> (the build script's Pack output) when
/// it holds both packages, else a temp folder filled once per run by <c>dotnet pack</c> (per runtime too when the tool
/// declares <c>ToolPackageRuntimeIdentifiers</c>). The cache is a temp folder
/// (<c>NUGET_PACKAGES</c> of every restore the tests start): never the user's ~/.nuget/packages, where a cached
/// Remote.MSBuild 0.1.0 from an earlier build would shadow the one under test. Temp folders go at process exit, or
/// at the start of the next run when the exit handlers did not run.
/// </summary>
public static class PackedPackages
{
    private static readonly string TempRoot = TestTemp.Root;
    private static readonly Lazy<Task<string>> Folder = new(ResolveFolderAsync);
    private static readonly Lazy<string> Cache = new(() => TempFolder("nuget-packages"));
    private static readonly Lazy<bool> LeftoversRemoved = new(RemoveLeftovers);

    /// <summary>The folder with Remote.Tool.*.nupkg and Remote.MSBuild.*.nupkg.</summary>
    public static Task<string> FolderAsync() => Folder.Value;

    /// <summary>The NuGet packages cache of this run, shared by every restore the tests start.</summary>
    public static string NuGetCache => Cache.Value;

    /// <summary>
    /// The package sources this machine is configured with (<c>dotnet nuget list source</c>, enabled ones), so a
    /// restore the tests start works behind any mirror; no feed address is written here.
    /// </summary>
    public static async Task<string[]> ConfiguredSourcesAsync()
    {
        var list = await RunDotnetAsync("nuget", "list", "source", "--format", "Short");
        var sources = list.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.StartsWith("E ", StringComparison.Ordinal))
            .Select(line => line[2..].Trim())
            .ToArray();
        return sources.Length > 0 ? sources : throw new InvalidOperationException($"dotnet nuget list source names no enabled source: {list}");
    }

    /// <summary>A nuget.config with exactly these package sources (the user's and machine's sources cleared).</summary>
    public static string NuGetConfig(params string[] sources) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <clear />
        {string.Concat(sources.Select((source, i) => $"    <add key=\"source{i}\" value=\"{source}\" />\n"))}  </packageSources>
        </configuration>

        """;

    /// <summary>Copies a folder tree (without bin/, obj/ or .tools/).</summary>
    public static void CopyTree(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.EnumerateDirectories(source).Where(d => Path.GetFileName(d) is not ("bin" or "obj" or ".tools")))
        {
            CopyTree(directory, Path.Combine(destination, Path.GetFileName(directory)));
        }
    }

    private static async Task<string> ResolveFolderAsync()
    {
        var configured = Environment.GetEnvironmentVariable("DOTNET_REMOTE_PACKAGES");
        if (!string.IsNullOrEmpty(configured) && Directory.Exists(configured)
            && Directory.EnumerateFiles(configured, "Remote.Tool.*.nupkg").Any() && Directory.EnumerateFiles(configured, "Remote.MSBuild.*.nupkg").Any())
        {
            return Path.GetFullPath(configured);
        }

        var folder = TempFolder("packages");
        var tool = Path.Combine(RepositoryFiles.Root, "src/Remote.Tool/Remote.Tool.csproj");
        await PackAsync(tool, folder);
        await PackAsync(Path.Combine(RepositoryFiles.Root, "src/Remote.MSBuild/Remote.MSBuild.csproj"), folder);

        // .NET 10 RID-specific tool packages, as the build script's Pack makes them: one package per runtime.
        var runtimes = await RunDotnetAsync("msbuild", tool, "-getProperty:ToolPackageRuntimeIdentifiers");
        foreach (var runtime in runtimes.StdOut.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            await PackAsync(tool, folder, "--runtime", runtime);
        }

        return folder;
    }

    /// <summary>A new temp folder of this run, deleted at process exit.</summary>
    public static string TempFolder(string name)
    {
        _ = LeftoversRemoved.Value;
        var path = Path.Combine(TempRoot, $"{TempPrefix}{name}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(path);
        return path;
    }

    /// <summary>Marks this class's temp folders: <c>pipelines-NAME-PID-GUID</c>.</summary>
    private const string TempPrefix = "pipelines-";

    /// <summary>
    /// Deletes the folders of earlier runs whose process is gone: the test host does not always get to run its
    /// exit handlers (the runner may end it), and a packages cache is worth hundreds of megabytes.
    /// </summary>
    private static bool RemoveLeftovers()
    {
        if (!Directory.Exists(TempRoot))
        {
            return true;
        }

        foreach (var directory in Directory.EnumerateDirectories(TempRoot, TempPrefix + "*"))
        {
            var parts = Path.GetFileName(directory).Split('-');
            if (parts.Length >= 3 && int.TryParse(parts[^2], out var processId) && !IsRunning(processId))
            {
                TryDelete(directory);
            }
        }

        return true;
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static Task<ToolResult> PackAsync(string project, string folder, params string[] options) =>
        RunDotnetAsync(["pack", project, "--configuration", "Release", "--output", folder, "-nologo", .. options]);

    private static async Task<ToolResult> RunDotnetAsync(params string[] arguments)
    {
        var result = await RemoteTool.RunProcessAsync("dotnet", arguments, null, null);
        return result.ExitCode == 0 ? result : throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} failed: {result}");
    }
}

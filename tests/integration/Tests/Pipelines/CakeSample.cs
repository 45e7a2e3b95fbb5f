using DotnetRemote.Testing;

namespace DotnetRemote.Integration.Tests.Tests.Pipelines;

/// <summary>samples/cake copied into a sandbox with the repository's pinned Cake tool restored, ready to run.</summary>
internal static class CakeSample
{
    /// <summary>
    /// Copies the sample and the tool manifest below <paramref name="root"/>, restores Cake from the machine's
    /// configured feeds, then leaves a nuget.config that sees only <paramref name="packages"/> (the sample's own
    /// <c>dotnet tool install --add-source</c> must install our packed tool). Returns the sample's folder.
    /// </summary>
    public static async Task<string> PrepareAsync(string root, string packages, Dictionary<string, string> environment)
    {
        var sample = Path.Combine(root, "cake");
        PackedPackages.CopyTree(Path.Combine(RepositoryFiles.Root, "samples", "cake"), sample);
        PackedPackages.CopyTree(Path.Combine(RepositoryFiles.Root, ".config"), Path.Combine(sample, ".config"));
        var nugetConfig = Path.Combine(sample, "nuget.config");
        await File.WriteAllTextAsync(nugetConfig, PackedPackages.NuGetConfig(await PackedPackages.ConfiguredSourcesAsync()));
        var restore = await RunAsync(sample, environment, "tool", "restore");
        Assert.True(restore.ExitCode == 0, $"dotnet tool restore failed: {restore}");
        await File.WriteAllTextAsync(nugetConfig, PackedPackages.NuGetConfig(packages));
        return sample;
    }

    /// <summary><c>dotnet ARGS</c> with <paramref name="directory"/> as the working directory (through the shell: RunProcessAsync has none).</summary>
    public static Task<ToolResult> RunAsync(string directory, Dictionary<string, string> environment, params string[] arguments) =>
        RemoteTool.RunProcessAsync("/bin/sh", ["-c", "cd \"$0\" && exec dotnet \"$@\"", directory, .. arguments], null, environment);
}

using System.Diagnostics;
using DotnetRemote.Tool.Tests.TestSupport;

namespace DotnetRemote.Tool.Tests;

/// <summary>Root with a umask of 077 still creates the system folder 0755 and remote.yaml 0644, so every user can read them.</summary>
public sealed class UmaskTests : IDisposable
{
    private readonly TestMachine _machine = new();

    public void Dispose() => _machine.Dispose();

    [SkippableFact]
    public async Task The_system_folder_is_0755_whatever_the_umask()
    {
        Skip.IfNot(ToolProcess.IsRoot, "needs root to write the system file");
        var folder = Path.Combine(_machine.Root, "etc", "apptainer");
        var variables = new Dictionary<string, string>(_machine.Variables) { ["DOTNET_REMOTE_SYSTEM_CONFIG"] = Path.Combine(folder, "remote.yaml") };

        var start = ToolProcess.StartInfo("sh", ["-c", "umask 077 && exec \"$@\"", "sh", ToolProcess.DotnetHost, ToolProcess.ToolDll, "add", "--global", "--no-login", "lab", "https://lab.example.com"], variables);
        var result = await ToolProcess.WaitAsync(Process.Start(start)!);

        Assert.True(result.ExitCode == 0, result.Stderr);
        const UnixFileMode Public = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        const UnixFileMode Traversable = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        Assert.Equal(Public | Traversable, File.GetUnixFileMode(folder));
        Assert.Equal(Public | Traversable, File.GetUnixFileMode(Path.GetDirectoryName(folder)!));
        Assert.Equal(Public, File.GetUnixFileMode(Path.Combine(folder, "remote.yaml")));
    }
}

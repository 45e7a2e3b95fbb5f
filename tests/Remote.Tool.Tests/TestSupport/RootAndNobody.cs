using System.Diagnostics;
using System.Globalization;

namespace DotnetRemote.Tool.Tests.TestSupport;

/// <summary>
/// For the tests that run as root and act as user nobody (a regular user, or the attacker): nobody's uid, a
/// <see cref="TestMachine"/> opened to nobody, and the system commands those tests run (chown, stat, kill, setpriv).
/// Tests import it with <c>using static</c>.
/// </summary>
internal static class RootAndNobody
{
    public const int Nobody = 65534;

    /// <summary>The arguments of <c>setpriv</c> that run a command as <paramref name="uid"/> (its group, no other group).</summary>
    public static string[] AsUser(int uid) => [$"--reuid={uid}", $"--regid={uid}", "--clear-groups"];

    /// <summary>Opens the temp machine to user nobody: folders traversable, home and config dir owned by nobody.</summary>
    public static void PrepareForNobody(TestMachine machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        const UnixFileMode open = (UnixFileMode)0b111_101_101;
        File.SetUnixFileMode(machine.Root, open);
        Directory.CreateDirectory(machine.SystemDir);
        File.SetUnixFileMode(machine.SystemDir, open);
        Directory.CreateDirectory(machine.ConfigDir);
        File.SetUnixFileMode(machine.ConfigDir, (UnixFileMode)0b111_000_000);
        Run("chown", "-R", $"{Nobody}:{Nobody}", machine.Home, machine.ConfigDir);
    }

    /// <summary>Runs <paramref name="command"/> as user nobody (the attacker) and asserts that it succeeded.</summary>
    public static async Task RunAsNobody(params string[] command)
    {
        var start = new ProcessStartInfo("setpriv") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var arg in (string[])[.. AsUser(Nobody), .. command])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"attacker command failed: {error}");
    }

    /// <summary>The uid owning <paramref name="path"/> (the link itself for a symbolic link).</summary>
    public static int OwnerOf(string path) => int.Parse(Run("stat", "-c", "%u", path).Trim(), CultureInfo.InvariantCulture);

    /// <summary>Runs a system command, asserts that it succeeded and returns what it printed.</summary>
    public static string Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output;
    }
}

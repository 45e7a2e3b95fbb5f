using System.Diagnostics;
using DotnetRemote.Tool.Tests.TestSupport;

namespace DotnetRemote.Tool.Tests;

/// <summary>Issue 10 through the built tool as a real process: program name, crash inputs, --debug, EOF.</summary>
public sealed class ToolProcessSafetyTests : IDisposable
{
    private readonly TestMachine _machine = new();

    public void Dispose() => _machine.Dispose();

    [Fact]
    public async Task Usage_says_dotnet_remote_only_when_the_dotnet_host_started_it_as_remote()
    {
        var direct = await ToolProcess.RunAsync(_machine.Variables, "add", "--bogus");
        var throughDotnet = await RunUnderParentNamedAsync("dotnet remote", "add", "--bogus");

        Assert.Equal(1, direct.ExitCode);
        Assert.Contains("\nUsage:\n  dotnet-remote add [options] <remote_name> <remote_URI>\n", direct.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, throughDotnet.ExitCode);
        Assert.StartsWith("Error for command \"add\": unknown flag: --bogus\n\nUsage:\n  dotnet remote add [options] <remote_name> <remote_URI>\n", throughDotnet.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("\nRun 'dotnet remote add --help' for more detailed usage information.\n", throughDotnet.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-c", "", "list")]
    [InlineData("registry", "list", "--authfile", "")]
    [InlineData("credential", "get", " ")]
    [InlineData("credential", "get", "")]
    [InlineData("login", "-u", "u", "--password-stdin", "localhost:5000")]
    public async Task Crash_inputs_are_one_fatal_line_and_exit_255(params string[] args)
    {
        var result = await ToolProcess.RunAsync(_machine.Variables, args);

        Assert.Equal((255, ""), (result.ExitCode, result.Stdout));
        Assert.Matches("^FATAL:   [^\n]+\n$", result.Stderr);
        Assert.DoesNotContain("Unhandled", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Debug_lines_carry_apptainers_prefix_and_show_file_access()
    {
        var result = await ToolProcess.RunAsync(_machine.Variables, "--debug", "add", "--no-login", "r", "r.example.com");

        Assert.Equal((0, ""), (result.ExitCode, result.Stdout));
        Assert.Matches($@"(?m)^DEBUG   \[U=\d+,P=\d+\] +writing {System.Text.RegularExpressions.Regex.Escape(_machine.UserFile)}$", result.Stderr);
        Assert.EndsWith("INFO:    Remote \"r\" added.\n", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_at_the_end_of_input_keeps_the_remote_and_exits_0()
    {
        // No --no-login and stdin closed at once: the seed ends the login silently. The discovery of the made-up
        // host fails, so the token page falls back to the remote's own address.
        var result = await ToolProcess.RunAsync(_machine.Variables, "add", "r", "r.invalid");

        Assert.Equal(0, result.ExitCode);
        Assert.EndsWith("Access Token: \n", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("FATAL", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("  r:\n    URI: r.invalid\n", File.ReadAllText(_machine.UserFile), StringComparison.Ordinal);
    }

    /// <summary>Runs the tool under a parent process whose command line reads <paramref name="title"/> (perl sets it).</summary>
    private async Task<CliResult> RunUnderParentNamedAsync(string title, params string[] args)
    {
        var start = ToolProcess.StartInfo("perl", ["-e", $"$0 = '{title}'; exit(system(@ARGV) >> 8)", "--", ToolProcess.DotnetHost, ToolProcess.ToolDll, .. args], _machine.Variables);
        return await ToolProcess.WaitAsync(Process.Start(start)!);
    }
}

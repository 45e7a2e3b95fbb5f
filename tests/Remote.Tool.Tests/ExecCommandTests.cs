using DotnetRemote.Tool.Tests.TestSupport;

namespace DotnetRemote.Tool.Tests;

/// <summary><c>exec</c> through the built tool: usage, failures, and stdin/stdout/stderr handed to the command.</summary>
public sealed class ExecCommandTests : IDisposable
{
    private readonly TestMachine _machine = new();

    public void Dispose() => _machine.Dispose();

    private Dictionary<string, string> Variables()
    {
        var temp = Path.Combine(_machine.Root, "tmp");
        Directory.CreateDirectory(temp);
        return new Dictionary<string, string>(_machine.Variables) { ["TMPDIR"] = temp };
    }

    private IEnumerable<string> Scopes => Directory.EnumerateDirectories(Path.Combine(_machine.Root, "tmp"), "dotnet-remote-*").SelectMany(d => Directory.EnumerateDirectories(d, "exec-*"));

    [Fact]
    public async Task Without_a_command_it_is_a_usage_error()
    {
        var result = await ToolProcess.RunAsync(Variables(), "exec");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("command", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_manifest_is_one_FATAL_line_and_exit_255()
    {
        var missing = Path.Combine(_machine.Root, "nope.yaml");

        var result = await ToolProcess.RunAsync(Variables(), "exec", "-f", missing, "--", "/bin/true");

        Assert.Equal(255, result.ExitCode);
        Assert.StartsWith($"FATAL:   cannot read manifest {missing}:", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Scopes);
    }

    [Fact]
    public async Task A_command_that_does_not_exist_is_one_FATAL_line_and_exit_255()
    {
        var result = await ToolProcess.RunAsync(Variables(), "exec", "--", "no-such-command-anywhere");

        Assert.Equal(new CliResult(255, "", "FATAL:   cannot run no-such-command-anywhere: no such file or directory (is it on PATH?)\n"), result);
        Assert.Empty(Scopes);
    }

    [Fact]
    public async Task Stdin_stdout_and_stderr_are_the_commands_own_and_its_exit_code_is_the_tools()
    {
        using var process = ToolProcess.Start(Variables(), ["exec", "--", "/bin/sh", "-c", "read line; echo \"got $line\"; echo \"options stay the command's: $0 $1\" >&2; exit 42", "--json", "-f"]);
        await process.StandardInput.WriteAsync("hello\n");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(42, process.ExitCode);
        Assert.Equal("got hello\n", await stdout);
        Assert.Equal("options stay the command's: --json -f\n", await stderr);
        Assert.Empty(Scopes);
    }
}

using DotnetRemote.Tool.Cli;

namespace DotnetRemote.Tool.Tests.TestSupport;

/// <summary>What one command printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// Runs the whole <c>dotnet-remote</c> command tree in process against a <see cref="TestMachine"/>, as a regular
/// user or as root, with a fake web (<see cref="Http"/>) for service discovery. <paramref name="environment"/>
/// replaces the machine's environment (to add variables such as <c>APPTAINER_ADD_INSECURE</c>).
/// </summary>
internal sealed class CliRunner(TestMachine machine, Func<string, string?>? environment = null)
{
    public FakeHttpHandler Http { get; } = new();

    public Task<CliResult> UserAsync(params string[] args) => RunAsync(isRoot: false, args);

    public Task<CliResult> RootAsync(params string[] args) => RunAsync(isRoot: true, args);

    public async Task<CliResult> RunAsync(bool isRoot, string[] args, string stdin = "")
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        using var input = new StringReader(stdin);
        var console = new CliConsole(output, error, input, environment ?? machine.Environment, inputIsTerminal: false, isRoot, Http);

        var exitCode = await RemoteCli.RunAsync(args, console);

        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}

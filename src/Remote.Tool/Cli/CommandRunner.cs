using System.CommandLine;
using DotnetRemote.Core;

namespace DotnetRemote.Tool.Cli;

/// <summary>
/// What every command shares: the recursive <c>-c/--config</c> option, the console, and the translation of engine
/// results into exit codes (0 success, 255 failure; System.CommandLine gives 1 for usage errors).
/// </summary>
internal sealed class CommandRunner(CliConsole console)
{
    public const int Success = 0;
    public const int Failure = 255;

    public Option<string?> ConfigOption { get; } = new("--config", "-c")
    {
        Description = "path to the file holding remote endpoint configurations",
        Recursive = true,
    };

    public CliConsole Console { get; } = console;

    public RemoteContext CreateContext(ParseResult parseResult, string? authFile = null) =>
        new(
            RemotePaths.FromEnvironment(Console.Environment, parseResult.GetValue(ConfigOption), authFile),
            Console.Log,
            Console.HttpHandler,
            Console.IsRoot,
            environment: Console.Environment);

    /// <summary>Runs an engine call; a <see cref="RemoteException"/> becomes one FATAL line and exit 255.</summary>
    public void SetAction(Command command, Func<ParseResult, RemoteContext, CancellationToken, Task<int>> action, Func<ParseResult, string?>? authFile = null)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                var context = CreateContext(parseResult, authFile?.Invoke(parseResult));
                return await action(parseResult, context, cancellationToken);
            }
            catch (RemoteException ex)
            {
                Console.Log.Fatal(ex.Message);
                return Failure;
            }
        });
    }

    /// <summary>A boolean flag that an environment variable can also turn on (Apptainer's <c>APPTAINER_*</c> flags).</summary>
    public bool FlagOrEnvironment(ParseResult parseResult, Option<bool> option, string variable) =>
        parseResult.GetResult(option) is { Implicit: false } ? parseResult.GetValue(option) : IsTrue(Console.Environment(variable) ?? Console.Environment("SINGULARITY_" + variable["APPTAINER_".Length..]));

    private static bool IsTrue(string? value) =>
        value?.Trim().ToLowerInvariant() is "1" or "t" or "true" or "y" or "yes" or "on";
}

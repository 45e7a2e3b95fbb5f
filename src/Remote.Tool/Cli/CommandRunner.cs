using System.CommandLine;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Tool.Cli;

/// <summary>
/// What every command shares: the recursive <c>-c/--config</c> and <c>-d/--debug</c> options, the console, and the
/// translation of engine results into exit codes (0 success, 1 usage error, 255 failure).
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

    public Option<bool> DebugOption { get; } = new("--debug", "-d")
    {
        Description = "print debugging information: HTTP requests, files read and written, helpers called (never a secret)",
        Recursive = true,
    };

    public CliConsole Console { get; } = console;

    public HelpWriter Help { get; } = new(console.ProgramName);

    public RemoteContext CreateContext(ParseResult parseResult, string? authFile = null)
    {
        var config = parseResult.GetValue(ConfigOption);
        if (config is not null && string.IsNullOrWhiteSpace(config))
        {
            throw new RemoteException(RemoteErrorCodes.InvalidArgument, "while opening remote config file: -c/--config names no file (the path is empty)");
        }

        if (authFile is not null && string.IsNullOrWhiteSpace(authFile))
        {
            throw new RemoteException(RemoteErrorCodes.InvalidArgument, "while opening OCI registry credentials file: --authfile names no file (the path is empty)");
        }

        return new(
            RemotePaths.FromEnvironment(Console.Environment, config, authFile),
            Console.Log,
            Console.HttpHandler,
            Console.IsRoot,
            environment: Console.Environment);
    }

    /// <summary>Runs an engine call; any exception becomes one FATAL line and exit 255 (see <see cref="ReportFailure"/>).</summary>
    public void SetAction(Command command, Func<ParseResult, RemoteContext, CancellationToken, Task<int>> action, Func<ParseResult, string?>? authFile = null)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                using var context = CreateContext(parseResult, authFile?.Invoke(parseResult));
                return await action(parseResult, context, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return ReportFailure(Console, ex);
            }
        });
    }

    /// <summary>
    /// The host boundary: an engine error is its message; anything else (a bug) is one line naming the exception
    /// type. The stack trace is printed only under <c>-d/--debug</c>. Exit 255.
    /// </summary>
    public static int ReportFailure(CliConsole console, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(exception);
        console.Log.Fatal(Describe(exception));
        if (console.Log.IsDebugEnabled)
        {
            console.Log.Debug(exception.ToString().Replace("\r", "", StringComparison.Ordinal).Replace("\n", "\n        ", StringComparison.Ordinal));
        }

        return Failure;
    }

    /// <summary>One line for any exception: the engine's own message, else the message and the exception's type.</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is RemoteException)
        {
            return exception.Message;
        }

        var message = exception.Message.ReplaceLineEndings(" ").Trim();
        return $"unexpected error: {message} ({exception.GetType().Name}; run with --debug for details)";
    }

    /// <summary>A boolean flag that an environment variable can also turn on (Apptainer's <c>APPTAINER_*</c> flags).</summary>
    public bool FlagOrEnvironment(ParseResult parseResult, Option<bool> option, string variable) =>
        parseResult.GetResult(option) is { Implicit: false } ? parseResult.GetValue(option) : IsTrue(Console.Environment(variable) ?? Console.Environment("SINGULARITY_" + variable["APPTAINER_".Length..]));

    private static bool IsTrue(string? value) =>
        value?.Trim().ToLowerInvariant() is "1" or "t" or "true" or "y" or "yes" or "on";
}

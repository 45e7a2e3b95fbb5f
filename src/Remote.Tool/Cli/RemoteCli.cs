using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using DotnetRemote.Tool.Commands;

namespace DotnetRemote.Tool.Cli;

/// <summary>The command tree: the seed's <c>remote</c> commands at the top, the newer groups beside them.</summary>
internal static class RemoteCli
{
    /// <summary>No response files (<c>@name</c> is a valid remote name) and no directives (<c>[name]</c> neither).</summary>
    private static readonly ParserConfiguration Parser = new() { ResponseFileTokenReplacer = null };

    public static RootCommand Build(CliConsole console)
    {
        var runner = new CommandRunner(console);
        var root = new RootCommand("Manage apptainer remote endpoints, keyservers and OCI/Docker registry credentials")
        {
            runner.ConfigOption,
            runner.DebugOption,
            RemoteCommands.List(runner),
            RemoteCommands.Add(runner),
            RemoteCommands.Remove(runner),
            RemoteCommands.Use(runner),
            LoginCommands.Login(runner),
            LoginCommands.Logout(runner),
            LoginCommands.Status(runner),
            LoginCommands.GetLoginPasswordCommand(runner),
            KeyserverCommands.AddKeyserver(runner, "add-keyserver"),
            KeyserverCommands.RemoveKeyserver(runner, "remove-keyserver"),
            KeyserverCommands.Group(runner),
            RegistryCommands.Group(runner),
            ApplyCommand.Create(runner),
            ExecCommand.Create(runner),
            CredentialCommands.Credential(runner),
            CredentialCommands.Helper(runner),
        };
        root.Directives.Clear();
        foreach (var help in root.Options.OfType<HelpOption>())
        {
            help.Action = new CliHelpAction(runner.Help, console.Output);
        }

        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);

        // Known before parsing, so even a failure to build or parse shows its details under --debug.
        console.Log.IsDebugEnabled = args.TakeWhile(a => a != "--").Any(a => a is "-d" or "--debug");
        try
        {
            var root = Build(console);
            var help = new HelpWriter(console.ProgramName);
            var parseResult = root.Parse(args, Parser);
            if (root.Options.OfType<Option<bool>>().FirstOrDefault(o => o.Name == "--debug") is { } debug && parseResult.GetResult(debug) is not null)
            {
                // Also in a bundle (-di) or wherever the parser found it.
                console.Log.IsDebugEnabled |= parseResult.GetValue(debug);
            }

            // -h/--help and --version answer whatever else is on the line; everything else is checked first.
            var optionAction = parseResult.Action is { } action && action != parseResult.CommandResult.Command.Action && action is not ParseErrorAction;
            if (!optionAction)
            {
                if (UsageErrors.Find(parseResult, args, help) is { } error)
                {
                    WriteUsageError(console, help, error);
                    return 1;
                }

                var command = parseResult.CommandResult.Command;
                if (command.Action is null && command.Subcommands.Count > 0)
                {
                    // A group without its subcommand: its help, as cobra does for commands that do not run.
                    help.WriteHelp(command, console.Output);
                    return 0;
                }
            }

            // Signals are ours (Termination): one line and exit 130/143 instead of System.CommandLine's silent exit 1.
            var invocation = new InvocationConfiguration { Output = console.Output, Error = console.Error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            if (parseResult.CommandResult.Command.Name == ExecCommand.Name)
            {
                // exec takes the termination signals itself: it passes them to its command and cleans up after it.
                return await parseResult.InvokeAsync(invocation, cancellationToken);
            }

            using var termination = Termination.Register(console.Log);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, termination.Token);
            int exitCode;
            try
            {
                exitCode = await parseResult.InvokeAsync(invocation, linked.Token);
            }
            catch (OperationCanceledException) when (termination.ExitCode is not null)
            {
                exitCode = 0;
            }

            if (termination.ExitCode is int signalled)
            {
                termination.Report();
                return signalled;
            }

            return exitCode;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Only a signal cancels an action: exec's own handling stopped it (128 + SIGINT).
            return 130;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return CommandRunner.ReportFailure(console, ex);
        }
    }

    /// <summary>Apptainer's layout: the error, the command's usage, where to read more; all on stderr.</summary>
    private static void WriteUsageError(CliConsole console, HelpWriter help, UsageError error)
    {
        var stderr = console.Error;
        if (error.UnknownCommand)
        {
            stderr.Write($"Error: unknown command \"{error.Message}\" for \"{help.CommandPath(error.Command)}\"\n");
            if (error.Suggestions.Count > 0)
            {
                stderr.Write("\nDid you mean this?\n" + string.Concat(error.Suggestions.Select(s => $"\t{s}\n")));
            }

            stderr.Write($"\nRun '{help.CommandPath(error.Command)} --help' for usage.\n");
            return;
        }

        var name = error.Command is RootCommand ? help.ProgramName.Split(' ')[^1] : error.Command.Name;
        stderr.Write($"Error for command \"{name}\": {error.Message}\n\n");
        help.WriteUsage(error.Command, stderr);
        stderr.Write($"\nRun '{help.CommandPath(error.Command)} --help' for more detailed usage information.\n");
    }
}

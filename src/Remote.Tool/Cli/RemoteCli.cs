using System.CommandLine;
using DotnetRemote.Tool.Commands;

namespace DotnetRemote.Tool.Cli;

/// <summary>The command tree: the seed's <c>remote</c> commands at the top, the newer groups beside them.</summary>
internal static class RemoteCli
{
    public static RootCommand Build(CliConsole console)
    {
        var runner = new CommandRunner(console);
        var root = new RootCommand("Manage apptainer remote endpoints, keyservers and OCI/Docker registry credentials")
        {
            runner.ConfigOption,
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
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        var parseResult = Build(console).Parse(args);

        // Signals are ours (Termination): one line and exit 130/143 instead of System.CommandLine's silent exit 1.
        var invocation = new InvocationConfiguration { Output = console.Output, Error = console.Error, ProcessTerminationTimeout = null };
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
}

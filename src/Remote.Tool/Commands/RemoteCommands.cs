using System.CommandLine;
using System.Text.Json;
using DotnetRemote.Core.Logins;
using DotnetRemote.Core.Remotes;
using DotnetRemote.Tool.Cli;

namespace DotnetRemote.Tool.Commands;

/// <summary>The seed's endpoint commands: list, add, remove, use.</summary>
internal static class RemoteCommands
{
    public static Command List(CommandRunner runner)
    {
        var json = new Option<bool>("--json") { Description = "print machine-readable JSON" };
        var command = new Command("list", "List all apptainer remote endpoints, keyservers, and OCI credentials that are configured") { json };
        runner.SetAction(command, async (parseResult, context, cancellationToken) =>
        {
            var listing = await new ListRemotes(context).ExecuteAsync(new ListRemotesOptions(), cancellationToken);
            if (parseResult.GetValue(json))
            {
                runner.Console.Output.Write(JsonSerializer.Serialize(listing, ToolJsonContext.Output.ListRemotesResult) + "\n");
            }
            else
            {
                ListingRenderer.Write(listing, runner.Console.Output);
            }

            return CommandRunner.Success;
        });
        return command;
    }

    public static Command Add(CommandRunner runner)
    {
        var name = new Argument<string>("remote_name") { Description = "the name to store the remote under" };
        var uri = new Argument<string>("remote_URI") { Description = "the library API endpoint: host[:port][/path], or an http(s):// URL" };
        var global = GlobalOption("edit the list of globally configured remote endpoints");
        var noLogin = new Option<bool>("--no-login") { Description = "skip automatic login step" };
        var insecure = new Option<bool>("--insecure", "-i") { Description = "allow connection to an insecure http remote." };
        var tokenFile = new Option<string?>("--tokenfile") { Description = "path to the file holding auth token for login (remote endpoints only)" };
        var use = new Option<bool>("--use") { Description = "make the new remote the active one" };
        var command = new Command("add", "Add a new apptainer remote endpoint") { name, uri, global, noLogin, insecure, tokenFile, use };
        runner.SetAction(command, async (parseResult, context, cancellationToken) =>
        {
            var options = new AddRemoteOptions(
                parseResult.GetValue(name)!,
                parseResult.GetValue(uri)!,
                parseResult.GetValue(global),
                runner.FlagOrEnvironment(parseResult, insecure, "APPTAINER_ADD_INSECURE"),
                parseResult.GetValue(use));
            await new AddRemote(context).ExecuteAsync(options, cancellationToken);
            if (parseResult.GetValue(noLogin))
            {
                return CommandRunner.Success;
            }

            if (options.Global)
            {
                // The system file is world-readable: a token must never land there.
                context.Log.Info("Global option detected. Will not automatically log into remote.");
                return CommandRunner.Success;
            }

            var target = LoginTarget.FindRemote(context, options.Name)!;
            return await LoginCommands.LoginToRemoteAsync(runner, context, target, parseResult.GetValue(tokenFile), cancellationToken);
        });
        return command;
    }

    public static Command Remove(CommandRunner runner)
    {
        var name = new Argument<string>("remote_name") { Description = "the remote to remove" };
        var global = GlobalOption("edit the list of globally configured remote endpoints");
        var command = new Command("remove", "Remove an existing apptainer remote endpoint") { name, global };
        runner.SetAction(command, async (parseResult, context, cancellationToken) =>
        {
            await new RemoveRemote(context).ExecuteAsync(new RemoveRemoteOptions(parseResult.GetValue(name)!, parseResult.GetValue(global)), cancellationToken);
            return CommandRunner.Success;
        });
        return command;
    }

    public static Command Use(CommandRunner runner)
    {
        var name = new Argument<string>("remote_name") { Description = "the remote to make the active one" };
        var global = GlobalOption("edit the list of globally configured remote endpoints");
        var exclusive = new Option<bool>("--exclusive", "-e") { Description = "set the endpoint as exclusive (root user only, imply --global)" };
        var command = new Command("use", "Set an Apptainer remote endpoint to be actively used") { name, global, exclusive };
        runner.SetAction(command, async (parseResult, context, cancellationToken) =>
        {
            await new UseRemote(context).ExecuteAsync(new UseRemoteOptions(parseResult.GetValue(name)!, parseResult.GetValue(global), parseResult.GetValue(exclusive)), cancellationToken);
            return CommandRunner.Success;
        });
        return command;
    }

    private static Option<bool> GlobalOption(string description) => new("--global", "-g") { Description = description };
}

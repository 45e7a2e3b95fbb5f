using System.CommandLine;
using System.Text.Json;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Keyservers;
using DotnetRemote.Core.Logins;
using DotnetRemote.Tool.Cli;

namespace DotnetRemote.Tool.Commands;

/// <summary>Keyserver commands: the seed's <c>add-keyserver</c>/<c>remove-keyserver</c> and the newer <c>keyserver</c> group.</summary>
internal static class KeyserverCommands
{
    public static Command Group(CommandRunner runner) =>
        new("keyserver", "Manage apptainer keyservers")
        {
            AddKeyserver(runner, "add"),
            RemoveKeyserver(runner, "remove"),
            List(runner),
            Login(runner),
            Logout(runner),
        };

    private static Command Login(CommandRunner runner)
    {
        var uri = new Argument<string>("keyserver_url") { Description = "the keyserver to log in to (http(s):// or hkp(s)://)" };
        var secrets = new SecretOptions();
        var command = new Command("login", "Login to a keyserver") { uri };
        secrets.AddTo(command);
        runner.SetAction(command, async (parseResult, context, cancellationToken) =>
        {
            var keyserver = parseResult.GetValue(uri)!;
            KeyserverUri.Normalize(keyserver);
            var username = secrets.Username(parseResult, runner);
            var password = secrets.Password(parseResult, runner, "Password (or token when username is empty): ");
            try
            {
                // The keyserver's own Insecure setting decides TLS verification, as in Apptainer's keyserver group.
                await new LoginKeyserver(context).ExecuteAsync(new LoginKeyserverOptions(keyserver, username, password), cancellationToken);
            }
            catch (RemoteException ex)
            {
                throw new RemoteException(ex.Code, $"while login to {keyserver}: {ex.Message}", ex);
            }

            return CommandRunner.Success;
        });
        return command;
    }

    private static Command Logout(CommandRunner runner)
    {
        var uri = new Argument<string>("keyserver_url") { Description = "the keyserver to forget the login of" };
        var command = new Command("logout", "Logout from a keyserver") { uri };
        runner.SetAction(command, async (parseResult, context, cancellationToken) =>
        {
            await new LogoutKeyserver(context).ExecuteAsync(new LogoutKeyserverOptions(parseResult.GetValue(uri)!), cancellationToken);
            return CommandRunner.Success;
        });
        return command;
    }

    public static Command AddKeyserver(CommandRunner runner, string name)
    {
        var arguments = new Argument<string[]>("[remoteName] keyserver_url") { Arity = new ArgumentArity(1, 2), HelpName = "[<remoteName>] <keyserver_url>", Description = "the system remote to add it to (default: the active one), and the keyserver's URL" };
        var order = new Option<int?>("--order", "-o") { Description = "define the keyserver order" };
        var insecure = new Option<bool>("--insecure", "-i") { Description = "allow insecure connection to keyserver" };
        var command = new Command(name, "Add a keyserver (root user only)") { arguments, order, insecure };
        runner.SetAction(command, async (parseResult, context, cancellationToken) =>
        {
            var (remote, uri) = Split(parseResult.GetValue(arguments)!);
            await new AddKeyserver(context).ExecuteAsync(new AddKeyserverOptions(uri, remote, parseResult.GetValue(order), parseResult.GetValue(insecure)), cancellationToken);
            return CommandRunner.Success;
        });
        return command;
    }

    public static Command RemoveKeyserver(CommandRunner runner, string name)
    {
        var arguments = new Argument<string[]>("[remoteName] keyserver_url") { Arity = new ArgumentArity(1, 2), HelpName = "[<remoteName>] <keyserver_url>", Description = "the system remote to remove it from (default: the active one), and the keyserver's URL" };
        var command = new Command(name, "Remove a keyserver (root user only)") { arguments };
        runner.SetAction(command, async (parseResult, context, cancellationToken) =>
        {
            var (remote, uri) = Split(parseResult.GetValue(arguments)!);
            await new RemoveKeyserver(context).ExecuteAsync(new RemoveKeyserverOptions(uri, remote), cancellationToken);
            return CommandRunner.Success;
        });
        return command;
    }

    private static Command List(CommandRunner runner)
    {
        var remote = new Argument<string?>("remoteName") { Arity = ArgumentArity.ZeroOrOne, Description = "list only this remote's keyservers" };
        var json = new Option<bool>("--json") { Description = "print machine-readable JSON" };
        var command = new Command("list", "List all keyservers that are configured") { remote, json };
        runner.SetAction(command, async (parseResult, context, cancellationToken) =>
        {
            var endpoints = (await new ListKeyservers(context).ExecuteAsync(new ListKeyserversOptions(parseResult.GetValue(remote)), cancellationToken)).Remotes;
            var output = runner.Console.Output;
            if (parseResult.GetValue(json))
            {
                output.Write(JsonSerializer.Serialize(endpoints, ToolJsonContext.Output.IReadOnlyListEndpointKeyserverEntry) + "\n");
                return CommandRunner.Success;
            }

            foreach (var endpoint in endpoints)
            {
                output.Write($"\n{endpoint.Name} {(endpoint.System ? "*" : "")}{(endpoint.Default ? "^" : "")}\n");
                if (endpoint.Keyservers is null)
                {
                    output.Write(" \t(unable to fetch associated keyserver info for this endpoint)\n");
                    continue;
                }

                var table = new TextTable();
                foreach (var keyserver in endpoint.Keyservers)
                {
                    table.Row(" ", $"#{keyserver.Order}", keyserver.Uri, keyserver.Insecure ? "" : "🔒");
                }

                table.WriteTo(output);
            }

            output.Write("\n(* = system endpoint, ^ = default endpoint)\n");
            return CommandRunner.Success;
        });
        return command;
    }

    private static (string? Remote, string Uri) Split(string[] values) =>
        values.Length == 2 ? (values[0], values[1]) : (null, values[0]);
}

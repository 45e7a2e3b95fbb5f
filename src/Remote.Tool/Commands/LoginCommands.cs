using System.CommandLine;
using System.Text.Json;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Endpoints;
using DotnetRemote.Core.Logins;
using DotnetRemote.Tool.Cli;

namespace DotnetRemote.Tool.Commands;

/// <summary>
/// The seed's <c>login</c>/<c>logout</c>/<c>status</c>/<c>get-login-password</c>: a remote name (or none) means the
/// library endpoint; an http(s) URL a keyserver; <c>docker://</c> and <c>oras://</c> a registry.
/// </summary>
internal static class LoginCommands
{
    public static Command Login(CommandRunner runner)
    {
        var target = new Argument<string?>("remote_name|registry_uri") { Arity = ArgumentArity.ZeroOrOne, Description = "a remote's name (default: the active remote), a keyserver URL (https://) or a registry (docker://, oras://)" };
        var secrets = new SecretOptions();
        var insecure = new Option<bool>("--insecure", "-i") { Description = "allow insecure login" };
        var tokenFile = new Option<string?>("--tokenfile") { Description = "path to the file holding auth token for login (remote endpoints only)" };
        var trustRealm = RegistryCommands.TrustRealmOption();
        var command = new Command("login", "Login to an Apptainer remote endpoint, an OCI/Docker registry or a keyserver using credentials") { target, insecure, tokenFile, trustRealm };
        secrets.AddTo(command);
        runner.SetAction(command, async (parseResult, context, cancellationToken) =>
        {
            var username = secrets.Username(parseResult, runner);
            var prepare = new PrepareLoginOptions(parseResult.GetValue(target), username, TokenFile: parseResult.GetValue(tokenFile) is not null);
            var login = (await new PrepareLogin(context).ExecuteAsync(prepare, cancellationToken)).Target;
            if (login.Kind == LoginKind.Remote)
            {
                return await LoginToRemoteAsync(runner, context, login.Remote!, parseResult.GetValue(tokenFile), cancellationToken);
            }

            var insecureLogin = runner.FlagOrEnvironment(parseResult, insecure, "APPTAINER_LOGIN_INSECURE");
            var password = secrets.Password(parseResult, runner, "Password (or token when username is empty): ");
            await new Login(context).ExecuteAsync(new LoginOptions(login, username, password, insecureLogin, parseResult.GetValue(trustRealm)), cancellationToken);
            return CommandRunner.Success;
        });
        return command;
    }

    public static Command Logout(CommandRunner runner)
    {
        var target = new Argument<string?>("remote_name|registry_uri") { Arity = ArgumentArity.ZeroOrOne, Description = "a remote's name (default: the active remote), a keyserver URL or a registry (docker://, oras://)" };
        var all = new Option<bool>("--all") { Description = "remove every registry login, keyserver login and token (for the end of a CI job)" };
        var command = new Command("logout", "Log out from an Apptainer remote endpoint, an OCI/Docker registry or a keyserver") { target, all };
        runner.SetAction(command, async (parseResult, context, cancellationToken) =>
        {
            if (parseResult.GetValue(all))
            {
                await new LogoutAll(context).ExecuteAsync(new LogoutAllOptions(), cancellationToken);
                return CommandRunner.Success;
            }

            await new Logout(context).ExecuteAsync(new LogoutOptions(LoginTarget.Classify(context, parseResult.GetValue(target))), cancellationToken);
            return CommandRunner.Success;
        });
        return command;
    }

    public static Command Status(CommandRunner runner)
    {
        var name = new Argument<string?>("remote_name") { Arity = ArgumentArity.ZeroOrOne, Description = "the remote to check (default: the active remote)" };
        var json = new Option<bool>("--json") { Description = "print machine-readable JSON (the exit code still tells a refused token)" };
        var command = new Command("status", "Check the status of the apptainer services at an endpoint, and your authentication token") { name, json };
        runner.SetAction(command, async (parseResult, context, cancellationToken) =>
        {
            var remote = parseResult.GetValue(name);
            context.Log.Info(remote is null ? "Checking status of default remote." : $"Checking status of remote: {remote}");
            var status = await new GetRemoteStatus(context).ExecuteAsync(new GetRemoteStatusOptions(remote), cancellationToken);
            var output = runner.Console.Output;
            if (parseResult.GetValue(json))
            {
                var report = new StatusReport(status.Name, status.Services, status.Token.ToString().ToLowerInvariant(), status.TokenError);
                output.Write(JsonSerializer.Serialize(report, ToolJsonContext.Output.StatusReport) + "\n");
                return status.Token switch
                {
                    TokenState.None or TokenState.Valid => CommandRunner.Success,
                    TokenState.Invalid => throw new RemoteException(RemoteErrorCodes.TokenInvalid, status.TokenError!),
                    _ => throw new RemoteException(RemoteErrorCodes.Failure, status.TokenError!),
                };
            }

            var table = new TextTable().Row("SERVICE", "STATUS", "VERSION", "URI");
            foreach (var service in status.Services)
            {
                table.Row(service.Name, service.Ok ? "OK" : "N/A", service.Version, service.Uri);
            }

            table.WriteTo(output);
            switch (status.Token)
            {
                case TokenState.None:
                    output.Write("\nNo authentication token set (logged out).\n");
                    return CommandRunner.Success;
                case TokenState.Valid:
                    context.Log.Info("Access Token Verified!");
                    output.Write("\nValid authentication token set (logged in).\n");
                    return CommandRunner.Success;
                case TokenState.Invalid:
                    output.Write("\nAuthentication token is invalid (please login again).\n");
                    throw new RemoteException(RemoteErrorCodes.TokenInvalid, status.TokenError!);
                default:
                    output.Write("\nThe authentication token could not be checked.\n");
                    throw new RemoteException(RemoteErrorCodes.Failure, status.TokenError!);
            }
        });
        return command;
    }

    public static Command GetLoginPasswordCommand(CommandRunner runner)
    {
        var command = new Command("get-login-password", "Retrieves the cli secret for the current logged in user");
        runner.SetAction(command, async (_, context, cancellationToken) =>
        {
            // The one place a secret reaches stdout: the user asked for it, to pipe into docker login.
            runner.Console.Output.Write((await new GetLoginPassword(context).ExecuteAsync(new GetLoginPasswordOptions(), cancellationToken)).Password + "\n");
            return CommandRunner.Success;
        });
        return command;
    }

    /// <summary>The library login dialogue: the token file, or the replace question and the token prompt.</summary>
    public static async Task<int> LoginToRemoteAsync(CommandRunner runner, RemoteContext context, RemoteLoginTarget remote, string? tokenFile, CancellationToken cancellationToken)
    {
        string token;
        if (tokenFile is not null)
        {
            token = TokenFile.Read(tokenFile);
        }
        else
        {
            var prompter = new Prompter(runner.Console);
            if (remote.HasToken)
            {
                var answer = prompter.Ask("An access token is already set for this remote. Replace it? [N/y] ")?.Trim().ToLowerInvariant();
                switch (answer)
                {
                    case "y" or "yes":
                        break;
                    case null or "" or "n" or "no":
                        context.Log.Info("Previous token kept.");
                        return CommandRunner.Success;
                    default:
                        throw new RemoteException(RemoteErrorCodes.InvalidArgument, $"while reading input: invalid answer: \"{answer}\"");
                }
            }

            context.Log.Info($"Authenticating with remote: {remote.Name}");
            runner.Console.Output.Write($"Generate an access token at {remote.TokenPageUrl}, and paste it here.\nToken entered will be hidden for security.\n");
            token = prompter.AskSecret("Access Token: ") ?? "";
            if (token.Length == 0)
            {
                // As the seed: no answer (an empty line, or the end of input) ends the login quietly.
                return CommandRunner.Success;
            }
        }

        await new Login(context).ExecuteAsync(new LoginOptions(LoginTarget.ForRemote(remote), "", token), cancellationToken);
        return CommandRunner.Success;
    }
}

/// <summary>
/// <c>status --json</c>: the remote, its services, and the token's state: <c>none</c>, <c>valid</c>, <c>invalid</c>
/// (refused) or <c>unchecked</c> (the token service could not be asked), with the reason in <c>tokenError</c>.
/// </summary>
internal sealed record StatusReport(string Remote, IReadOnlyList<ServiceStatus> Services, string Token, string? TokenError);

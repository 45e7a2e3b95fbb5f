using System.CommandLine;
using System.Text.Json;
using DotnetRemote.Core;
using DotnetRemote.Core.Credentials;
using DotnetRemote.Tool.Cli;

namespace DotnetRemote.Tool.Commands;

/// <summary><c>credential get|which</c> (which credential serves a URI) and <c>credential-helper</c> (docker's protocol).</summary>
internal static class CredentialCommands
{
    public static Command Credential(CommandRunner runner)
    {
        var getUri = new Argument<string>("uri") { Description = "an image (docker://, oras://), keyserver (https://) or library (library://) URI, or a remote's name" };
        var get = new Command("get", "Print the credential that serves URI as {\"ServerURL\",\"Username\",\"Secret\"}") { getUri };
        get.SetAction(async (parseResult, cancellationToken) =>
        {
            var context = runner.CreateContext(parseResult);
            try
            {
                var match = await new CredentialResolver(context).ResolveAsync(parseResult.GetValue(getUri)!, cancellationToken);
                if (match is null)
                {
                    runner.Console.Error.Write($"no credential serves {parseResult.GetValue(getUri)}\n");
                    return 1;
                }

                // The caller asked for the secret on stdout (like a credential helper's get).
                var reply = new CredentialReply(match.ServerUrl, match.Username, match.Secret);
                runner.Console.Output.Write(JsonSerializer.Serialize(reply, HelperJsonContext.Default.CredentialReply) + "\n");
                return CommandRunner.Success;
            }
            catch (RemoteException ex)
            {
                runner.Console.Log.Fatal(ex.Message);
                return CommandRunner.Failure;
            }
        });

        var whichUri = new Argument<string>("uri") { Description = "an image (docker://, oras://), keyserver (https://) or library (library://) URI, or a remote's name" };
        var json = new Option<bool>("--json") { Description = "print machine-readable JSON" };
        var which = new Command("which", "Say which file, key, helper or environment variable serves URI, and why") { whichUri, json };
        runner.SetAction(which, async (parseResult, context, cancellationToken) =>
        {
            var match = await new CredentialResolver(context).ResolveAsync(parseResult.GetValue(whichUri)!, cancellationToken);
            var explanation = match is null
                ? new CredentialExplanation(parseResult.GetValue(whichUri)!, false, null, null, null, null, null, null, "no stored credential or environment variable serves it; access is anonymous")
                : new CredentialExplanation(parseResult.GetValue(whichUri)!, true, match.Source.ToString(), match.ServerUrl, match.Username, match.File, match.Key ?? match.Helper, match.Variable, match.Reason);
            var output = runner.Console.Output;
            if (parseResult.GetValue(json))
            {
                output.Write(JsonSerializer.Serialize(explanation, ToolJsonContext.Default.CredentialExplanation) + "\n");
            }
            else
            {
                output.Write(explanation.Reason + "\n");
            }

            return match is null ? 1 : CommandRunner.Success;
        });

        return new Command("credential", "Show which stored credential serves an image, keyserver or library URI") { get, which };
    }

    public static Command Helper(CommandRunner runner)
    {
        var command = new Command("credential-helper", "Speak the docker-credential-helpers protocol (get, store, erase, list) over our store");
        foreach (var action in new[] { "get", "store", "erase", "list", "version" })
        {
            var sub = new Command(action, $"docker-credential-helpers '{action}'");
            sub.SetAction(async (parseResult, cancellationToken) =>
                await new CredentialHelperProtocol(runner.CreateContext(parseResult)).ServeAsync(action, runner.Console.Input, runner.Console.Output, cancellationToken));
            command.Add(sub);
        }

        var directory = new Option<string?>("--dir") { Description = "where to write docker-credential-dotnet-remote (default: beside dotnet-remote)" };
        var install = new Command("install", "Write the docker-credential-dotnet-remote launcher") { directory };
        runner.SetAction(install, (parseResult, context, _) =>
        {
            var launcher = SelfCommand();
            var target = parseResult.GetValue(directory) ?? Path.GetDirectoryName(launcher[^1])!;
            var path = CredentialHelperInstaller.Install(Path.GetFullPath(target), launcher);
            context.Log.Info($"Credential helper written to {path}; use it with \"credHelpers\": {{\"<registry>\": \"dotnet-remote\"}}");
            return Task.FromResult(CommandRunner.Success);
        });
        command.Add(install);
        return command;
    }

    /// <summary>How this very program is started: its apphost or native binary, or the dotnet host and its dll.</summary>
    private static string[] SelfCommand()
    {
        var process = Environment.ProcessPath ?? "dotnet-remote";
        if (Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            return [process, Path.Combine(AppContext.BaseDirectory, "dotnet-remote.dll")];
        }

        // An installed tool runs from a versioned store; prefer the stable name on PATH that leads to it.
        return [OnPath(process) ?? process];
    }

    private static string? OnPath(string process)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "dotnet-remote");
            var target = File.Exists(candidate) ? new FileInfo(candidate).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? candidate : null;
            if (target is not null && Path.GetFullPath(target) == Path.GetFullPath(process))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>The <c>credential which</c> answer; never carries the secret.</summary>
internal sealed record CredentialExplanation(string Uri, bool Found, string? Source, string? ServerUrl, string? Username, string? File, string? Key, string? Variable, string Reason);

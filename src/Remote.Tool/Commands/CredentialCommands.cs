using System.CommandLine;
using System.Text.Json;
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
            try
            {
                var uri = parseResult.GetValue(getUri) ?? "";
                using var context = runner.CreateContext(parseResult);
                var match = await new CredentialResolver(context).ResolveAsync(uri, cancellationToken);
                if (match is null)
                {
                    runner.Console.Error.Write($"no credential serves {uri}: {CredentialResolver.AnonymousReason(uri)}\n");
                    return 1;
                }

                if (match.Source == CredentialSource.Environment)
                {
                    context.Log.Info($"{match.Variable} set: this is what Apptainer uses; the dotnet-remote credential helper answers docker and skopeo from the store instead (see 'credential which')");
                }

                // The caller asked for the secret on stdout (like a credential helper's get).
                // An identity token carries the helpers' "<token>" user name, as the helper's own get answers it.
                var reply = new CredentialReply(match.ServerUrl, match.IsIdentityToken ? HelperCredential.IdentityTokenUsername : match.Username, match.Secret);
                runner.Console.Output.Write(JsonSerializer.Serialize(reply, HelperJsonContext.Output.CredentialReply) + "\n");
                return CommandRunner.Success;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return CommandRunner.ReportFailure(runner.Console, ex);
            }
        });

        var whichUri = new Argument<string>("uri") { Description = "an image (docker://, oras://), keyserver (https://) or library (library://) URI, or a remote's name" };
        var json = new Option<bool>("--json") { Description = "print machine-readable JSON" };
        var which = new Command("which", "Say which file, key, helper or environment variable serves URI, and why") { whichUri, json };
        runner.SetAction(which, async (parseResult, context, cancellationToken) =>
        {
            var uri = parseResult.GetValue(whichUri) ?? "";
            var resolver = new CredentialResolver(context);
            var match = await resolver.ResolveAsync(uri, cancellationToken);
            string? helperAnswer = null;
            var reason = match?.Reason ?? CredentialResolver.AnonymousReason(uri);
            if (match?.Source == CredentialSource.Environment)
            {
                // One story with the helper: docker and skopeo never see these variables through it.
                var stored = await resolver.ResolveHelperAnswerAsync(uri, cancellationToken);
                helperAnswer = stored is null
                    ? "none: the dotnet-remote credential helper serves stored logins only, and there is none for this registry"
                    : $"the stored login: {stored.Reason}";
                reason += $"; docker and skopeo asking the dotnet-remote credential helper get {(stored is null ? "no credential (it serves stored logins only, never these variables)" : $"the stored login instead ({stored.Reason})")}";
            }

            var explanation = match is null
                ? new CredentialExplanation(uri, false, null, null, null, null, null, null, reason, null)
                : new CredentialExplanation(uri, true, match.Source.ToString(), match.ServerUrl, match.Username, match.File, match.Key ?? match.Helper, match.Variable, reason, helperAnswer);
            var output = runner.Console.Output;
            if (parseResult.GetValue(json))
            {
                output.Write(JsonSerializer.Serialize(explanation, ToolJsonContext.Output.CredentialExplanation) + "\n");
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
            {
                try
                {
                    using var context = runner.CreateContext(parseResult);
                    return await new CredentialHelperProtocol(context).ServeAsync(action, runner.Console.Input, runner.Console.Output, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // The protocol's error channel: one line on stdout, exit 1 (docker shows that line); details under --debug.
                    runner.Console.Output.Write(CommandRunner.Describe(ex) + "\n");
                    runner.Console.Log.Debug(ex.ToString());
                    return 1;
                }
            });
            command.Add(sub);
        }

        var directory = new Option<string?>("--dir") { Description = "where to write docker-credential-dotnet-remote (default: beside dotnet-remote)" };
        var install = new Command("install", "Write the docker-credential-dotnet-remote launcher") { directory };
        runner.SetAction(install, async (parseResult, context, cancellationToken) =>
        {
            await new InstallCredentialHelper(context).ExecuteAsync(new InstallCredentialHelperOptions(parseResult.GetValue(directory), AppContext.BaseDirectory, SelfCommand(), NativeTool: !RunsOnDotnetHost()), cancellationToken);
            return CommandRunner.Success;
        });
        command.Add(install);
        return command;
    }

    /// <summary>The native credential helper shipped beside this native tool, or null (the portable tool, a dev build).</summary>
    /// <summary>A framework-dependent run (<c>dotnet dotnet-remote.dll</c>), which has no native helper beside it.</summary>
    private static bool RunsOnDotnetHost() => Path.GetFileNameWithoutExtension(Environment.ProcessPath) is "dotnet" or null;

    /// <summary>How this very program is started: its apphost or native binary, or the dotnet host and its dll.</summary>
    private static string[] SelfCommand()
    {
        var process = Environment.ProcessPath ?? "dotnet-remote";
        if (Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            return [process, Path.Combine(AppContext.BaseDirectory, "dotnet-remote.dll")];
        }

        // An installed tool runs from a versioned store; prefer the stable name it was started by (a --tool-path or
        // global tool's link), else the one on PATH, that leads to it.
        return [StartedBy(process) ?? OnPath(process) ?? process];
    }

    private static string? StartedBy(string process)
    {
        var invoked = CredentialHelperProcess.InvokedPath();
        if (invoked is null || invoked == Path.GetFullPath(process) || !File.Exists(invoked))
        {
            return null;
        }

        var target = new FileInfo(invoked).ResolveLinkTarget(returnFinalTarget: true)?.FullName;
        return target is not null && Path.GetFullPath(target) == Path.GetFullPath(process) ? invoked : null;
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
/// <param name="HelperAnswer">Set when the environment pair serves <paramref name="Uri"/>: what the credential helper answers docker and skopeo instead.</param>
internal sealed record CredentialExplanation(string Uri, bool Found, string? Source, string? ServerUrl, string? Username, string? File, string? Key, string? Variable, string Reason, string? HelperAnswer);

using System.CommandLine;
using System.Text.Json;
using DotnetRemote.Core.Manifests;
using DotnetRemote.Tool.Cli;

namespace DotnetRemote.Tool.Commands;

/// <summary>
/// <c>apply -f FILE</c>: the declarative entry point for CI pipelines, and with <c>--system</c> for administrators.
/// <c>--check</c> exits 0 when nothing would change and 2 when something would (255 on error).
/// </summary>
internal static class ApplyCommand
{
    /// <summary><c>--check</c>: the files do not match the manifest (the plan says what would change).</summary>
    public const int WouldChange = 2;

    public static Command Create(CommandRunner runner)
    {
        var file = new Option<string>("--file", "-f") { Description = "the manifest (YAML) to apply", Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "print the plan without writing anything" };
        var noVerify = new Option<bool>("--no-verify") { Description = "skip the online checks of tokens and passwords" };
        var json = new Option<bool>("--json") { Description = "print machine-readable JSON" };
        var system = new Option<bool>("--system") { Description = "apply the manifest's remotes to the system file (root only; no tokens or logins)" };
        var check = new Option<bool>("--check") { Description = "print the plan, write nothing; exit 0 when nothing would change, 2 when something would" };
        var prune = new Option<bool>("--prune") { Description = "also remove remotes and logins the manifest does not declare" };
        var command = new Command("apply", "Make remotes, keyservers and logins match a manifest, with secrets from the environment") { file, dryRun, noVerify, json, system, check, prune };
        runner.SetAction(command, async (parseResult, context, cancellationToken) =>
        {
            var manifest = ManifestReader.Load(parseResult.GetValue(file)!, context.Environment);
            var output = runner.Console.Output;

            // First, before any other output: tell the CI platform which values to hide from its logs. Both GitHub
            // Actions and Azure Pipelines read these commands from stderr too, so with --json they go there and
            // stdout stays one JSON document (`apply --json | jq .` works on CI).
            var maskOutput = parseResult.GetValue(json) ? runner.Console.Error : output;
            foreach (var mask in CiSecretMasking.Commands(manifest.Secrets, context.Environment))
            {
                maskOutput.Write(mask + "\n");
            }

            maskOutput.Flush();
            var checking = parseResult.GetValue(check);
            var options = new ApplyManifestOptions(manifest, parseResult.GetValue(dryRun) || checking, parseResult.GetValue(noVerify), SystemScope: parseResult.GetValue(system), Prune: parseResult.GetValue(prune));
            var result = await new ApplyManifest(context).ExecuteAsync(options, cancellationToken);
            var exitCode = checking && result.ChangesAnything ? WouldChange : CommandRunner.Success;
            if (parseResult.GetValue(json))
            {
                output.Write(JsonSerializer.Serialize(result, ToolJsonContext.Output.ApplyManifestResult) + "\n");
                return exitCode;
            }

            var table = new TextTable().Row("KIND", "TARGET", "ACTION", "DETAIL");
            foreach (var change in result.Changes)
            {
                table.Row(change.Kind, change.Target, change.Action, change.Detail);
            }

            table.WriteTo(output);
            if (checking)
            {
                var count = result.Changes.Count(c => c.Action != "unchanged");
                context.Log.Info(count == 0 ? "Check: nothing to change." : $"Check: {count} change(s) to make; nothing was written.");
            }
            else if (parseResult.GetValue(dryRun))
            {
                context.Log.Info("Dry run: nothing was written.");
            }
            else if (!result.ChangesAnything)
            {
                context.Log.Info("Nothing to change.");
            }

            return exitCode;
        });
        return command;
    }
}

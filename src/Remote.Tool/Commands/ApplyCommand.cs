using System.CommandLine;
using System.Text.Json;
using DotnetRemote.Core.Manifests;
using DotnetRemote.Tool.Cli;

namespace DotnetRemote.Tool.Commands;

/// <summary><c>apply -f FILE</c>: the declarative entry point for CI pipelines.</summary>
internal static class ApplyCommand
{
    public static Command Create(CommandRunner runner)
    {
        var file = new Option<string>("--file", "-f") { Description = "the manifest (YAML) to apply", Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "print the plan without writing anything" };
        var noVerify = new Option<bool>("--no-verify") { Description = "skip the online checks of tokens and passwords" };
        var json = new Option<bool>("--json") { Description = "print machine-readable JSON" };
        var command = new Command("apply", "Make remotes, keyservers and logins match a manifest, with secrets from the environment") { file, dryRun, noVerify, json };
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
            var result = await new ApplyManifest(context).ExecuteAsync(manifest, new ApplyManifestOptions(parseResult.GetValue(dryRun), parseResult.GetValue(noVerify)), cancellationToken);
            if (parseResult.GetValue(json))
            {
                output.Write(JsonSerializer.Serialize(result, ToolJsonContext.Output.ApplyManifestResult) + "\n");
                return CommandRunner.Success;
            }

            var table = new TextTable().Row("KIND", "TARGET", "ACTION", "DETAIL");
            foreach (var change in result.Changes)
            {
                table.Row(change.Kind, change.Target, change.Action, change.Detail);
            }

            table.WriteTo(output);
            if (parseResult.GetValue(dryRun))
            {
                context.Log.Info("Dry run: nothing was written.");
            }
            else if (!result.ChangesAnything)
            {
                context.Log.Info("Nothing to change.");
            }

            return CommandRunner.Success;
        });
        return command;
    }
}

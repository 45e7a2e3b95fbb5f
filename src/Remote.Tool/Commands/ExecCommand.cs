using System.CommandLine;
using DotnetRemote.Core.Exec;
using DotnetRemote.Core.Manifests;
using DotnetRemote.Tool.Cli;

namespace DotnetRemote.Tool.Commands;

/// <summary>
/// <c>exec [-f MANIFEST]... [--keep-user-state] [--no-verify] -- COMMAND [ARGS...]</c>: the command runs with exactly the
/// declared logins, in a private configuration removed afterwards. The exit code is the command's.
/// </summary>
internal static class ExecCommand
{
    public const string Name = "exec";

    public static Command Create(CommandRunner runner)
    {
        var files = new Option<string[]>("--file", "-f") { Description = "a manifest (YAML) to apply into the private configuration; may repeat" };
        var keepUserState = new Option<bool>("--keep-user-state") { Description = "start from a copy of your remotes and logins instead of an empty configuration" };
        var noVerify = new Option<bool>("--no-verify") { Description = "skip the online checks of tokens and passwords" };
        var commandLine = new Argument<string[]>("command") { Description = "the command and its arguments, after --", Arity = ArgumentArity.OneOrMore };
        var command = new Command(Name, "Run a command with exactly the logins of the manifests, in a private configuration removed afterwards")
        {
            files, keepUserState, noVerify, commandLine,
        };
        runner.SetAction(command, async (parseResult, context, cancellationToken) =>
        {
            var manifestFiles = parseResult.GetValue(files) ?? [];
            var builder = new ManifestBuilder(context.Environment, manifestFiles.Length == 0 ? "exec" : string.Join(", ", manifestFiles));
            foreach (var file in manifestFiles)
            {
                builder.Include(ManifestReader.Load(file, context.Environment));
            }

            var manifest = builder.Build();
            var output = runner.Console.Output;

            // First, before the command can print anything: tell the CI platform which values to hide from its logs.
            foreach (var mask in CiSecretMasking.Commands(manifest.Secrets, context.Environment))
            {
                output.Write(mask + "\n");
            }

            output.Flush();
            var arguments = parseResult.GetValue(commandLine)!;
            var child = new ChildCommand(arguments[0], arguments[1..]);
            var options = new ExecInScopeOptions(manifest, child, ProcessEnvironment(), ExecOutput.Inherit, parseResult.GetValue(keepUserState), parseResult.GetValue(noVerify), ForwardSignals: true);
            return (await new ExecInScope(context).ExecuteAsync(options, cancellationToken)).ExitCode;
        });
        return command;
    }

    private static Dictionary<string, string> ProcessEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = entry.Value as string ?? "";
        }

        return environment;
    }
}

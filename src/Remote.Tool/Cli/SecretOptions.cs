using System.CommandLine;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Tool.Cli;

/// <summary>
/// <c>-u/--username</c>, <c>-p/--password</c> and <c>--password-stdin</c>, with Apptainer's environment fallbacks.
/// Prefer stdin or the prompt: a password on the command line is visible to every user of the machine.
/// </summary>
internal sealed class SecretOptions
{
    public Option<string?> UsernameOption { get; } = new("--username", "-u") { Description = "username to authenticate with (required for Docker/OCI registry login)" };

    public Option<string?> PasswordOption { get; } = new("--password", "-p") { Description = "password / token to authenticate with (visible to other users; prefer --password-stdin)" };

    public Option<bool> PasswordStdinOption { get; } = new("--password-stdin") { Description = "take password from standard input" };

    public void AddTo(Command command)
    {
        command.Add(UsernameOption);
        command.Add(PasswordOption);
        command.Add(PasswordStdinOption);
    }

    public string Username(ParseResult parseResult, CommandRunner runner) =>
        parseResult.GetValue(UsernameOption) ?? Environment(runner, "LOGIN_USERNAME") ?? "";

    public string Password(ParseResult parseResult, CommandRunner runner, string prompt)
    {
        var prompter = new Prompter(runner.Console);
        if (parseResult.GetValue(PasswordStdinOption))
        {
            return prompter.ReadAllInput();
        }

        var password = parseResult.GetValue(PasswordOption) ?? Environment(runner, "LOGIN_PASSWORD");
        if (!string.IsNullOrEmpty(password))
        {
            return password;
        }

        return prompter.AskSecret(prompt) is { Length: > 0 } answer
            ? answer
            : throw new RemoteException(RemoteErrorCodes.PasswordRequired, "A password is required");
    }

    private static string? Environment(CommandRunner runner, string name) =>
        runner.Console.Environment("APPTAINER_" + name) is { Length: > 0 } value ? value : runner.Console.Environment("SINGULARITY_" + name) is { Length: > 0 } legacy ? legacy : null;
}

using System.CommandLine;
using System.Text.Json;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Logins;
using DotnetRemote.Tool.Cli;

namespace DotnetRemote.Tool.Commands;

/// <summary>OCI registry logins: through the seed's <c>login docker://…</c> and the newer <c>registry</c> group.</summary>
internal static class RegistryCommands
{
    public static Command Group(CommandRunner runner)
    {
        var authFile = new Option<string?>("--authfile") { Description = "Docker-style authentication file to use for writing/reading OCI registry credentials", Recursive = true };
        string? AuthFile(ParseResult parseResult) => parseResult.GetValue(authFile);

        var loginUri = new Argument<string>("registry_uri") { Description = "the registry: docker://HOST[:PORT][/NAMESPACE] or oras://…" };
        var secrets = new SecretOptions();
        var insecure = new Option<bool>("--insecure", "-i") { Description = "allow http or an untrusted certificate" };
        var trustRealm = TrustRealmOption();
        var login = new Command("login", "Login to an OCI/Docker registry") { loginUri, insecure, trustRealm };
        secrets.AddTo(login);
        runner.SetAction(login, (parseResult, context, cancellationToken) =>
            LoginAsync(runner, context, parseResult, secrets, parseResult.GetValue(loginUri)!, parseResult.GetValue(insecure), parseResult.GetValue(trustRealm) ?? [], cancellationToken), AuthFile);

        var logoutUri = new Argument<string?>("registry_uri") { Arity = ArgumentArity.ZeroOrOne, Description = "the registry to forget the login of (docker:// or oras://)" };
        var all = new Option<bool>("--all") { Description = "log out of every registry (for the end of a CI job)" };
        var logout = new Command("logout", "Logout from an OCI/Docker registry") { logoutUri, all };
        runner.SetAction(logout, async (parseResult, context, cancellationToken) =>
        {
            if (parseResult.GetValue(all))
            {
                await new LogoutAllRegistries(context).ExecuteAsync(new LogoutAllRegistriesOptions(), cancellationToken);
                return CommandRunner.Success;
            }

            var uri = parseResult.GetValue(logoutUri) ?? throw new RemoteException(RemoteErrorCodes.InvalidArgument, "name a registry URI, or use --all");
            await new LogoutRegistry(context).ExecuteAsync(new LogoutRegistryOptions(uri), cancellationToken);
            return CommandRunner.Success;
        }, AuthFile);

        var json = new Option<bool>("--json") { Description = "print machine-readable JSON" };
        var list = new Command("list", "List all OCI credentials that are configured") { json };
        runner.SetAction(list, async (parseResult, context, cancellationToken) =>
        {
            var entries = (await new ListRegistryLogins(context).ExecuteAsync(new ListRegistryLoginsOptions(), cancellationToken)).Logins;
            if (parseResult.GetValue(json))
            {
                runner.Console.Output.Write(JsonSerializer.Serialize(entries, ToolJsonContext.Output.IReadOnlyListRegistryLoginInfo) + "\n");
                return CommandRunner.Success;
            }

            var table = new TextTable().Row("URI", "SECURE?");
            foreach (var entry in entries)
            {
                table.Row(entry.Uri ?? entry.Key ?? "", entry.Insecure ? "✗!" : "✓");
            }

            runner.Console.Output.Write('\n');
            table.WriteTo(runner.Console.Output);
            return CommandRunner.Success;
        }, AuthFile);

        return new Command("registry", "Manage authentication to OCI/Docker registries") { authFile, login, logout, list };
    }

    /// <summary><c>--trust-realm HOST</c>, repeatable: a token realm host that may receive the credentials (RealmPolicy).</summary>
    public static Option<string[]> TrustRealmOption() => new("--trust-realm")
    {
        Description = "trust this token realm host with the credentials although it is on another domain (repeatable)",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    private static async Task<int> LoginAsync(CommandRunner runner, RemoteContext context, ParseResult parseResult, SecretOptions secrets, string uri, bool insecure, IReadOnlyList<string> trustedRealms, CancellationToken cancellationToken)
    {
        // Scheme and username are checked before any prompt, as Apptainer does.
        var username = secrets.Username(parseResult, runner);
        var login = (await new PrepareLogin(context).ExecuteAsync(new PrepareLoginOptions(uri, username, Kind: LoginKind.Registry), cancellationToken)).Target;
        var password = secrets.Password(parseResult, runner, "Password (or token when username is empty): ");
        await new Login(context).ExecuteAsync(new LoginOptions(login, username, password, insecure, trustedRealms), cancellationToken);
        return CommandRunner.Success;
    }
}

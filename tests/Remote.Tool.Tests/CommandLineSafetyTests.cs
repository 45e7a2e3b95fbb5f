using System.CommandLine;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using DotnetRemote.Tool.Cli;
using DotnetRemote.Tool.Tests.TestSupport;

namespace DotnetRemote.Tool.Tests;

/// <summary>
/// Issue 10: a command line that fails safely (usage errors in the seed's words, nothing written, no stack trace)
/// and speaks the seed exactly, through the in-process command tree.
/// </summary>
public sealed partial class CommandLineSafetyTests : IDisposable
{
    private const string UseUsage = """
        Usage:
          dotnet-remote use [options] <remote_name>

        Arguments:
          <remote_name>  the remote to make the active one

        Options:
          -g, --global         edit the list of globally configured remote endpoints
          -e, --exclusive      set the endpoint as exclusive (root user only, imply --global)
          -h, --help           Show help and usage information
          -c, --config string  path to the file holding remote endpoint configurations
          -d, --debug          print debugging information: HTTP requests, files read and written, helpers called (never a secret)

        """;

    private readonly TestMachine _machine = new();
    private readonly CliRunner _cli;

    public CommandLineSafetyTests() => _cli = new CliRunner(_machine);

    public void Dispose() => _machine.Dispose();

    [Fact]
    public async Task An_unknown_flag_where_a_name_is_expected_is_a_usage_error_with_the_usage_on_stderr()
    {
        var result = await _cli.UserAsync("use", "--frobnicate");

        Assert.Equal(
            new CliResult(1, "", "Error for command \"use\": unknown flag: --frobnicate\n\n" + UseUsage + "\nRun 'dotnet-remote use --help' for more detailed usage information.\n"),
            result);
        Assert.False(File.Exists(_machine.UserFile));
    }

    [Theory]
    [InlineData("unknown flag: --bogus", "add", "--no-login", "--bogus", "x.example.com")]
    [InlineData("unknown flag: --bogus", "add", "--no-login", "x", "--bogus=1", "x.example.com")]
    [InlineData("unknown shorthand flag: 'n' in -n", "add", "-n", "NAME", "x.example.com")]
    [InlineData("unknown shorthand flag: 'n' in -gn", "add", "-gn", "NAME", "x.example.com")]
    [InlineData("unknown flag: --frobnicate", "remove", "--frobnicate")]
    [InlineData("unknown flag: --bogus", "list", "--bogus")]
    [InlineData("unknown shorthand flag: 'x' in -x", "login", "-x")]
    [InlineData("unknown flag: --nope", "registry", "login", "--nope", "docker://r.example.com")]
    [InlineData("unknown command \"extra\" for \"dotnet-remote list\"", "list", "extra")]
    [InlineData("accepts 2 arg(s), received 1", "add", "onlyone")]
    [InlineData("accepts 2 arg(s), received 3", "add", "a", "b", "c")]
    [InlineData("accepts between 1 and 2 arg(s), received 0", "add-keyserver")]
    [InlineData("accepts at most 1 arg(s), received 2", "status", "a", "b")]
    [InlineData("invalid argument \"x\" for \"-o, --order\" flag: strconv.ParseInt: parsing \"x\": invalid syntax", "add-keyserver", "--order", "x", "https://k.example.com")]
    [InlineData("flag needs an argument: --tokenfile", "add", "x", "y", "--tokenfile")]
    [InlineData("flag needs an argument: 'c' in -c", "list", "-c")]
    [InlineData("required flag(s) \"file\" not set", "apply")]
    public async Task Usage_errors_speak_cobras_words_exit_1_and_write_nothing(string message, params string[] args)
    {
        var result = await _cli.RootAsync(args);

        var command = args[0] == "registry" ? args[1] : args[0];
        Assert.Equal((1, ""), (result.ExitCode, result.Stdout));
        Assert.StartsWith($"Error for command \"{command}\": {message}\n\nUsage:\n  dotnet-remote {(args[0] == "registry" ? "registry " : "")}{command} ", result.Stderr, StringComparison.Ordinal);
        Assert.EndsWith($"\nRun 'dotnet-remote {(args[0] == "registry" ? "registry " : "")}{command} --help' for more detailed usage information.\n", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_machine.UserFile));
        Assert.False(File.Exists(_machine.SystemFile));
    }

    [Fact]
    public async Task After_a_double_dash_a_name_may_start_with_a_dash()
    {
        var result = await _cli.UserAsync("add", "--no-login", "--", "-dash", "x.example.com");

        Assert.Equal(new CliResult(0, "", "INFO:    Remote \"-dash\" added.\n"), result);
        Assert.Equal("Active: \"\"\nRemotes:\n  -dash:\n    URI: x.example.com\n    System: false\n    Exclusive: false\n", _machine.ReadUser());
    }

    [Fact]
    public async Task A_mistyped_command_is_one_error_line_and_a_suggestion_on_stderr()
    {
        var result = await _cli.UserAsync("lsit");

        Assert.Equal(new CliResult(1, "", "Error: unknown command \"lsit\" for \"dotnet-remote\"\n\nDid you mean this?\n\tlist\n\nRun 'dotnet-remote --help' for usage.\n"), result);
    }

    [Fact]
    public async Task A_mistyped_subcommand_names_its_group()
    {
        var result = await _cli.UserAsync("keyserver", "lst");

        Assert.Equal(new CliResult(1, "", "Error: unknown command \"lst\" for \"dotnet-remote keyserver\"\n\nDid you mean this?\n\tlist\n\nRun 'dotnet-remote keyserver --help' for usage.\n"), result);
    }

    [Fact]
    public async Task A_group_without_its_subcommand_prints_its_help()
    {
        var result = await _cli.UserAsync("keyserver");

        Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
        Assert.StartsWith("Manage apptainer keyservers\n\nUsage:\n  dotnet-remote keyserver [command] [options]\n", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Response_files_and_directives_are_plain_names()
    {
        var result = await _cli.UserAsync("add", "--no-login", "@team", "team.example.com");

        Assert.Equal(new CliResult(0, "", "INFO:    Remote \"@team\" added.\n"), result);
    }

    [Fact]
    public async Task Every_commands_help_starts_with_its_description_and_describes_every_argument()
    {
        var root = RemoteCli.Build(new CliConsole(TextWriter.Null, TextWriter.Null, TextReader.Null, _machine.Environment, inputIsTerminal: false));
        var commands = Walk(root, []).ToList();
        Assert.True(commands.Count > 30, $"only {commands.Count} commands found");
        foreach (var (command, path) in commands)
        {
            var result = await _cli.UserAsync([.. path, "--help"]);

            Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
            Assert.False(string.IsNullOrWhiteSpace(command.Description), $"'{string.Join(' ', path)}' has no description");
            Assert.StartsWith($"{command.Description}\n\nUsage:\n  {string.Join(' ', ["dotnet-remote", .. path])}", result.Stdout, StringComparison.Ordinal);
            foreach (var argument in command.Arguments)
            {
                Assert.False(string.IsNullOrWhiteSpace(argument.Description), $"argument {argument.Name} of '{string.Join(' ', path)}' has no description");
                Assert.Matches($"\n  {Regex.Escape(HelpWriter.ArgumentLabel(argument))} +{Regex.Escape(argument.Description!)}\n", result.Stdout);
            }

            Assert.DoesNotContain("Description:", result.Stdout, StringComparison.Ordinal);
        }
    }

    private static IEnumerable<(Command Command, string[] Path)> Walk(Command command, string[] path)
    {
        yield return (command, path);
        foreach (var sub in command.Subcommands)
        {
            foreach (var item in Walk(sub, [.. path, sub.Name]))
            {
                yield return item;
            }
        }
    }

    [Fact]
    public async Task Usage_says_dotnet_remote_when_started_through_dotnet()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new CliConsole(output, error, TextReader.Null, _machine.Environment, inputIsTerminal: false, programName: "dotnet remote");

        var exit = await RemoteCli.RunAsync(["add", "--bogus"], console);

        Assert.Equal(1, exit);
        Assert.Contains("\nUsage:\n  dotnet remote add [options] <remote_name> <remote_URI>\n", error.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("\nRun 'dotnet remote add --help' for more detailed usage information.\n", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dotnet-remote", "/usr/bin/bash")]
    [InlineData("dotnet-remote", "bash", "-c", "dotnet-remote list")]
    [InlineData("dotnet remote", "dotnet", "remote", "list")]
    [InlineData("dotnet remote", "/usr/share/dotnet/dotnet", "remote", "add", "x", "y")]
    [InlineData("dotnet remote", "/usr/share/dotnet/dotnet", "--roll-forward", "remote")]
    [InlineData("dotnet-remote", "/usr/share/dotnet/dotnet", "dotnet-remote.dll", "list")]
    [InlineData("dotnet-remote", "dotnet", "tool", "run", "dotnet-remote")]
    [InlineData("dotnet remote", "dotnet remote list")]
    public void The_program_name_comes_from_the_parent_command_line(string expected, params string[] parent)
    {
        Assert.Equal(expected, ProcessIdentity.ProgramName(parent));
    }

    [Fact]
    public async Task A_config_file_in_a_missing_folder_is_fatal_and_creates_nothing()
    {
        var folder = Path.Combine(_machine.Root, "nowhere");
        var config = Path.Combine(folder, "remote.yaml");

        var added = await _cli.UserAsync("-c", config, "add", "--no-login", "x", "x.example.com");
        var listed = await _cli.UserAsync("list", "-c", config);

        var fatal = $"FATAL:   while opening remote config file: open {config}: no such file or directory\n";
        Assert.Equal(new CliResult(255, "", fatal), added);
        Assert.Equal(new CliResult(255, "", fatal), listed);
        Assert.False(Directory.Exists(folder));
        Assert.False(File.Exists(_machine.UserFile));
    }

    [Theory]
    [InlineData("FATAL:   while opening remote config file: -c/--config names no file (the path is empty)\n", "-c", "", "list")]
    [InlineData("FATAL:   while opening remote config file: -c/--config names no file (the path is empty)\n", "add", "--no-login", "x", "x.example.com", "--config", "")]
    [InlineData("FATAL:   while opening OCI registry credentials file: --authfile names no file (the path is empty)\n", "registry", "list", "--authfile", "")]
    [InlineData("FATAL:   while opening OCI registry credentials file: --authfile names no file (the path is empty)\n", "registry", "login", "--authfile", "", "-u", "a", "--password-stdin", "docker://r.example.com")]
    public async Task Empty_paths_are_one_clear_fatal_line(string expected, params string[] args)
    {
        var result = await _cli.UserAsync(args);

        Assert.Equal(new CliResult(255, "", expected), result);
        Assert.False(File.Exists(_machine.UserFile));
    }

    [Theory]
    [InlineData("credential", "get", " ")]
    [InlineData("credential", "which", "")]
    public async Task An_empty_uri_is_named_as_such(params string[] args)
    {
        var result = await _cli.UserAsync(args);

        Assert.Equal(new CliResult(255, "", "FATAL:   no URI given: name an image (docker://, oras://), a keyserver (https://), a library (library://) URI or a remote\n"), result);
    }

    [Theory]
    [InlineData("credential", "get", " ")]
    [InlineData("credential", "which", " ")]
    [InlineData("-c", "bad\0path", "list")]
    [InlineData("registry", "list", "--authfile", "bad\0path")]
    public async Task Any_exception_is_one_fatal_line_without_a_stack_trace(params string[] args)
    {
        var result = await _cli.UserAsync(args);

        Assert.Equal((255, ""), (result.ExitCode, result.Stdout));
        Assert.Matches("^FATAL:   [^\n]+\n$", result.Stderr);
        Assert.DoesNotContain(" at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bug_names_the_exception_and_shows_its_stack_only_under_debug()
    {
        using var broken = new ThrowingHandler(new InvalidOperationException("boom"));
        await _cli.UserAsync("add", "--no-login", "r", "r.example.com");

        var plain = await RunWithHandlerAsync(broken, "status", "r");
        var debug = await RunWithHandlerAsync(broken, "--debug", "status", "r");

        Assert.Equal(new CliResult(255, "", "INFO:    Checking status of remote: r\nFATAL:   unexpected error: boom (InvalidOperationException; run with --debug for details)\n"), plain);
        Assert.Equal(255, debug.ExitCode);
        Assert.Contains("FATAL:   unexpected error: boom (InvalidOperationException; run with --debug for details)\n", debug.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"DEBUG   \[U=\d+,P=\d+\] +System.InvalidOperationException: boom\n +at ", debug.Stderr);
    }

    [Fact]
    public async Task The_credential_helper_reports_any_exception_on_its_protocols_error_channel()
    {
        var cli = new CliRunner(_machine, name => name == "APPTAINER_AUTH_FILE" ? "bad\0file" : _machine.Environment(name));

        var result = await cli.RunAsync(isRoot: false, ["credential-helper", "list"]);

        Assert.Equal((1, ""), (result.ExitCode, result.Stderr));
        Assert.Matches("^unexpected error: [^\n]+ \\(ArgumentException; run with --debug for details\\)\n$", result.Stdout);
    }

    [Fact]
    public async Task Add_with_no_answer_at_the_token_prompt_ends_quietly_and_keeps_the_remote()
    {
        _cli.Http.Discovery("enterprise.example.com", "https://keys.example.com");

        var result = await _cli.RunAsync(isRoot: false, ["add", "myremote", "https://enterprise.example.com"], stdin: "");

        Assert.Equal(
            new CliResult(0, "Generate an access token at https://enterprise.example.com/auth/tokens, and paste it here.\nToken entered will be hidden for security.\nAccess Token: \n", "INFO:    Remote \"myremote\" added.\nINFO:    Authenticating with remote: myremote\n"),
            result);
        Assert.Contains("  myremote:\n    URI: enterprise.example.com\n", _machine.ReadUser(), StringComparison.Ordinal);
        Assert.DoesNotContain("Token:", _machine.ReadUser(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_with_an_empty_line_ends_quietly_and_a_piped_token_still_works()
    {
        _cli.Http.Discovery("enterprise.example.com", "https://keys.example.com")
            .Respond("https://auth.enterprise.example.com/token/v1/token-status", "{}");
        await _cli.UserAsync("add", "--no-login", "myremote", "https://enterprise.example.com");

        var empty = await _cli.RunAsync(isRoot: false, ["login", "myremote"], stdin: "\n");
        var piped = await _cli.RunAsync(isRoot: false, ["login", "myremote"], stdin: "s3cr3t-token\n");

        Assert.Equal((0, "INFO:    Authenticating with remote: myremote\n"), (empty.ExitCode, empty.Stderr));
        Assert.Equal(0, piped.ExitCode);
        Assert.Contains("INFO:    Access Token Verified!\n", piped.Stderr, StringComparison.Ordinal);
        Assert.Contains("    Token: s3cr3t-token\n", _machine.ReadUser(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_without_a_default_remote_speaks_the_seeds_message()
    {
        _machine.WriteSystem("Active: \"\"\nRemotes:\n  corp:\n    URI: corp.example.com\n    System: true\n    Exclusive: false\n");
        await _cli.UserAsync("add", "--no-login", "mine", "mine.example.com");

        var result = await _cli.UserAsync("login");

        Assert.Equal(new CliResult(255, "", "FATAL:   no default endpoint set: use 'dotnet remote use <endpoint>', available endpoints are: corp, mine\n"), result);
    }

    [Fact]
    public async Task A_keyserver_no_remote_lists_is_refused_before_the_password_prompt()
    {
        var result = await _cli.RunAsync(isRoot: false, ["login", "https://keys.unknown.example"], stdin: "typed-secret\n");

        Assert.Equal(new CliResult(255, "", "FATAL:   no external keyserver configuration found for https://keys.unknown.example\n"), result);
    }

    [Fact]
    public async Task A_bare_host_and_port_gets_the_docker_uri_to_use()
    {
        var result = await _cli.RunAsync(isRoot: false, ["login", "-u", "alice", "--password-stdin", "registry.example.com:5000"], stdin: "pw");

        Assert.Equal(new CliResult(255, "", "FATAL:   registry.example.com transport is not supported (for an OCI registry use docker://registry.example.com:5000)\n"), result);
    }

    [Fact]
    public async Task A_missing_password_is_the_seeds_capitalised_message()
    {
        var result = await _cli.RunAsync(isRoot: false, ["login", "-u", "alice", "docker://registry.example.com"], stdin: "");

        Assert.Equal(255, result.ExitCode);
        Assert.Equal("FATAL:   A password is required\n", result.Stderr);
    }

    [Fact]
    public async Task Json_output_is_not_needlessly_escaped()
    {
        var result = await _cli.UserAsync("credential", "which", "docker://r.example.com/a<b>&\"c\"");

        Assert.DoesNotContain("\\u00", result.Stdout, StringComparison.Ordinal);
        var which = await _cli.UserAsync("credential", "which", "--json", "library://host.example.com/e/c/i");
        Assert.Equal(1, which.ExitCode);
        Assert.Contains("\"reason\": \"library://host.example.com/e/c/i names its library host (host.example.com), so Apptainer sends no token (not even the active remote's); access is anonymous\"", which.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", which.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registry_list_has_json()
    {
        Directory.CreateDirectory(_machine.ConfigDir);
        var dockerConfig = Path.Combine(_machine.ConfigDir, "docker-config.json");
        File.WriteAllText(dockerConfig, """{"auths":{"ghcr.io":{"auth":"YTpi"}}}""");
        File.SetUnixFileMode(dockerConfig, UnixFileMode.UserRead | UnixFileMode.UserWrite); // as every writer leaves it

        var result = await _cli.UserAsync("registry", "list", "--json");

        Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
        using var json = JsonDocument.Parse(result.Stdout);
        var entry = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(("ghcr.io", "a", false), (entry.GetProperty("key").GetString(), entry.GetProperty("username").GetString(), entry.GetProperty("insecure").GetBoolean()));
        Assert.DoesNotContain("\"b\"", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_has_json_and_keeps_its_exit_code()
    {
        _cli.Http.Discovery("enterprise.example.com", "https://keys.example.com")
            .Respond("https://auth.enterprise.example.com/token/v1/token-status", "{}", HttpStatusCode.Unauthorized);
        await _cli.UserAsync("add", "--no-login", "myremote", "https://enterprise.example.com");
        _machine.WriteUser(_machine.ReadUser().Replace("    URI: enterprise.example.com\n", "    URI: enterprise.example.com\n    Token: t0ken\n", StringComparison.Ordinal));

        var result = await _cli.UserAsync("status", "--json", "myremote");

        Assert.Equal(255, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(("myremote", "invalid"), (json.RootElement.GetProperty("remote").GetString(), json.RootElement.GetProperty("token").GetString()));
        Assert.Contains(json.RootElement.GetProperty("services").EnumerateArray(), s => s.GetProperty("name").GetString() == "Keyserver");
        Assert.DoesNotContain("t0ken", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Debug_shows_requests_files_and_the_credential_kind_never_the_secret()
    {
        _cli.Http.Discovery("enterprise.example.com", "https://keys.example.com")
            .Respond("https://auth.enterprise.example.com/token/v1/token-status", "{}");
        await _cli.UserAsync("add", "--no-login", "myremote", "https://enterprise.example.com");

        var result = await _cli.RunAsync(isRoot: false, ["-d", "login", "myremote"], stdin: "s3cr3t-token\n");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"DEBUG   \[U=[0-9?]+,P=\d+\] +HTTP GET https://enterprise.example.com/assets/config/config.prod.json \(no credentials\)\n", result.Stderr);
        Assert.Matches(@"DEBUG   \[U=[0-9?]+,P=\d+\] +HTTP GET https://auth.enterprise.example.com/token/v1/token-status \(Bearer credentials\)\n", result.Stderr);
        Assert.Matches(@"DEBUG   \[U=[0-9?]+,P=\d+\] +HTTP GET https://auth.enterprise.example.com/token/v1/token-status: 200 OK\n", result.Stderr);
        Assert.Contains($"writing {_machine.UserFile}\n", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", result.Stderr + result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Debug_may_be_bundled_with_the_commands_own_short_options()
    {
        var result = await _cli.RootAsync("add", "--no-login", "-gd", "r", "r.example.com");

        Assert.Equal((0, ""), (result.ExitCode, result.Stdout));
        Assert.Contains($"writing {_machine.SystemFile}\n", result.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("INFO:    Remote \"r\" added.\n", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Library_uris_resolve_as_apptainer_does()
    {
        _machine.WriteUser("Active: mine\nRemotes:\n  mine:\n    URI: cloud.example.com\n    Token: lib-token\n    System: false\n    Exclusive: false\n");

        var noHost = await _cli.UserAsync("credential", "which", "library://entity/collection/container:tag");
        var withHost = await _cli.UserAsync("credential", "which", "library://cloud.example.com/entity/collection/container");
        var getWithHost = await _cli.UserAsync("credential", "get", "library://cloud.example.com/entity/collection/container");

        Assert.Equal(new CliResult(0, "remote \"mine\" (cloud.example.com) serves library://entity/collection/container:tag and has a library token in remote.yaml\n", ""), noHost);
        Assert.Equal(new CliResult(1, "library://cloud.example.com/entity/collection/container names its library host (cloud.example.com), so Apptainer sends no token (not even the active remote's); access is anonymous\n", ""), withHost);
        Assert.Equal(new CliResult(1, "", "no credential serves library://cloud.example.com/entity/collection/container: library://cloud.example.com/entity/collection/container names its library host (cloud.example.com), so Apptainer sends no token (not even the active remote's); access is anonymous\n"), getWithHost);
    }

    [Fact]
    public async Task The_environment_pair_tells_one_story_with_the_helper()
    {
        Directory.CreateDirectory(_machine.ConfigDir);
        File.WriteAllText(Path.Combine(_machine.ConfigDir, "docker-config.json"), """{"auths":{"ghcr.io":{"auth":"c3RvcmVkOnB3"}}}""");
        var cli = new CliRunner(_machine, name => name switch
        {
            "DOCKER_USERNAME" => "envuser",
            "DOCKER_PASSWORD" => "envpass",
            _ => _machine.Environment(name),
        });

        var which = await cli.RunAsync(isRoot: false, ["credential", "which", "--json", "docker://ghcr.io/team/app"]);
        var get = await cli.RunAsync(isRoot: false, ["credential", "get", "docker://ghcr.io/team/app"]);
        var helper = await cli.RunAsync(isRoot: false, ["credential-helper", "get"], stdin: "ghcr.io\n");

        using var json = JsonDocument.Parse(which.Stdout);
        Assert.Equal("Environment", json.RootElement.GetProperty("source").GetString());
        Assert.Contains("docker and skopeo asking the dotnet-remote credential helper get the stored login instead", json.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("the stored login: ", json.RootElement.GetProperty("helperAnswer").GetString(), StringComparison.Ordinal);
        Assert.Equal("{\"ServerURL\":\"ghcr.io\",\"Username\":\"envuser\",\"Secret\":\"envpass\"}\n", get.Stdout);
        Assert.Equal("INFO:    DOCKER_USERNAME, DOCKER_PASSWORD set: this is what Apptainer uses; the dotnet-remote credential helper answers docker and skopeo from the store instead (see 'credential which')\n", get.Stderr);
        Assert.Equal("{\"ServerURL\":\"ghcr.io\",\"Username\":\"stored\",\"Secret\":\"pw\"}\n", helper.Stdout);
        Assert.DoesNotContain("envpass", which.Stdout + which.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manifest_errors_name_the_allowed_fields()
    {
        var manifest = Path.Combine(_machine.Root, "remotes.yaml");
        File.WriteAllText(manifest, "remotes:\n  company:\n    uri: https://library.example.com\n    tokn: x\n");

        var result = await _cli.UserAsync("apply", "-f", manifest);

        Assert.Equal(new CliResult(255, "", $"FATAL:   {manifest}:4: field tokn not found in type remote (allowed here: uri, token, insecure, use, exclusive, remove, keyservers)\n"), result);
    }

    [Fact]
    public async Task A_tls_failure_on_an_http_uri_suggests_insecure()
    {
        var manifest = Path.Combine(_machine.Root, "remotes.yaml");
        File.WriteAllText(manifest, "remotes:\n  company:\n    uri: http://library.example.com\n    token: ${env:COMPANY_TOKEN}\n");
        using var tls = new ThrowingHandler(new HttpRequestException("ssl", new System.Security.Authentication.AuthenticationException("handshake failed")));
        var environment = new Func<string, string?>(name => name == "COMPANY_TOKEN" ? "tok" : _machine.Environment(name));

        var result = await RunWithHandlerAsync(tls, environment, "apply", "-f", manifest);

        Assert.Equal(255, result.ExitCode);
        Assert.Matches(@"^FATAL:   .*remotes\.yaml:3: error making request to server: TLS handshake with library\.example\.com failed.* \(the uri says http://: add 'insecure: true' to this entry to connect without TLS\)\n$", result.Stderr);
    }

    [Fact]
    public async Task Apply_json_stays_json_on_github_actions_and_masks_on_stderr()
    {
        var manifest = Path.Combine(_machine.Root, "remotes.yaml");
        File.WriteAllText(manifest, "remotes:\n  company:\n    uri: https://library.example.com\n    token: ${env:COMPANY_TOKEN}\n");
        var cli = new CliRunner(_machine, name => name switch
        {
            "COMPANY_TOKEN" => "tok-\"<secret>\"",
            "GITHUB_ACTIONS" => "true",
            _ => _machine.Environment(name),
        });

        var result = await cli.RunAsync(isRoot: false, ["apply", "-f", manifest, "--no-verify", "--json"]);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.True(json.RootElement.GetProperty("applied").GetBoolean());
        Assert.StartsWith("::add-mask::tok-\"<secret>\"\n", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", result.Stdout, StringComparison.Ordinal);
    }

    private Task<CliResult> RunWithHandlerAsync(HttpMessageHandler handler, params string[] args) =>
        RunWithHandlerAsync(handler, _machine.Environment, args);

    private static async Task<CliResult> RunWithHandlerAsync(HttpMessageHandler handler, Func<string, string?> environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new CliConsole(output, error, TextReader.Null, environment, inputIsTerminal: false, isRoot: false, handler);
        var exit = await RemoteCli.RunAsync(args, console);
        return new CliResult(exit, output.ToString(), error.ToString());
    }

    /// <summary>A network that fails every request with the given exception.</summary>
    private sealed class ThrowingHandler(Exception exception) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => throw exception;
    }
}

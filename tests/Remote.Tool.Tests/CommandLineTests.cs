using System.Text.Json;
using DotnetRemote.Tool.Tests.TestSupport;

namespace DotnetRemote.Tool.Tests;

/// <summary>Options, usage errors, --json, and a broken remote.yaml, through the in-process command tree.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly TestMachine _machine = new();
    private readonly CliRunner _cli;

    public CommandLineTests() => _cli = new CliRunner(_machine);

    public void Dispose() => _machine.Dispose();

    [Theory]
    [InlineData("-c", true)]
    [InlineData("--config", true)]
    [InlineData("-c", false)]
    [InlineData("--config", false)]
    public async Task Config_file_option_is_accepted_before_and_after_the_subcommand(string option, bool before)
    {
        var custom = Path.Combine(_machine.Root, "custom.yaml");
        string[] add = ["add", "--no-login", "elsewhere", "elsewhere.example.com"];
        string[] list = ["list"];

        var added = await _cli.UserAsync(before ? [option, custom, .. add] : [.. add, option, custom]);
        var listed = await _cli.UserAsync(before ? [option, custom, .. list] : [.. list, option, custom]);

        Assert.Equal(new CliResult(0, "", "INFO:    Remote \"elsewhere\" added.\n"), added);
        Assert.Contains("elsewhere      elsewhere.example.com  NO      NO      NO         NO\n", listed.Stdout, StringComparison.Ordinal);
        Assert.Contains("  elsewhere:\n    URI: elsewhere.example.com\n", File.ReadAllText(custom), StringComparison.Ordinal);
        Assert.False(File.Exists(_machine.UserFile));
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(custom));
    }

    [Fact]
    public async Task Config_file_option_does_not_hide_the_default_user_file_from_other_runs()
    {
        await _cli.UserAsync("add", "--no-login", "mine", "mine.example.com");
        var custom = Path.Combine(_machine.Root, "empty.yaml");

        var listed = await _cli.UserAsync("--config", custom, "list");

        Assert.Equal(ListingText.FreshMachine, listed.Stdout);
    }

    [Theory]
    [InlineData("add", "onlyone")]
    [InlineData("add")]
    [InlineData("add", "a", "b", "c")]
    [InlineData("add", "-n", "x", "x.example.com")]
    [InlineData("add", "--no-default", "x", "x.example.com")]
    [InlineData("use")]
    [InlineData("remove")]
    [InlineData("list", "extra")]
    [InlineData("list", "--bogus")]
    [InlineData("add-keyserver")]
    [InlineData("add-keyserver", "a", "b", "c")]
    [InlineData("add-keyserver", "--order", "x", "https://k.example.com")]
    [InlineData("frobnicate")]
    public async Task Usage_errors_exit_1_and_explain_on_stderr(params string[] args)
    {
        var result = await _cli.RootAsync(args);

        Assert.Equal(1, result.ExitCode);
        Assert.NotEqual("", result.Stderr.Trim());
        Assert.False(File.Exists(_machine.UserFile));
        Assert.False(File.Exists(_machine.SystemFile));
    }

    /// <summary>
    /// The secrets of the registry logins a remote.yaml records, in docker-config.json beside it: <c>list</c> shows a
    /// login only while a secret serves it (issue 8), as Apptainer's own files have it after a login.
    /// </summary>
    private void WriteSecrets(params string[] keys)
    {
        var auths = string.Join(",", keys.Select(k => $"\"{k}\":{{\"auth\":\"{Convert.ToBase64String("u:p"u8.ToArray())}\"}}"));
        Directory.CreateDirectory(_machine.ConfigDir);
        var path = Path.Combine(_machine.ConfigDir, "docker-config.json");
        File.WriteAllText(path, $"{{\"auths\":{{{auths}}}}}");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite); // as every writer leaves it
    }

    [Fact]
    public async Task List_leaves_out_a_registry_login_whose_secret_is_gone_and_shows_one_another_tool_stored()
    {
        _machine.WriteUser("Active: \"\"\nRemotes: {}\nCredentials:\n- URI: docker://docker.io\n  Insecure: false\n- URI: oras://localhost:5000\n  Insecure: false\n");
        WriteSecrets("localhost:5000", "podman.example.com:5000");

        var result = await _cli.UserAsync("list");

        Assert.EndsWith(
            "\nAuthenticated Logins\n=================================\n\nURI                               INSECURE\noras://localhost:5000             NO\ndocker://podman.example.com:5000  NO\n",
            result.Stdout,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_list_has_the_same_data_as_the_table()
    {
        _cli.Http.Discovery("enterprise.example.com", "https://keys.example.com");
        await _cli.RootAsync("add-keyserver", "-i", "http://keys.internal:11371");
        await _cli.UserAsync("add", "--no-login", "myremote", "https://enterprise.example.com");
        _machine.WriteUser(_machine.ReadUser() + "Credentials:\n- URI: docker://docker.io\n  Insecure: false\n");
        WriteSecrets("https://index.docker.io/v1/");

        var result = await _cli.UserAsync("list", "--json");

        Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
        using var json = JsonDocument.Parse(result.Stdout);
        var remotes = json.RootElement.GetProperty("remotes").EnumerateArray()
            .Select(r => (r.GetProperty("name").GetString(), r.GetProperty("uri").GetString(), r.GetProperty("active").GetBoolean(), r.GetProperty("global").GetBoolean(), r.GetProperty("exclusive").GetBoolean(), r.GetProperty("insecure").GetBoolean()))
            .ToArray();
        Assert.Equal(
            [("DefaultRemote", "cloud.apptainer.org", true, true, false, false), ("myremote", "enterprise.example.com", false, false, false, false)],
            remotes);
        var keyservers = json.RootElement.GetProperty("keyservers").EnumerateArray()
            .Select(k => (k.GetProperty("uri").GetString(), k.GetProperty("insecure").GetBoolean(), k.GetProperty("order").GetInt32(), k.GetProperty("own").GetBoolean()))
            .ToArray();
        Assert.Equal([("https://keys.openpgp.org", false, 1, true), ("http://keys.internal:11371", true, 2, false)], keyservers);
        var logins = json.RootElement.GetProperty("logins").EnumerateArray()
            .Select(l => (l.GetProperty("uri").GetString(), l.GetProperty("insecure").GetBoolean()))
            .ToArray();
        Assert.Equal([("docker://docker.io", false)], logins);
    }

    [Fact]
    public async Task Json_list_without_a_default_remote_has_null_keyservers()
    {
        _machine.WriteSystem("Active: \"\"\nRemotes: {}\n");

        var result = await _cli.UserAsync("list", "--json");

        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("keyservers").ValueKind);
        Assert.Empty(json.RootElement.GetProperty("remotes").EnumerateArray());
    }

    [Fact]
    public async Task List_with_credentials_prints_the_authenticated_logins_section()
    {
        _machine.WriteUser("Active: \"\"\nRemotes: {}\nCredentials:\n- URI: docker://docker.io\n  Insecure: false\n- URI: oras://localhost:5000\n  Insecure: false\n- URI: http://keys.internal:11371\n  Auth: Basic YWxpY2U6czNjcjN0\n  Insecure: true\n");
        WriteSecrets("https://index.docker.io/v1/", "localhost:5000");

        var result = await _cli.UserAsync("list");

        Assert.EndsWith(
            "\nAuthenticated Logins\n=================================\n\nURI                         INSECURE\ndocker://docker.io          NO\noras://localhost:5000       NO\nhttp://keys.internal:11371  YES\n",
            result.Stdout,
            StringComparison.Ordinal);
        Assert.DoesNotContain("YWxpY2U6czNjcjN0", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_example_c_no_default_shows_only_the_endpoints()
    {
        _machine.WriteSystem("Active: \"\"\nRemotes: {}\n");
        _machine.WriteUser("Active: \"\"\nRemotes:\n  cloud:\n    URI: cloud.sycloud.io\n    System: false\n    Exclusive: false\n  remote:\n    URI: cloud.sycloud.io\n    System: false\n    Exclusive: false\n");

        var result = await _cli.UserAsync("list");

        Assert.Equal(new CliResult(0, """
            Cloud Services Endpoints
            ========================

            NAME    URI               ACTIVE  GLOBAL  EXCLUSIVE  INSECURE
            cloud   cloud.sycloud.io  NO      NO      NO         NO
            remote  cloud.sycloud.io  NO      NO      NO         NO

            """, ""), result);
    }

    [Fact]
    public async Task List_example_d_no_remotes_at_all()
    {
        _machine.WriteSystem("Active: \"\"\nRemotes: {}\n");

        var result = await _cli.UserAsync("list");

        Assert.Equal(new CliResult(0, ListingText.Header + "NAME  URI  ACTIVE  GLOBAL  EXCLUSIVE  INSECURE\n", ""), result);
    }

    [Fact]
    public async Task List_example_b_the_v125_file_with_the_stock_default()
    {
        // The example's administrator added the insecure keyserver to the system file; the user file holds the copy.
        _machine.WriteSystem(SampleYaml.StockSystem + "    Keyservers:\n"
            + "    - URI: https://keys.openpgp.org\n      Skip: false\n      External: false\n      Insecure: false\n"
            + "    - URI: http://keys.internal:11371\n      Skip: false\n      External: true\n      Insecure: true\n");
        _machine.WriteUser(SampleYaml.V125Example.Replace("Active: SylabsCloud", "Active: DefaultRemote", StringComparison.Ordinal));
        WriteSecrets("https://index.docker.io/v1/", "localhost:5000");

        var result = await _cli.UserAsync("list");

        Assert.Equal(new CliResult(0, """
            Cloud Services Endpoints
            ========================

            NAME           URI                   ACTIVE  GLOBAL  EXCLUSIVE  INSECURE
            DefaultRemote  cloud.apptainer.org   YES     YES     NO         NO
            SylabsCloud    cloud.sylabs.io       NO      NO      NO         NO
            lab-http       library.lab.internal  NO      NO      NO         YES

            Keyservers
            ==========

            URI                         GLOBAL  INSECURE  ORDER
            https://keys.openpgp.org    YES     NO        1*
            http://keys.internal:11371  YES     YES       2

            * Active cloud services keyserver

            Authenticated Logins
            =================================

            URI                         INSECURE
            docker://docker.io          NO
            oras://localhost:5000       NO
            http://keys.internal:11371  YES

            """, ""), result);
    }

    [Theory]
    [InlineData("list")]
    [InlineData("add", "--no-login", "x", "x.example.com")]
    [InlineData("use", "DefaultRemote")]
    [InlineData("remove", "a")]
    [InlineData("keyserver", "list")]
    public async Task A_broken_user_file_is_fatal_names_file_and_line_and_stays_unchanged(params string[] args)
    {
        const string broken = "Active: a\nRemotes:\n  a:\n    URI: a.example.com\n    Colour: red\n";
        _machine.WriteUser(broken);

        var result = await _cli.UserAsync(args);

        Assert.Equal(new CliResult(255, "", $"FATAL:   {_machine.UserFile}:5: field Colour not found in type endpoint.Config\n"), result);
        Assert.Equal(broken, _machine.ReadUser());
        Assert.DoesNotContain(Directory.GetFiles(_machine.ConfigDir), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unclosed_flow_sequence_is_fatal_with_file_and_line()
    {
        _machine.WriteUser("Active: [unclosed\nRemotes: {}\n");

        var result = await _cli.UserAsync("list");

        Assert.Equal(255, result.ExitCode);
        Assert.StartsWith($"FATAL:   {_machine.UserFile}:1: ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_system_file_is_fatal_for_a_users_list_and_for_roots_edits()
    {
        _machine.WriteSystem("Active: DefaultRemote\nRemotes:\n  DefaultRemote: [\n");
        var before = _machine.ReadSystem();

        var list = await _cli.UserAsync("list");
        var add = await _cli.RootAsync("add-keyserver", "https://pgp.example.com");

        Assert.Equal(255, list.ExitCode);
        Assert.StartsWith($"FATAL:   {_machine.SystemFile}:", list.Stderr, StringComparison.Ordinal);
        Assert.Equal(255, add.ExitCode);
        Assert.StartsWith($"FATAL:   {_machine.SystemFile}:", add.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _machine.ReadSystem());
    }

    [Fact]
    public async Task Add_insecure_from_the_environment_variable()
    {
        var variables = new Dictionary<string, string>(_machine.Variables) { ["APPTAINER_ADD_INSECURE"] = "true" };
        var cli = new CliRunner(_machine, name => variables.GetValueOrDefault(name));

        var result = await cli.UserAsync("add", "--no-login", "lab", "http://lab.internal:8080");

        Assert.Equal(new CliResult(0, "", "INFO:    Remote \"lab\" added.\n"), result);
        Assert.Contains("    URI: lab.internal:8080\n    System: false\n    Exclusive: false\n    Insecure: true\n", _machine.ReadUser(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Names_in_messages_are_go_quoted()
    {
        var result = await _cli.UserAsync("add", "--no-login", "my\"remote", "x.example.com");

        Assert.Equal(new CliResult(0, "", "INFO:    Remote \"my\\\"remote\" added.\n"), result);
    }

    [Fact]
    public async Task Add_http_without_insecure_is_fatal()
    {
        var result = await _cli.UserAsync("add", "--no-login", "lab", "http://lab.internal");

        Assert.Equal(new CliResult(255, "", "FATAL:   http URI requires --insecure or APPTAINER_ADD_INSECURE=true\n"), result);
    }

    [Fact]
    public async Task Add_keeps_the_port_of_the_remote_uri()
    {
        await _cli.UserAsync("add", "--no-login", "ported", "https://host:8443/path");
        await _cli.UserAsync("add", "--no-login", "bare", "host:8443");

        var list = await _cli.UserAsync("list");

        Assert.Contains("bare           host:8443            NO      NO      NO         NO\n", list.Stdout, StringComparison.Ordinal);
        Assert.Contains("ported         host:8443/path       NO      NO      NO         NO\n", list.Stdout, StringComparison.Ordinal);
    }
}

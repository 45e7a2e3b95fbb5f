using DotnetRemote.Tool.Tests.TestSupport;

namespace DotnetRemote.Tool.Tests;

/// <summary>
/// The seed's transcripts (docs/compatibility.md#the-seed) that need no server, replayed in process. Layouts are
/// docs/compatibility.md#remote-list (the seed's own text lost its column spacing); "sudo" steps run as root.
/// </summary>
public sealed class SeedTranscriptTests : IDisposable
{
    private readonly TestMachine _machine = new();
    private readonly CliRunner _cli;

    public SeedTranscriptTests()
    {
        _cli = new CliRunner(_machine);
        _cli.Http.Discovery("enterprise.example.com", "https://keys.example.com");
        _cli.Http.Discovery("cloud.sylabs.io", "https://keys.sylabs.io");
    }

    public void Dispose() => _machine.Dispose();

    [Fact]
    public async Task List_on_a_fresh_installation()
    {
        var result = await _cli.UserAsync("list");

        Assert.Equal(new CliResult(0, ListingText.FreshMachine, ""), result);

        // As Apptainer 1.2: the first use creates the config folder and an empty remote.yaml, both private.
        Assert.Equal("", File.ReadAllText(_machine.UserFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_machine.UserFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(_machine.UserFile)!));
        Assert.False(File.Exists(_machine.SystemFile));
    }

    [Fact]
    public async Task Add_no_login_for_the_current_user()
    {
        var result = await _cli.UserAsync("add", "--no-login", "myremote", "https://enterprise.example.com");

        Assert.Equal(new CliResult(0, "", "INFO:    Remote \"myremote\" added.\n"), result);
        Assert.Equal("Active: \"\"\nRemotes:\n  myremote:\n    URI: enterprise.example.com\n    System: false\n    Exclusive: false\n", _machine.ReadUser());
    }

    [Fact]
    public async Task Add_global_as_root()
    {
        var result = await _cli.RootAsync("add", "--global", "company-remote", "https://enterprise.example.com");

        Assert.Equal(
            new CliResult(0, "", "INFO:    Remote \"company-remote\" added.\nINFO:    Global option detected. Will not automatically log into remote.\n"),
            result);
        Assert.Contains("  company-remote:\n    URI: enterprise.example.com\n    System: true\n", _machine.ReadSystem(), StringComparison.Ordinal);
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(_machine.SystemFile));
    }

    [Fact]
    public async Task Add_global_no_login_as_root_prints_only_the_added_line()
    {
        var result = await _cli.RootAsync("add", "--global", "--no-login", "company-remote", "https://enterprise.example.com");

        Assert.Equal(new CliResult(0, "", "INFO:    Remote \"company-remote\" added.\n"), result);
    }

    [Fact]
    public async Task Add_global_as_a_regular_user_is_refused_and_creates_no_system_file()
    {
        var result = await _cli.UserAsync("add", "--global", "company-remote", "https://enterprise.example.com");

        Assert.Equal(new CliResult(255, "", "FATAL:   Unable to modify global endpoint configuration file: not root user\n"), result);
        Assert.False(File.Exists(_machine.SystemFile));
        Assert.False(File.Exists(_machine.UserFile));
    }

    [Fact]
    public async Task Add_global_as_a_regular_user_leaves_an_existing_system_file_untouched()
    {
        _machine.WriteSystem(SampleYaml.StockSystem);
        var before = File.ReadAllBytes(_machine.SystemFile);

        var result = await _cli.UserAsync("add", "--global", "company-remote", "https://enterprise.example.com");

        Assert.Equal(255, result.ExitCode);
        Assert.Equal(before, File.ReadAllBytes(_machine.SystemFile));
    }

    [Fact]
    public async Task Company_remote_use_and_exclusive_transcript()
    {
        Assert.Equal(0, (await _cli.RootAsync("add", "--global", "company-remote", "https://enterprise.example.com")).ExitCode);
        Assert.Equal(0, (await _cli.UserAsync("add", "--no-login", "myremote", "https://enterprise.example.com")).ExitCode);

        // $ apptainer remote list
        Assert.Equal(
            new CliResult(0, Listing(("DefaultRemote", "YES", "YES", "NO"), ("company-remote", "NO", "YES", "NO"), ("myremote", "NO", "NO", "NO")) + OpenPgpKeyservers, ""),
            await _cli.UserAsync("list"));

        // $ apptainer remote use myremote
        Assert.Equal(new CliResult(0, "", "INFO:    Remote \"myremote\" now in use.\n"), await _cli.UserAsync("use", "myremote"));

        // $ apptainer remote list
        AssertListing(
            Listing(("DefaultRemote", "NO", "YES", "NO"), ("company-remote", "NO", "YES", "NO"), ("myremote", "YES", "NO", "NO")) + ExampleKeyservers,
            await _cli.UserAsync("list"));

        // $ sudo apptainer remote use --exclusive company-remote
        Assert.Equal(new CliResult(0, "", "INFO:    Remote \"company-remote\" now in use.\n"), await _cli.RootAsync("use", "--exclusive", "company-remote"));

        // $ apptainer remote list
        AssertListing(
            Listing(("DefaultRemote", "NO", "YES", "NO"), ("company-remote", "YES", "YES", "YES"), ("myremote", "NO", "NO", "NO")) + ExampleKeyservers,
            await _cli.UserAsync("list"));

        // $ apptainer remote use myremote
        var userFile = _machine.ReadUser();
        Assert.Equal(
            new CliResult(255, "", "FATAL:   could not use myremote: remote company-remote has been set exclusive by the system administrator\n"),
            await _cli.UserAsync("use", "myremote"));
        Assert.Equal(userFile, _machine.ReadUser());
    }

    [Fact]
    public async Task Keyserver_global_column_is_yes_for_a_users_own_remote()
    {
        // docs/compatibility.md#remote-list: the Keyservers GLOBAL cell is the literal YES "whatever the remote is"; the seed shows
        // "https://keys.example.com YES NO 1*" for the user's own myremote.
        await _cli.UserAsync("add", "--no-login", "myremote", "https://enterprise.example.com");
        await _cli.UserAsync("use", "myremote");

        var result = await _cli.UserAsync("list");

        Assert.EndsWith(ExampleKeyservers, result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Use_exclusive_as_a_regular_user_is_refused()
    {
        var result = await _cli.UserAsync("use", "--exclusive", "DefaultRemote");

        Assert.Equal(new CliResult(255, "", "FATAL:   unable to set endpoint as exclusive: not root user\n"), result);
        Assert.False(File.Exists(_machine.SystemFile));
    }

    [Fact]
    public async Task Restoring_pre_apptainer_library_behaviour_with_sylabs_cloud()
    {
        Assert.Equal(
            new CliResult(0, "", "INFO:    Remote \"SylabsCloud\" added.\n"),
            await _cli.UserAsync("add", "--no-login", "SylabsCloud", "cloud.sylabs.io"));
        Assert.Equal(
            new CliResult(0, "", "INFO:    Remote \"SylabsCloud\" now in use.\n"),
            await _cli.UserAsync("use", "SylabsCloud"));

        var list = await _cli.UserAsync("list");

        const string expected = """
            Cloud Services Endpoints
            ========================

            NAME           URI                  ACTIVE  GLOBAL  EXCLUSIVE  INSECURE
            DefaultRemote  cloud.apptainer.org  NO      YES     NO         NO
            SylabsCloud    cloud.sylabs.io      YES     NO      NO         NO

            Keyservers
            ==========

            URI                     GLOBAL  INSECURE  ORDER
            https://keys.sylabs.io  YES     NO        1*

            * Active cloud services keyserver

            """;
        AssertListing(expected, list);
        Assert.Contains("GET https://cloud.sylabs.io/assets/config/config.prod.json", _cli.Http.Requests);
    }

    [Fact]
    public async Task Add_keyserver_appends_to_the_list()
    {
        Assert.Equal(new CliResult(0, "", ""), await _cli.RootAsync("add-keyserver", "https://pgp.example.com"));

        var list = await _cli.UserAsync("list");

        Assert.Equal(new CliResult(0, StockListing + """
            Keyservers
            ==========

            URI                       GLOBAL  INSECURE  ORDER
            https://keys.openpgp.org  YES     NO        1*
            https://pgp.example.com   YES     NO        2

            * Active cloud services keyserver

            """, ""), list);
    }

    [Fact]
    public async Task Add_keyserver_with_order_1_puts_it_first()
    {
        Assert.Equal(new CliResult(0, "", ""), await _cli.RootAsync("add-keyserver", "--order", "1", "https://pgp.example.com"));

        var list = await _cli.UserAsync("list");

        Assert.Equal(new CliResult(0, StockListing + """
            Keyservers
            ==========

            URI                       GLOBAL  INSECURE  ORDER
            https://pgp.example.com   YES     NO        1
            https://keys.openpgp.org  YES     NO        2*

            * Active cloud services keyserver

            """, ""), list);
    }

    [Fact]
    public async Task Add_keyserver_insecure_shows_in_the_insecure_column()
    {
        await _cli.RootAsync("add-keyserver", "-i", "http://keys.internal:11371");

        var list = await _cli.UserAsync("list");

        Assert.Contains("http://keys.internal:11371  YES     YES       2\n", list.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_keyserver_as_a_regular_user_is_refused()
    {
        var result = await _cli.UserAsync("add-keyserver", "https://pgp.example.com");

        Assert.Equal(new CliResult(255, "", "FATAL:   Unable to modify keyserver configuration: not root user\n"), result);
        Assert.False(File.Exists(_machine.SystemFile));
    }

    [Theory]
    [InlineData("--order", "0", "order must be > 0")]
    [InlineData("--order", "3", "order is out of range: maximum is 2")]
    public async Task Add_keyserver_order_errors(string flag, string value, string message)
    {
        var result = await _cli.RootAsync("add-keyserver", flag, value, "https://pgp.example.com");

        Assert.Equal(new CliResult(255, "", $"FATAL:   {message}\n"), result);
    }

    [Fact]
    public async Task Add_keyserver_twice_is_already_configured()
    {
        await _cli.RootAsync("add-keyserver", "https://pgp.example.com");

        var result = await _cli.RootAsync("add-keyserver", "https://pgp.example.com");

        Assert.Equal(new CliResult(255, "", "FATAL:   https://pgp.example.com is already configured\n"), result);
    }

    [Fact]
    public async Task Remove_keyserver_restores_the_stock_list()
    {
        await _cli.RootAsync("add-keyserver", "https://pgp.example.com");

        Assert.Equal(new CliResult(0, "", ""), await _cli.RootAsync("remove-keyserver", "https://pgp.example.com"));

        Assert.Equal(ListingText.FreshMachine, (await _cli.UserAsync("list")).Stdout);
    }

    [Fact]
    public async Task Remove_keyserver_of_the_own_keyserver_hides_it_and_renumbers()
    {
        await _cli.RootAsync("add-keyserver", "https://pgp.example.com");

        Assert.Equal(new CliResult(0, "", ""), await _cli.RootAsync("remove-keyserver", "https://keys.openpgp.org"));

        Assert.EndsWith(
            "URI                      GLOBAL  INSECURE  ORDER\nhttps://pgp.example.com  YES     NO        1\n" + ListingText.KeyserverLegend,
            (await _cli.UserAsync("list")).Stdout,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_keyserver_errors()
    {
        Assert.Equal(
            new CliResult(255, "", "FATAL:   the primary keyserver https://keys.openpgp.org can't be removed\n"),
            await _cli.RootAsync("remove-keyserver", "https://keys.openpgp.org"));
        Assert.Equal(
            new CliResult(255, "", "FATAL:   keyserver https://nope.example.com is not configured\n"),
            await _cli.RootAsync("remove-keyserver", "https://nope.example.com"));
        Assert.Equal(
            new CliResult(255, "", "FATAL:   Unable to modify keyserver configuration: not root user\n"),
            await _cli.UserAsync("remove-keyserver", "https://keys.openpgp.org"));
    }

    [Fact]
    public async Task Remove_a_remote()
    {
        await _cli.UserAsync("add", "--no-login", "myremote", "https://enterprise.example.com");
        await _cli.UserAsync("use", "myremote");

        var result = await _cli.UserAsync("remove", "myremote");

        Assert.Equal(new CliResult(0, "", "INFO:    Remote \"myremote\" removed.\n"), result);
        Assert.Equal(ListingText.FreshMachine, (await _cli.UserAsync("list")).Stdout);
    }

    [Fact]
    public async Task Remove_global_as_root_and_its_refusals()
    {
        await _cli.RootAsync("add", "--global", "--no-login", "company-remote", "https://enterprise.example.com");

        Assert.Equal(
            new CliResult(255, "", "FATAL:   company-remote is global and can't be removed\n"),
            await _cli.UserAsync("remove", "company-remote"));
        Assert.Equal(
            new CliResult(255, "", "FATAL:   Unable to modify global endpoint configuration file: not root user\n"),
            await _cli.UserAsync("remove", "--global", "company-remote"));
        Assert.Equal(
            new CliResult(0, "", "INFO:    Remote \"company-remote\" removed.\n"),
            await _cli.RootAsync("remove", "--global", "company-remote"));
        Assert.Equal(SampleYaml.StockSystem, _machine.ReadSystem());
    }

    [Fact]
    public async Task Add_of_an_existing_name_and_remove_of_an_unknown_name_fail()
    {
        await _cli.UserAsync("add", "--no-login", "myremote", "https://enterprise.example.com");

        Assert.Equal(
            new CliResult(255, "", "FATAL:   myremote is already a remote\n"),
            await _cli.UserAsync("add", "--no-login", "myremote", "https://other.example.com"));
        Assert.Equal(
            new CliResult(255, "", "FATAL:   ghost is not a remote\n"),
            await _cli.UserAsync("remove", "ghost"));
        Assert.Equal(
            new CliResult(255, "", "FATAL:   ghost is not a remote\n"),
            await _cli.UserAsync("use", "ghost"));
    }

    private static void AssertListing(string expected, CliResult actual) =>
        Assert.Equal(new CliResult(0, expected, ""), actual);

    private const string StockListing = """
        Cloud Services Endpoints
        ========================

        NAME           URI                  ACTIVE  GLOBAL  EXCLUSIVE  INSECURE
        DefaultRemote  cloud.apptainer.org  YES     YES     NO         NO


        """;

    private const string OpenPgpKeyservers = """

        Keyservers
        ==========

        URI                       GLOBAL  INSECURE  ORDER
        https://keys.openpgp.org  YES     NO        1*

        * Active cloud services keyserver

        """;

    private const string ExampleKeyservers = """

        Keyservers
        ==========

        URI                       GLOBAL  INSECURE  ORDER
        https://keys.example.com  YES     NO        1*

        * Active cloud services keyserver

        """;

    /// <summary>The endpoints table of the company-remote transcript (URI column fixed by enterprise.example.com).</summary>
    private static string Listing(params (string Name, string Active, string Global, string Exclusive)[] rows)
    {
        var uris = new Dictionary<string, string>
        {
            ["DefaultRemote"] = "cloud.apptainer.org",
            ["company-remote"] = "enterprise.example.com",
            ["myremote"] = "enterprise.example.com",
        };
        var text = ListingText.Header + "NAME            URI                     ACTIVE  GLOBAL  EXCLUSIVE  INSECURE\n";
        foreach (var (name, active, global, exclusive) in rows)
        {
            text += $"{name,-16}{uris[name],-24}{active,-8}{global,-8}{exclusive,-11}NO\n";
        }

        return text;
    }
}

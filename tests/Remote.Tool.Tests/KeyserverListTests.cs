using DotnetRemote.Tool.Tests.TestSupport;

namespace DotnetRemote.Tool.Tests;

/// <summary><c>keyserver list [remote]</c> in the layout of docs/compatibility.md#keyserver-list, with the fix #fix-keyserver-list.</summary>
public sealed class KeyserverListTests : IDisposable
{
    private readonly TestMachine _machine = new();
    private readonly CliRunner _cli;

    public KeyserverListTests() => _cli = new CliRunner(_machine);

    public void Dispose() => _machine.Dispose();

    [Fact]
    public async Task Fresh_machine()
    {
        var result = await _cli.UserAsync("keyserver", "list");

        Assert.Equal(new CliResult(0, "\nDefaultRemote *^\n   #1  https://keys.openpgp.org  🔒\n\n(* = system endpoint, ^ = default endpoint)\n", ""), result);
    }

    [Fact]
    public async Task Every_remote_in_name_order_with_markers_and_an_insecure_row_padded()
    {
        _cli.Http.Discovery("enterprise.example.com", "https://keys.example.com");
        await _cli.RootAsync("add-keyserver", "-i", "http://keys.internal:11371");
        await _cli.UserAsync("add", "--no-login", "myremote", "https://enterprise.example.com");

        var result = await _cli.UserAsync("keyserver", "list");

        // Trailing spaces are part of the format: "myremote " has no marker, an insecure row ends in padding.
        Assert.Equal(
            new CliResult(
                0,
                "\nDefaultRemote *^\n"
                + "   #1  https://keys.openpgp.org    🔒\n"
                + "   #2  http://keys.internal:11371  \n"
                + "\nmyremote \n"
                + "   #1  https://keys.example.com  🔒\n"
                + "\n(* = system endpoint, ^ = default endpoint)\n",
                ""),
            result);
    }

    [Fact]
    public async Task A_named_remote_only_and_the_default_marker_follows_use()
    {
        _cli.Http.Discovery("enterprise.example.com", "https://keys.example.com");
        await _cli.UserAsync("add", "--no-login", "myremote", "https://enterprise.example.com");
        await _cli.UserAsync("use", "myremote");

        var result = await _cli.UserAsync("keyserver", "list", "myremote");

        Assert.Equal(new CliResult(0, "\nmyremote ^\n   #1  https://keys.example.com  🔒\n\n(* = system endpoint, ^ = default endpoint)\n", ""), result);
    }

    [Fact]
    public async Task Fix_a_named_remote_needs_no_default_remote()
    {
        _machine.WriteSystem("Active: \"\"\nRemotes:\n  DefaultRemote:\n    URI: cloud.apptainer.org\n    System: true\n    Exclusive: false\n");

        var result = await _cli.UserAsync("keyserver", "list", "DefaultRemote");

        Assert.Equal(new CliResult(0, "\nDefaultRemote *\n   #1  https://keys.openpgp.org  🔒\n\n(* = system endpoint, ^ = default endpoint)\n", ""), result);
    }

    [Fact]
    public async Task An_unknown_remote_is_fatal()
    {
        var result = await _cli.UserAsync("keyserver", "list", "ghost");

        Assert.Equal(new CliResult(255, "", "FATAL:   no remote-endpoint with the name \"ghost\" found\n"), result);
    }

    [Fact]
    public async Task A_remote_whose_keyserver_cannot_be_discovered_says_so_and_the_list_goes_on()
    {
        await _cli.UserAsync("add", "--no-login", "offline", "offline.example.com");

        var result = await _cli.UserAsync("keyserver", "list");

        Assert.Equal(
            new CliResult(
                0,
                "\nDefaultRemote *^\n"
                + "   #1  https://keys.openpgp.org  🔒\n"
                + "\noffline \n"
                + " \t(unable to fetch associated keyserver info for this endpoint)\n"
                + "\n(* = system endpoint, ^ = default endpoint)\n",
                ""),
            result);
    }

    [Fact]
    public async Task Skipped_keyservers_are_hidden_and_numbering_counts_shown_rows()
    {
        await _cli.RootAsync("add-keyserver", "https://pgp.example.com");
        await _cli.RootAsync("remove-keyserver", "https://keys.openpgp.org");

        var result = await _cli.UserAsync("keyserver", "list");

        Assert.Equal("\nDefaultRemote *^\n   #1  https://pgp.example.com  🔒\n\n(* = system endpoint, ^ = default endpoint)\n", result.Stdout);
    }

    [Fact]
    public async Task Keyserver_add_and_remove_are_the_same_commands_as_the_seed_aliases()
    {
        Assert.Equal(new CliResult(0, "", ""), await _cli.RootAsync("keyserver", "add", "--order", "1", "https://pgp.example.com"));
        Assert.Equal(
            new CliResult(255, "", "FATAL:   Unable to modify keyserver configuration: not root user\n"),
            await _cli.UserAsync("keyserver", "remove", "https://pgp.example.com"));

        Assert.Equal(
            "\nDefaultRemote *^\n   #1  https://pgp.example.com   🔒\n   #2  https://keys.openpgp.org  🔒\n\n(* = system endpoint, ^ = default endpoint)\n",
            (await _cli.UserAsync("keyserver", "list")).Stdout);
    }
}

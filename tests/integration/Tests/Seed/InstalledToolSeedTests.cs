using DotnetRemote.Integration.Tests.Tests.Logins;
using DotnetRemote.Testing;

namespace DotnetRemote.Integration.Tests.Tests.Seed;

/// <summary>
/// The seed's transcripts that need no server, through the tool as installed from the packed package (CI sets
/// DOTNET_REMOTE_PACKAGES; locally the built tool runs). The process runs as root, as the seed's <c>sudo</c> lines do.
/// </summary>
public sealed class InstalledToolSeedTests
{
    [SkippableFact]
    public async Task Remotes_add_global_use_and_exclusive_reproduce_the_seed()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "add --global and use --exclusive edit the system file and need root");
        using var tool = new RemoteTool();
        Assert.Equal(Text(ListingText.FreshMachine), (await Run(tool, "list")).StdOut);

        Assert.Equal("INFO:    Remote \"myremote\" added.\n", (await Run(tool, "add", "--no-login", "myremote", "https://enterprise.example.com")).StdErr);
        Assert.Equal(
            "INFO:    Remote \"company-remote\" added.\nINFO:    Global option detected. Will not automatically log into remote.\n",
            (await Run(tool, "add", "--global", "company-remote", "https://enterprise.example.com")).StdErr);
        Assert.Equal("INFO:    Remote \"company-remote\" now in use.\n", (await Run(tool, "use", "--exclusive", "company-remote")).StdErr);

        var list = await Run(tool, "list");
        Assert.StartsWith(Text("""
            Cloud Services Endpoints
            ========================

            NAME            URI                     ACTIVE  GLOBAL  EXCLUSIVE  INSECURE
            DefaultRemote   cloud.apptainer.org     NO      YES     NO         NO
            company-remote  enterprise.example.com  YES     YES     YES        NO
            myremote        enterprise.example.com  NO      NO      NO         NO

            """), list.StdOut, StringComparison.Ordinal);

        var refused = await tool.RunAsync(["use", "myremote"]);
        Assert.Equal(255, refused.ExitCode);
        Assert.Equal("FATAL:   could not use myremote: remote company-remote has been set exclusive by the system administrator\n", refused.StdErr);

        Assert.Equal("INFO:    Remote \"myremote\" removed.\n", (await Run(tool, "remove", "myremote")).StdErr);
        Assert.DoesNotContain("myremote", tool.ReadRemoteYaml(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Keyservers_add_with_and_without_order_and_remove_reproduce_the_seed()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "add-keyserver edits the system file and needs root");
        using var tool = new RemoteTool();

        Assert.Equal("", (await Run(tool, "add-keyserver", "https://pgp.example.com")).StdErr);
        Assert.EndsWith(Text("""
            URI                       GLOBAL  INSECURE  ORDER
            https://keys.openpgp.org  YES     NO        1*
            https://pgp.example.com   YES     NO        2

            * Active cloud services keyserver

            """), (await Run(tool, "list")).StdOut, StringComparison.Ordinal);

        await Run(tool, "remove-keyserver", "https://pgp.example.com");
        await Run(tool, "add-keyserver", "--order", "1", "https://pgp.example.com");
        Assert.EndsWith(Text("""
            URI                       GLOBAL  INSECURE  ORDER
            https://pgp.example.com   YES     NO        1
            https://keys.openpgp.org  YES     NO        2*

            * Active cloud services keyserver

            """), (await Run(tool, "list")).StdOut, StringComparison.Ordinal);

        // The endpoint's own keyserver is hidden, not deleted, and the last visible one stays.
        await Run(tool, "remove-keyserver", "https://keys.openpgp.org");
        var last = await tool.RunAsync(["remove-keyserver", "https://pgp.example.com"]);
        Assert.Equal(255, last.ExitCode);
        Assert.Equal("FATAL:   the primary keyserver https://pgp.example.com can't be removed\n", last.StdErr);
        Assert.Contains("Skip: true", File.ReadAllText(tool.SystemConfigFile), StringComparison.Ordinal);
    }

    private static async Task<ToolResult> Run(RemoteTool tool, params string[] args)
    {
        var result = await tool.RunAsync(args);
        ToolAssert.Succeeded(result);
        return result;
    }

    // Raw literals carry the source file's line endings; the tool writes \n.
    private static string Text(string value) => value.ReplaceLineEndings("\n");
}

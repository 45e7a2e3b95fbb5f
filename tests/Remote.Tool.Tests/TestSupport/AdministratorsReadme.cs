using System.Text.RegularExpressions;

namespace DotnetRemote.Tool.Tests.TestSupport;

/// <summary>
/// The README's "Administrators" section, read from the repository, so the tests run the very manifest, Ansible
/// commands and shell loop that administrators copy.
/// </summary>
internal sealed partial class AdministratorsReadme
{
    /// <summary>Where the README's examples keep the manifest on a node; tests put a temp path in its place.</summary>
    public const string NodeManifestPath = "/etc/apptainer/fleet-remotes.yaml";

    private AdministratorsReadme(string section)
    {
        var blocks = CodeBlock().Matches(section).Select(m => (Language: m.Groups["lang"].Value, Text: m.Groups["text"].Value)).ToList();
        Manifest = blocks.Single(b => b.Language == "yaml" && b.Text.StartsWith("# fleet-remotes.yaml", StringComparison.Ordinal)).Text;
        Ansible = blocks.Single(b => b.Language == "yaml" && b.Text.Contains("ansible.builtin.command:", StringComparison.Ordinal)).Text;
        ShellLoop = blocks.Single(b => b.Language == "sh" && b.Text.StartsWith("for node in", StringComparison.Ordinal)).Text;
        AnsibleCommands = [.. AnsibleCommand().Matches(Ansible).Select(m => m.Groups["command"].Value.Trim())];
    }

    /// <summary>The example manifest (<c>fleet-remotes.yaml</c>).</summary>
    public string Manifest { get; }

    /// <summary>The Ansible tasks, as YAML text.</summary>
    public string Ansible { get; }

    /// <summary>The <c>ansible.builtin.command</c> lines, in order: the check, then the apply.</summary>
    public IReadOnlyList<string> AnsibleCommands { get; }

    /// <summary>The shell loop over nodes.</summary>
    public string ShellLoop { get; }

    public static AdministratorsReadme Load()
    {
        var readme = File.ReadAllText(RepositoryFiles.Find("README.md"));
        var start = readme.IndexOf("\n## Administrators", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no Administrators section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return new AdministratorsReadme(readme[start..(end < 0 ? readme.Length : end)]);
    }

    /// <summary>A README command line (<c>dotnet remote …</c>) as the tool's arguments, the node's manifest path replaced.</summary>
    public static string[] ToolArguments(string commandLine, string manifestPath)
    {
        var words = commandLine.Replace(NodeManifestPath, manifestPath, StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["dotnet", "remote"], words[..2]);
        return words[2..];
    }

    [GeneratedRegex(@"```(?<lang>\w+)\n(?<text>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"ansible\.builtin\.command:(?<command>[^\n]+)")]
    private static partial Regex AnsibleCommand();
}

using System.Text.RegularExpressions;

namespace DotnetRemote.Core.Tests.Architecture;

/// <summary>
/// The folder rule of docs/architecture.md#folder-rule: Remote.Core's folders form layers, and a folder may use only
/// folders of lower layers (never one above it, never a peer of its own layer), so the engine has no cycles.
/// </summary>
public sealed partial class FolderDependencyTests
{
    /// <summary>The layers, lowest first; folders on one line are peers. Keep in step with docs/architecture.md.</summary>
    internal static readonly string[][] Layers =
    [
        ["Diagnostics"],
        ["IO"],
        ["Context"],
        ["Configuration"],
        ["Endpoints", "Registries"],
        ["Keyservers"],
        ["Credentials"],
        ["Logins"],
        ["Remotes"],
        ["Manifests"],
        ["Exec"],
    ];

    [Fact]
    public void Every_folder_of_the_engine_uses_only_folders_below_it()
    {
        var violations = FolderRule.Check(EngineSources());

        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public void Every_folder_of_the_engine_is_in_the_rule_and_every_file_is_in_a_folder()
    {
        var folders = EngineSources().Select(source => source.Folder).Distinct().Order(StringComparer.Ordinal).ToList();

        Assert.Equal(Layers.SelectMany(layer => layer).Order(StringComparer.Ordinal), folders);
    }

    [Fact]
    public void Every_file_declares_the_namespace_of_its_folder()
    {
        var misplaced = EngineSources()
            .Where(source => NamespaceOf(source.Text) != "DotnetRemote.Core." + source.Folder)
            .Select(source => $"{source.Path}: namespace {NamespaceOf(source.Text)}")
            .ToList();

        Assert.True(misplaced.Count == 0, string.Join('\n', misplaced));
    }

    // The checks above only mean something if the checker finds what it should; these feed it known cases.
    [Theory]
    [InlineData("IO", "using DotnetRemote.Core.Configuration;\nnamespace DotnetRemote.Core.IO;", "IO uses Configuration")]
    [InlineData("Endpoints", "namespace DotnetRemote.Core.Endpoints;\nclass A { DotnetRemote.Core.Registries.AuthChallenge? c; }", "Endpoints uses Registries")]
    [InlineData("Configuration", "namespace DotnetRemote.Core.Configuration;\nclass A { global::DotnetRemote.Core.Exec.ExecScope? s; }", "Configuration uses Exec")]
    [InlineData("Logins", "using DotnetRemote.Core.Unknown;\nnamespace DotnetRemote.Core.Logins;", "Logins uses Unknown")]
    public void The_checker_reports_a_use_of_a_higher_peer_or_unknown_folder(string folder, string text, string expected)
    {
        var violations = FolderRule.Check([new EngineSource(folder, $"{folder}/A.cs", text)]);

        Assert.Equal([$"{folder}/A.cs: {expected}"], violations);
    }

    [Theory]
    [InlineData("Exec", "using DotnetRemote.Core.Diagnostics;\nusing DotnetRemote.Core.Manifests;\nnamespace DotnetRemote.Core.Exec;")]
    [InlineData("Keyservers", "namespace DotnetRemote.Core.Keyservers;\n// DotnetRemote.Core.Exec is mentioned in a comment only\nclass A { string s = \"DotnetRemote.Core.Exec.X\"; }")]
    public void The_checker_accepts_uses_of_lower_folders_and_ignores_comments_and_strings(string folder, string text)
    {
        Assert.Empty(FolderRule.Check([new EngineSource(folder, $"{folder}/A.cs", text)]));
    }

    internal sealed record EngineSource(string Folder, string Path, string Text);

    private static class FolderRule
    {
        public static List<string> Check(IEnumerable<EngineSource> sources)
        {
            var rank = Layers.SelectMany((layer, index) => layer.Select(folder => (folder, index))).ToDictionary(p => p.folder, p => p.index);
            var violations = new List<string>();
            foreach (var source in sources)
            {
                var code = CommentOrString().Replace(source.Text, " ");
                var used = NamespaceUse().Matches(code).Select(match => match.Groups[1].Value).Distinct().Order(StringComparer.Ordinal);
                foreach (var target in used.Where(target => target != source.Folder))
                {
                    if (!rank.TryGetValue(target, out var targetRank) || !rank.TryGetValue(source.Folder, out var sourceRank) || targetRank >= sourceRank)
                    {
                        violations.Add($"{source.Path}: {source.Folder} uses {target}");
                    }
                }
            }

            return violations;
        }
    }

    private static List<EngineSource> EngineSources()
    {
        var root = RepositoryFiles.Find("src/Remote.Core");
        return Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Select(path => System.IO.Path.GetRelativePath(root, path))
            .Where(relative => !relative.StartsWith("obj" + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal)
                && !relative.StartsWith("bin" + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Select(relative => new EngineSource(
                relative.Contains(System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal) ? relative[..relative.IndexOf(System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal)] : "(root)",
                relative,
                File.ReadAllText(System.IO.Path.Combine(root, relative))))
            .ToList();
    }

    private static string NamespaceOf(string text) => FileScopedNamespace().Match(text) is { Success: true } match ? match.Groups[1].Value : "(none)";

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|@""(?:[^""]|"""")*""|""(?:[^""\\\n]|\\.)*""", RegexOptions.Singleline)]
    private static partial Regex CommentOrString();

    [GeneratedRegex(@"\bDotnetRemote\.Core\.(\w+)")]
    private static partial Regex NamespaceUse();

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex FileScopedNamespace();
}

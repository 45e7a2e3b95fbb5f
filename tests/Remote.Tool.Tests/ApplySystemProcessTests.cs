using System.Diagnostics;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Tool.Tests.TestSupport;
using static DotnetRemote.Tool.Tests.TestSupport.RootAndNobody;

namespace DotnetRemote.Tool.Tests;

/// <summary>
/// <c>apply --system</c> as real processes: root writes, user nobody is refused and sees the result through
/// <c>list</c>, parallel administrators lose nothing, and the README's shell loop runs as written.
/// </summary>
public sealed class ApplySystemProcessTests : IDisposable
{
    private readonly TestMachine _machine = new();

    public void Dispose() => _machine.Dispose();

    private string WriteManifest(string name, string yaml)
    {
        var path = Path.Combine(_machine.Root, name);
        File.WriteAllText(path, yaml);
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
        return path;
    }

    [SkippableFact]
    public async Task Root_applies_the_READMEs_manifest_and_user_nobody_is_refused_but_sees_it_in_list()
    {
        Skip.IfNot(ToolProcess.IsRoot, "needs root to write the system file and to run the tool as user nobody");
        PrepareForNobody(_machine);
        var fleet = WriteManifest("fleet-remotes.yaml", AdministratorsReadme.Load().Manifest);

        var applied = await ToolProcess.RunAsync(_machine.Variables, "apply", "--system", "--prune", "-f", fleet);
        var written = File.ReadAllBytes(_machine.SystemFile);
        var systemFiles = Directory.GetFiles(_machine.SystemDir);
        var apply = await ToolProcess.RunAsAsync(Nobody, _machine.Variables, "apply", "--system", "-f", fleet);
        var prune = await ToolProcess.RunAsAsync(Nobody, _machine.Variables, "apply", "--system", "--prune", "-f", fleet);
        var check = await ToolProcess.RunAsAsync(Nobody, _machine.Variables, "apply", "--system", "--prune", "--check", "-f", fleet);
        var list = await ToolProcess.RunAsAsync(Nobody, _machine.Variables, "list");

        Assert.Equal(0, applied.ExitCode);
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(_machine.SystemFile));
        Assert.Equal(new CliResult(255, "", "FATAL:   Unable to modify global endpoint configuration file: not root user\n"), apply);
        Assert.Equal(apply, prune);
        Assert.Equal((0, "INFO:    Check: nothing to change.\n"), (check.ExitCode, check.Stderr));
        Assert.Equal(written, File.ReadAllBytes(_machine.SystemFile));
        Assert.Equal(systemFiles, Directory.GetFiles(_machine.SystemDir));
        Assert.Equal(new CliResult(0, """
            Cloud Services Endpoints
            ========================

            NAME  URI                   ACTIVE  GLOBAL  EXCLUSIVE  INSECURE
            site  library.site.example  YES     YES     YES        NO

            Keyservers
            ==========

            URI                       GLOBAL  INSECURE  ORDER
            https://pgp.site.example  YES     NO        1
            https://keys.openpgp.org  YES     NO        2

            * Active cloud services keyserver

            """, ""), list);
    }

    [SkippableFact]
    public async Task Parallel_system_applies_lose_nothing()
    {
        Skip.IfNot(ToolProcess.IsRoot, "needs root to write the system file");
        const int count = 8;
        var manifests = Enumerable.Range(0, count).Select(i => WriteManifest($"m{i}.yaml", $"remotes:\n  r{i}:\n    uri: https://h{i}.example.com\n")).ToList();

        var results = await Task.WhenAll(manifests.Select(m => ToolProcess.WaitAsync(ToolProcess.Start(_machine.Variables, ["apply", "--system", "-f", m]))));

        Assert.All(results, r => Assert.Equal(0, r.ExitCode));
        var system = RemoteConfigYaml.Parse(_machine.ReadSystem(), _machine.SystemFile);
        Assert.Equal(["DefaultRemote", .. Enumerable.Range(0, count).Select(i => $"r{i}")], system.Remotes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("DefaultRemote", system.Active);
        Assert.DoesNotContain(Directory.GetFiles(_machine.SystemDir), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task The_READMEs_shell_loop_reports_changed_ok_and_failed_per_node()
    {
        Skip.IfNot(ToolProcess.IsRoot, "needs root: the loop's apply --system runs as root on each node");
        var readme = AdministratorsReadme.Load();
        var nodes = Path.Combine(_machine.Root, "nodes");
        foreach (var node in new[] { "node01", "node02", "node03" })
        {
            Directory.CreateDirectory(Path.Combine(nodes, node));
        }

        WriteManifest("fleet-remotes.yaml", readme.Manifest);
        var loop = readme.ShellLoop.Replace(AdministratorsReadme.NodeManifestPath, "$NODES/$node/fleet-remotes.yaml", StringComparison.Ordinal);
        var script = $$"""
            # ssh and scp stand in for the nodes: each node is a folder with its own system file.
            scp() { cp "$2" "${3#*:}"; }
            ssh() { local node=${1#root@}; shift; DOTNET_REMOTE_SYSTEM_CONFIG="$NODES/$node/remote.yaml" APPTAINER_CONFIGDIR="$NODES/$node/config" "$@"; }
            dotnet() { if [ "$1" = remote ]; then shift; command "$DOTNET_HOST" "$TOOL_DLL" "$@"; else command "$DOTNET_HOST" "$@"; fi; }
            {{loop}}
            """;

        var first = await RunBashAsync(script, nodes);
        var node01 = File.ReadAllBytes(Path.Combine(nodes, "node01", "remote.yaml"));
        File.WriteAllText(Path.Combine(nodes, "node02", "remote.yaml"), "Active: site\nRemotes: [\n");
        File.WriteAllText(Path.Combine(nodes, "node03", "remote.yaml"), SampleYaml.StockSystem);
        var second = await RunBashAsync(script, nodes);

        Assert.Equal((0, "node01: changed\nnode02: changed\nnode03: changed\n"), (first.ExitCode, first.Stdout));
        Assert.All(first.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.StartsWith("INFO:    ", line, StringComparison.Ordinal));
        Assert.Equal((0, "node01: ok\nnode02: FAILED\nnode03: changed\n"), (second.ExitCode, second.Stdout));
        Assert.Contains($"\nFATAL:   {Path.Combine(nodes, "node02", "remote.yaml")}:2: ", second.Stderr, StringComparison.Ordinal);
        Assert.Equal(node01, File.ReadAllBytes(Path.Combine(nodes, "node01", "remote.yaml")));
        Assert.Equal(node01, File.ReadAllBytes(Path.Combine(nodes, "node03", "remote.yaml")));
        Assert.Equal("Active: site\nRemotes: [\n", File.ReadAllText(Path.Combine(nodes, "node02", "remote.yaml")));
    }

    private async Task<CliResult> RunBashAsync(string script, string nodes)
    {
        var start = ToolProcess.StartInfo("bash", ["-c", script], new Dictionary<string, string>
        {
            ["HOME"] = _machine.Home,
            ["NODES"] = nodes,
            ["DOTNET_HOST"] = ToolProcess.DotnetHost,
            ["TOOL_DLL"] = ToolProcess.ToolDll,
        });
        start.WorkingDirectory = _machine.Root;
        return await ToolProcess.WaitAsync(Process.Start(start)!);
    }
}

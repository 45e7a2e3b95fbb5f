using System.Text.Json;
using DotnetRemote.Tool.Tests.TestSupport;

namespace DotnetRemote.Tool.Tests;

/// <summary><c>apply --system</c>, <c>--check</c> and <c>--prune</c> through the command tree, and the README's Ansible example.</summary>
public sealed class ApplySystemCommandTests : IDisposable
{
    private const string Fleet = """
        remotes:
          site:
            uri: https://library.site.example
            exclusive: true
          DefaultRemote:
            uri: cloud.apptainer.org
            keyservers:
              - uri: https://pgp.site.example
              - uri: https://keys.openpgp.org
                skip: true

        """;

    private const string FleetPlan = """
        KIND        TARGET         ACTION     DETAIL
        remote      site           add        library.site.example
        exclusive   site           update     true
        active      site           update     site
        remote      DefaultRemote  unchanged  cloud.apptainer.org
        keyservers  DefaultRemote  update     https://pgp.site.example (hidden: https://keys.openpgp.org)

        """;

    private readonly TestMachine _machine = new();
    private readonly CliRunner _cli;

    public ApplySystemCommandTests() => _cli = new CliRunner(_machine);

    public void Dispose() => _machine.Dispose();

    private string Manifest(string yaml, string name = "fleet.yaml")
    {
        var path = Path.Combine(_machine.Root, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    private byte[]? SystemBytes() => File.Exists(_machine.SystemFile) ? File.ReadAllBytes(_machine.SystemFile) : null;

    [Fact]
    public async Task Check_exits_2_with_the_plan_then_apply_then_check_exits_0()
    {
        var fleet = Manifest(Fleet);

        var before = await _cli.RootAsync("apply", "--system", "--check", "-f", fleet);
        var noFile = SystemBytes();
        var apply = await _cli.RootAsync("apply", "--system", "-f", fleet);
        var after = await _cli.RootAsync("apply", "--system", "--check", "-f", fleet);

        Assert.Equal(new CliResult(2, FleetPlan, "INFO:    Check: 4 change(s) to make; nothing was written.\n"), before);
        Assert.Null(noFile);
        Assert.Equal(new CliResult(0, FleetPlan, $"INFO:    {fleet} applied to {_machine.SystemFile}: 4 change(s)\n"), apply);
        Assert.Equal(0, after.ExitCode);
        Assert.Equal("INFO:    Check: nothing to change.\n", after.Stderr);
        Assert.DoesNotContain(" update ", after.Stdout, StringComparison.Ordinal);
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(_machine.SystemFile));
    }

    [Fact]
    public async Task Check_exits_255_on_an_invalid_manifest_naming_the_entry_and_writes_nothing()
    {
        _machine.WriteSystem(SampleYaml.StockSystem);
        var withToken = Manifest("remotes:\n  site:\n    uri: library.site.example\n    token: a-secret-token\n    use: true\n");

        var result = await _cli.RootAsync("apply", "--system", "--check", "-f", withToken);

        Assert.Equal(new CliResult(255, "", $"FATAL:   {withToken}:3: remote site has a token: tokens are per user and never go to the world-readable system file; apply them without --system\n"), result);
        Assert.Equal(SampleYaml.StockSystem, _machine.ReadSystem());
    }

    [Fact]
    public async Task Check_with_json_prints_the_plan_for_scripts_and_keeps_the_exit_code()
    {
        var result = await _cli.RootAsync("apply", "--system", "--check", "--json", "-f", Manifest(Fleet));

        Assert.Equal(2, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.True(json.RootElement.GetProperty("changesAnything").GetBoolean());
        Assert.False(json.RootElement.GetProperty("applied").GetBoolean());
        Assert.Equal(5, json.RootElement.GetProperty("changes").GetArrayLength());
        Assert.Equal("exclusive", json.RootElement.GetProperty("changes")[1].GetProperty("kind").GetString());
        Assert.False(File.Exists(_machine.SystemFile));
    }

    [Fact]
    public async Task A_regular_user_is_refused_and_the_files_stay_but_may_check()
    {
        _machine.WriteSystem(SampleYaml.StockSystem);
        var fleet = Manifest(Fleet);

        var apply = await _cli.UserAsync("apply", "--system", "-f", fleet);
        var prune = await _cli.UserAsync("apply", "--system", "--prune", "-f", fleet);
        var check = await _cli.UserAsync("apply", "--system", "--check", "-f", fleet);

        Assert.Equal(new CliResult(255, "", "FATAL:   Unable to modify global endpoint configuration file: not root user\n"), apply);
        Assert.Equal(apply, prune);
        Assert.Equal(2, check.ExitCode);
        Assert.Equal(SampleYaml.StockSystem, _machine.ReadSystem());
        Assert.False(Directory.Exists(_machine.ConfigDir));
    }

    [Fact]
    public async Task A_second_apply_changes_nothing()
    {
        var fleet = Manifest(Fleet);
        await _cli.RootAsync("apply", "--system", "-f", fleet);
        var first = SystemBytes();

        var second = await _cli.RootAsync("apply", "--system", "-f", fleet);

        Assert.Equal(0, second.ExitCode);
        Assert.Equal("INFO:    Nothing to change.\n", second.Stderr);
        Assert.Equal(5, second.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(line => line.Contains(" unchanged ", StringComparison.Ordinal)));
        Assert.Equal(first, SystemBytes());
    }

    [Fact]
    public async Task Prune_removes_an_undeclared_system_remote_and_lists_it()
    {
        await _cli.RootAsync("add", "--global", "legacy", "https://library.legacy.example");
        var fleet = Manifest(Fleet);

        var check = await _cli.RootAsync("apply", "--system", "--prune", "--check", "-f", fleet);
        var apply = await _cli.RootAsync("apply", "--system", "--prune", "-f", fleet);
        var again = await _cli.RootAsync("apply", "--system", "--prune", "--check", "-f", fleet);

        Assert.Equal(2, check.ExitCode);
        Assert.Contains("remote      legacy         remove     library.legacy.example\n", check.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, apply.ExitCode);
        Assert.DoesNotContain("legacy", _machine.ReadSystem(), StringComparison.Ordinal);
        Assert.Equal(0, again.ExitCode);
    }

    [Fact]
    public async Task User_scope_check_and_prune_have_the_same_exit_codes()
    {
        await _cli.UserAsync("add", "--no-login", "leftover", "https://leftover.example.com");
        var mine = Manifest("remotes:\n  mine:\n    uri: https://mine.example.com\n    use: true\n", "mine.yaml");

        var check = await _cli.UserAsync("apply", "--prune", "--check", "-f", mine);
        var apply = await _cli.UserAsync("apply", "--prune", "-f", mine);
        var again = await _cli.UserAsync("apply", "--prune", "--check", "-f", mine);

        Assert.Equal(2, check.ExitCode);
        Assert.Contains("remote  leftover  remove  leftover.example.com\n", check.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, apply.ExitCode);
        Assert.DoesNotContain("leftover", _machine.ReadUser(), StringComparison.Ordinal);
        Assert.Equal(new CliResult(0, again.Stdout, "INFO:    Check: nothing to change.\n"), again);
        Assert.False(File.Exists(_machine.SystemFile));
    }

    [Fact]
    public async Task The_READMEs_Ansible_commands_report_changed_then_apply_then_report_ok()
    {
        var readme = AdministratorsReadme.Load();
        var manifest = Manifest(readme.Manifest, "fleet-remotes.yaml");
        Assert.Equal(2, readme.AnsibleCommands.Count);
        var check = AdministratorsReadme.ToolArguments(readme.AnsibleCommands[0], manifest);
        var apply = AdministratorsReadme.ToolArguments(readme.AnsibleCommands[1], manifest);
        Assert.Contains("--check", check);
        Assert.Equal(check.Where(a => a != "--check"), apply);
        Assert.Contains("changed_when: remotes_check.rc == 2", readme.Ansible, StringComparison.Ordinal);
        Assert.Contains("failed_when: remotes_check.rc not in [0, 2]", readme.Ansible, StringComparison.Ordinal);
        Assert.Contains("when: remotes_check.rc == 2", readme.Ansible, StringComparison.Ordinal);

        var firstCheck = await _cli.RootAsync(check);
        var applied = await _cli.RootAsync(apply);
        var secondCheck = await _cli.RootAsync(check);

        Assert.Equal(2, firstCheck.ExitCode);
        Assert.Equal(0, applied.ExitCode);
        Assert.Equal(0, secondCheck.ExitCode);
        Assert.Equal("""
            Active: site
            Remotes:
              site:
                URI: library.site.example
                System: true
                Exclusive: true
                Keyservers:
                - URI: https://keys.site.example
                  Skip: true
                  External: false
                  Insecure: false
                - URI: https://pgp.site.example
                  Skip: false
                  External: true
                  Insecure: false
                - URI: https://keys.openpgp.org
                  Skip: false
                  External: true
                  Insecure: false

            """, _machine.ReadSystem());
        Assert.Empty(_cli.Http.Requests);
    }

    [Fact]
    public async Task The_READMEs_Ansible_check_fails_the_task_with_255_on_a_broken_manifest()
    {
        var readme = AdministratorsReadme.Load();
        var manifest = Manifest(readme.Manifest.Replace("    exclusive: true", "    exclusive: true\n    token: a-secret-token", StringComparison.Ordinal), "fleet-remotes.yaml");

        var result = await _cli.RootAsync(AdministratorsReadme.ToolArguments(readme.AnsibleCommands[0], manifest));

        Assert.Equal(255, result.ExitCode);
        Assert.StartsWith($"FATAL:   {manifest}:4: remote site has a token", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("a-secret-token", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }
}

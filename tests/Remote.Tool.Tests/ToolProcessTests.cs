using DotnetRemote.Core.Configuration;
using DotnetRemote.Tool.Tests.TestSupport;
using static DotnetRemote.Tool.Tests.TestSupport.RootAndNobody;

namespace DotnetRemote.Tool.Tests;

/// <summary>The built tool as a real process: the same output, real uids, real concurrent writers.</summary>
public sealed class ToolProcessTests : IDisposable
{
    private readonly TestMachine _machine = new();

    public void Dispose() => _machine.Dispose();

    [Fact]
    public void The_tool_is_copied_next_to_the_tests()
    {
        Assert.True(File.Exists(ToolProcess.ToolDll), ToolProcess.ToolDll);
        Assert.True(File.Exists(Path.ChangeExtension(ToolProcess.ToolDll, ".runtimeconfig.json")));
    }

    [Fact]
    public async Task List_on_a_fresh_machine_prints_the_seed_listing()
    {
        var result = await ToolProcess.RunAsync(_machine.Variables, "list");

        Assert.Equal(new CliResult(0, ListingText.FreshMachine, ""), result);
    }

    [Fact]
    public async Task Add_writes_a_private_file_and_reports_on_stderr()
    {
        var result = await ToolProcess.RunAsync(_machine.Variables, "add", "--no-login", "myremote", "https://enterprise.example.com:8443/");

        Assert.Equal(new CliResult(0, "", "INFO:    Remote \"myremote\" added.\n"), result);
        Assert.Equal("enterprise.example.com:8443", Parse(_machine.UserFile).Remotes["myremote"].Uri);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_machine.UserFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_machine.ConfigDir));
    }

    [Fact]
    public async Task A_usage_error_exits_1_and_a_failure_exits_255()
    {
        var usage = await ToolProcess.RunAsync(_machine.Variables, "add", "onlyone");
        var failure = await ToolProcess.RunAsync(_machine.Variables, "use", "ghost");

        Assert.Equal(1, usage.ExitCode);
        Assert.NotEqual("", usage.Stderr);
        Assert.Equal(new CliResult(255, "", "FATAL:   ghost is not a remote\n"), failure);
    }

    [SkippableFact]
    public async Task A_regular_user_cannot_edit_the_system_file()
    {
        Skip.IfNot(ToolProcess.IsRoot, "needs root to run the tool as user nobody");
        PrepareForNobody(_machine);
        _machine.WriteSystem(SampleYaml.StockSystem + "  company-remote:\n    URI: enterprise.example.com\n    System: true\n    Exclusive: false\n");
        File.SetUnixFileMode(_machine.SystemFile, (UnixFileMode)0b110_100_100);
        var before = File.ReadAllBytes(_machine.SystemFile);

        var addGlobal = await ToolProcess.RunAsAsync(Nobody, _machine.Variables, "add", "--global", "corp", "https://corp.example.com");
        var removeGlobal = await ToolProcess.RunAsAsync(Nobody, _machine.Variables, "remove", "--global", "company-remote");
        var exclusive = await ToolProcess.RunAsAsync(Nobody, _machine.Variables, "use", "--exclusive", "company-remote");
        var addKeyserver = await ToolProcess.RunAsAsync(Nobody, _machine.Variables, "add-keyserver", "https://pgp.example.com");
        var removeKeyserver = await ToolProcess.RunAsAsync(Nobody, _machine.Variables, "remove-keyserver", "https://keys.openpgp.org");
        var throughConfig = await ToolProcess.RunAsAsync(Nobody, _machine.Variables, "--config", _machine.SystemFile, "add", "--no-login", "sneaky", "https://sneaky.example.com");

        Assert.Equal(new CliResult(255, "", "FATAL:   Unable to modify global endpoint configuration file: not root user\n"), addGlobal);
        Assert.Equal(new CliResult(255, "", "FATAL:   Unable to modify global endpoint configuration file: not root user\n"), removeGlobal);
        Assert.Equal(new CliResult(255, "", "FATAL:   unable to set endpoint as exclusive: not root user\n"), exclusive);
        Assert.Equal(new CliResult(255, "", "FATAL:   Unable to modify keyserver configuration: not root user\n"), addKeyserver);
        Assert.Equal(new CliResult(255, "", "FATAL:   Unable to modify keyserver configuration: not root user\n"), removeKeyserver);
        Assert.Equal(255, throughConfig.ExitCode);
        Assert.StartsWith("FATAL:   ", throughConfig.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(_machine.SystemFile));
        Assert.Equal([_machine.SystemFile], Directory.GetFiles(_machine.SystemDir));
    }

    [SkippableFact]
    public async Task A_regular_user_still_manages_their_own_remotes_next_to_the_system_file()
    {
        Skip.IfNot(ToolProcess.IsRoot, "needs root to run the tool as user nobody");
        PrepareForNobody(_machine);
        _machine.WriteSystem(SampleYaml.StockSystem);

        var add = await ToolProcess.RunAsAsync(Nobody, _machine.Variables, "add", "--no-login", "mine", "mine.example.com");
        var list = await ToolProcess.RunAsAsync(Nobody, _machine.Variables, "list");

        Assert.Equal(new CliResult(0, "", "INFO:    Remote \"mine\" added.\n"), add);
        Assert.Contains("mine           mine.example.com     NO      NO      NO         NO\n", list.Stdout, StringComparison.Ordinal);
        Assert.Equal(SampleYaml.StockSystem, _machine.ReadSystem());
        Assert.Equal(Nobody, OwnerOf(_machine.UserFile));
    }

    [Fact]
    public async Task Twenty_four_concurrent_processes_adding_remotes_lose_nothing()
    {
        const int count = 24;
        var processes = Enumerable.Range(0, count)
            .Select(i => ToolProcess.Start(_machine.Variables, ["add", "--no-login", $"r{i}", $"https://h{i}.example.com"]))
            .ToList();

        var results = await Task.WhenAll(processes.Select(ToolProcess.WaitAsync));

        for (var i = 0; i < count; i++)
        {
            Assert.Equal(new CliResult(0, "", $"INFO:    Remote \"r{i}\" added.\n"), results[i]);
        }

        var config = Parse(_machine.UserFile);
        Assert.Equal(count, config.Remotes.Count);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal($"h{i}.example.com", config.Remotes[$"r{i}"].Uri);
        }

        Assert.Equal(RemoteConfigYaml.Write(config), _machine.ReadUser());
        Assert.DoesNotContain(Directory.GetFiles(_machine.ConfigDir), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    private static RemoteConfig Parse(string file) => RemoteConfigYaml.Parse(File.ReadAllText(file), file);
}

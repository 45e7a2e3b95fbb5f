using System.Diagnostics;
using DotnetRemote.Tool.Tests.TestSupport;

namespace DotnetRemote.Tool.Tests;

/// <summary>
/// The credential helper never starts itself without end (issue 8): the built tool as real processes, its helper on
/// PATH behind a wrapper that counts every start. The time bound only separates "answers at once" from the old chain
/// of helpers that ended in 30 s timeouts; the figures are in the closing note.
/// </summary>
public sealed class HelperLoopTests : IDisposable
{
    private static readonly TimeSpan NoLoop = TimeSpan.FromSeconds(10);

    private readonly TestMachine _machine = new();
    private readonly string _bin;
    private readonly string _runs;

    public HelperLoopTests()
    {
        _bin = Path.Combine(_machine.Root, "bin");
        _runs = Path.Combine(_machine.Root, "helper-runs.log");
        Directory.CreateDirectory(_bin);

        // docker-credential-dotnet-remote as `credential-helper install` writes it, and "loop", another name for it.
        foreach (var name in new[] { "dotnet-remote", "loop" })
        {
            var script = Path.Combine(_bin, $"docker-credential-{name}");
            File.WriteAllText(script, $"#!/bin/sh\necho \"{name} $*\" >> '{_runs}'\nexec '{ToolProcess.DotnetHost}' '{ToolProcess.ToolDll}' credential-helper \"$@\"\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public void Dispose() => _machine.Dispose();

    private Dictionary<string, string> Environment() => new(_machine.Variables)
    {
        ["PATH"] = _bin + Path.PathSeparator + (System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin"),
    };

    private int HelperRuns => File.Exists(_runs) ? File.ReadAllLines(_runs).Length : 0;

    private void WriteDockerConfig(string json)
    {
        Directory.CreateDirectory(_machine.ConfigDir);
        File.WriteAllText(Path.Combine(_machine.ConfigDir, "docker-config.json"), json);
    }

    private async Task<(CliResult Result, TimeSpan Elapsed)> RunAsync(string? stdin, params string[] args)
    {
        var watch = Stopwatch.StartNew();
        var process = ToolProcess.Start(Environment(), args);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        var result = await ToolProcess.WaitAsync(process);
        return (result, watch.Elapsed);
    }

    private static string[] Warnings(CliResult result) => result.Stderr.Split('\n').Where(l => l.StartsWith("WARNING:", StringComparison.Ordinal)).ToArray();

    [Fact]
    public async Task A_docker_config_naming_dotnet_remote_as_credsStore_answers_at_once_without_starting_the_helper()
    {
        WriteDockerConfig("""{"credsStore":"dotnet-remote"}""");

        var (get, getTime) = await RunAsync(null, "credential", "get", "docker://unknown.example.com/x");
        var (helper, helperTime) = await RunAsync("unknown.example.com\n", "credential-helper", "get");

        Assert.Equal(1, get.ExitCode);
        Assert.Equal("", get.Stdout);
        Assert.Contains("names docker-credential-dotnet-remote as its credential helper", Assert.Single(Warnings(get)), StringComparison.Ordinal);
        Assert.Equal((1, "credentials not found in native keychain\n"), (helper.ExitCode, helper.Stdout));
        Assert.Single(Warnings(helper));
        Assert.Equal(0, HelperRuns);
        Assert.True(getTime < NoLoop && helperTime < NoLoop, $"credential get took {getTime}, helper get {helperTime}");
    }

    [Fact]
    public async Task A_helper_under_another_name_that_leads_back_to_dotnet_remote_runs_once_and_the_loop_is_named()
    {
        WriteDockerConfig("""{"credsStore":"loop"}""");

        var (get, getTime) = await RunAsync(null, "credential", "get", "docker://unknown.example.com/x");
        var runsForGet = HelperRuns;
        var (helper, helperTime) = await RunAsync("unknown.example.com\n", "credential-helper", "get");

        Assert.Equal((1, ""), (get.ExitCode, get.Stdout));
        Assert.Equal(1, runsForGet);
        Assert.Contains("credential helper loop", Assert.Single(Warnings(get)), StringComparison.Ordinal);
        Assert.Equal((1, "credentials not found in native keychain\n"), (helper.ExitCode, helper.Stdout));
        Assert.Contains("credential helper loop", Assert.Single(Warnings(helper)), StringComparison.Ordinal);
        Assert.Equal(2, HelperRuns);
        Assert.True(getTime < NoLoop && helperTime < NoLoop, $"credential get took {getTime}, helper get {helperTime}");
    }

    [Fact]
    public async Task A_login_stored_in_the_file_is_still_served_when_the_file_names_dotnet_remote()
    {
        var auth = Convert.ToBase64String("alice:pw"u8.ToArray());
        WriteDockerConfig("{\"credsStore\":\"dotnet-remote\",\"auths\":{\"ghcr.io\":{\"auth\":\"" + auth + "\"}}}");

        var (helper, _) = await RunAsync("ghcr.io\n", "credential-helper", "get");

        Assert.Equal((0, "{\"ServerURL\":\"ghcr.io\",\"Username\":\"alice\",\"Secret\":\"pw\"}\n"), (helper.ExitCode, helper.Stdout));
        Assert.Equal(0, HelperRuns);
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Credentials;
using DotnetRemote.Core.Registries;
using DotnetRemote.Tool.Tests.TestSupport;

namespace DotnetRemote.Tool.Tests;

/// <summary>
/// kill -9 of the real tool at random points while <c>apply</c> rewrites a large remote.yaml and a large
/// docker-config.json. After each kill: both files parse, nothing stored before is lost, the token in remote.yaml and
/// the password <c>credential get</c> returns come from the same run (no torn apply), <c>list</c> shows the login
/// exactly when a credential serves it, and after the next write no temp file or journal is left.
/// Runs: <c>DOTNET_REMOTE_KILL_RUNS</c> (default 100, 250 under <c>CI=true</c>); the figures go to <c>DOTNET_REMOTE_KILL_REPORT</c> when set.
/// </summary>
[Collection(nameof(CrashConsistencyTests))]
public sealed class CrashConsistencyTests : IDisposable
{
    private const int FillerRemotes = 1500;
    private const int FillerLogins = 15000;
    private const string Registry = "registry.example.com";
    private readonly TestMachine _machine = new();

    public void Dispose() => _machine.Dispose();

    private string DockerConfig => Path.Combine(_machine.ConfigDir, "docker-config.json");

    [Fact]
    public async Task Kill_9_during_apply_never_leaves_a_torn_state_or_a_temp_file()
    {
        var runs = int.TryParse(Environment.GetEnvironmentVariable("DOTNET_REMOTE_KILL_RUNS"), CultureInfo.InvariantCulture, out var n) ? n
            : Environment.GetEnvironmentVariable("CI") == "true" ? 250 : 100;
        WriteLargeFiles();
        var manifest = Path.Combine(_machine.Root, "remotes.yaml");
        File.WriteAllText(manifest, $"remotes:\n  company:\n    uri: https://library.example.com\n    token: ${{env:TOK}}\nlogins:\n  - uri: docker://{Registry}\n    username: ci\n    password: ${{env:PW}}\n");

        // How long a whole apply takes here (the quickest of three), so the kills spread over its whole life.
        var duration = int.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var timing = Stopwatch.StartNew();
            Assert.Equal(0, (await ToolProcess.RunAsync(Variables(i), "apply", "-f", manifest, "--no-verify")).ExitCode);
            duration = (int)Math.Min(duration, Math.Max(50, timing.ElapsedMilliseconds));
        }

        var last = await CheckStateAsync();
        Assert.Equal(2, last);

        var random = new Random(9);
        int killed = 0, completed = 0, torn = 0, leftoverBefore = 0, leftoverAfter = 0, rolledForward = 0;
        for (var run = 3; run < runs + 3; run++)
        {
            using var process = ToolProcess.Start(Variables(run), ["apply", "-f", manifest, "--no-verify"]);
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            // Most kills land in the second half of the run, where the files are read, computed and written.
            if (process.WaitForExit((duration / 3) + random.Next(duration * 8 / 10)))
            {
                completed++;
                Assert.True(process.ExitCode == 0, await stderr);
            }
            else
            {
                process.Kill();
                await process.WaitForExitAsync();
                killed++;
            }

            await Task.WhenAll(stdout, stderr);
            leftoverBefore += Leftovers().Count;
            rolledForward += Directory.GetFiles(_machine.ConfigDir, "*.journal", new EnumerationOptions { AttributesToSkip = 0 }).Length > 0 ? 1 : 0;

            int version;
            try
            {
                version = await CheckStateAsync();
            }
            catch (TornException)
            {
                torn++;
                continue;
            }

            Assert.True(version == run || version == last, $"run {run}: state of run {version}, expected {last} or {run}");
            last = version;

            // The next write: any temp file or journal a killed writer left is gone after it.
            await new RemoteConfigStore(Context()).UpdateUserAsync(merged: false, _ => 0);
            await DockerConfigFile.UpdateAsync(DockerConfig, _ => Task.FromResult(0));
            var after = Leftovers();
            leftoverAfter += after.Count;
            Assert.True(after.Count == 0, $"run {run}: left after the next write: {string.Join(", ", after)}");
        }

        if (Environment.GetEnvironmentVariable("DOTNET_REMOTE_KILL_REPORT") is { Length: > 0 } report)
        {
            File.AppendAllText(report, $"runs={runs} killed={killed} completed={completed} torn={torn} leftover_before_next_write={leftoverBefore} journals_pending={rolledForward} leftover_after_next_write={leftoverAfter} window_ms={duration}\n");
        }

        Assert.Equal(0, torn);
        Assert.Equal(0, leftoverAfter);
        // Timing on a loaded machine varies; the harness is only meaningful if most runs die, and most do.
        Assert.True(killed >= runs / 3, $"only {killed} of {runs} runs were killed");
    }

    private Dictionary<string, string> Variables(int run) =>
        new(_machine.Variables) { ["TOK"] = $"token-{run:D5}", ["PW"] = $"password-{run:D5}" };

    private RemoteContext Context() => new(_machine.Paths(), environment: _machine.Environment);

    /// <summary>What <c>list</c> and <c>credential get</c> see; the run both come from, or <see cref="TornException"/>.</summary>
    private async Task<int> CheckStateAsync()
    {
        var context = Context();
        var user = new RemoteConfigStore(context).LoadUser();
        var docker = DockerConfigFile.Load(DockerConfig);
        Assert.Equal(FillerRemotes + 1, user.Remotes.Count);
        Assert.Equal(FillerLogins + 1, docker.Keys.Count);
        var credential = await new CredentialResolver(context).ResolveAsync($"docker://{Registry}/app");
        var token = user.Remotes["company"].Token;
        var listed = user.Credentials.Any(c => c.Uri == $"docker://{Registry}");
        var tokenRun = int.Parse(token["token-".Length..], CultureInfo.InvariantCulture);
        var passwordRun = credential is null ? -1 : int.Parse(credential.Secret["password-".Length..], CultureInfo.InvariantCulture);
        if (tokenRun != passwordRun || !listed)
        {
            throw new TornException();
        }

        return tokenRun;
    }

    private List<string> Leftovers() =>
        [.. Directory.GetFiles(_machine.ConfigDir, "*", new EnumerationOptions { AttributesToSkip = 0 })
            .Select(Path.GetFileName)
            .Where(name => name!.EndsWith(".tmp", StringComparison.Ordinal) || name.EndsWith(".journal", StringComparison.Ordinal))
            .Select(name => name!)];

    /// <summary>A remote.yaml of ~1,500 remotes and a docker-config.json of ~15,000 logins (about 1 MB).</summary>
    private void WriteLargeFiles()
    {
        var yaml = new StringBuilder("Remotes:\n");
        for (var i = 0; i < FillerRemotes; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  filler{i:D5}:\n    URI: filler{i:D5}.example.com\n    Token: filler-token-{i:D5}-0123456789abcdef\n");
        }

        _machine.WriteUser(yaml.ToString());
        var json = new StringBuilder("{\"auths\":{");
        for (var i = 0; i < FillerLogins; i++)
        {
            json.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : ",")}\"filler{i:D5}.example.com\":{{\"auth\":\"{Convert.ToBase64String(Encoding.UTF8.GetBytes($"user{i}:password-{i}-0123456789"))}\"}}");
        }

        File.WriteAllText(DockerConfig, json.Append("}}").ToString());
        File.SetUnixFileMode(DockerConfig, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private sealed class TornException : Exception;
}

/// <summary>The kill -9 runs time the tool: they run alone, not beside the other process tests.</summary>
[CollectionDefinition(nameof(CrashConsistencyTests), DisableParallelization = true)]
public sealed class CrashConsistencyRunsAlone;

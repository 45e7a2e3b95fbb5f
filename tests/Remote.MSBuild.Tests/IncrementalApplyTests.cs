using System.Text;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Manifests;
using Microsoft.Build.Framework;

namespace DotnetRemote.MSBuild.Tests;

/// <summary>
/// RemoteApply's incremental check, verification, locations and cancellation through the task's seam: an
/// in-memory library endpoint and registry, an environment dictionary and a clock of the test's own. Nothing here
/// touches the process environment or the network, so these tests run in parallel with each other.
/// </summary>
public sealed class IncrementalApplyTests : IDisposable
{
    private const string Library = "library.example.com";
    private const string Registry = "registry.example.com";
    private const string Token = "seam-library-token-0123456789";
    private const string User = "alice";
    private const string Password = "seam-registry-password";

    private readonly string _root = Directory.CreateTempSubdirectory("dotnet-remote-msbuild-seam-").FullName;
    private readonly Dictionary<string, string> _variables;
    private readonly FakeHttpHandler _server = FakeHttpHandler.LibraryAndRegistry(Library, Token, Registry, User, Password);
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

    public IncrementalApplyTests()
    {
        _variables = new(StringComparer.Ordinal)
        {
            ["HOME"] = Path.Combine(_root, "home"),
            ["APPTAINER_CONFIGDIR"] = Path.Combine(_root, "config"),
            ["DOTNET_REMOTE_SYSTEM_CONFIG"] = Path.Combine(_root, "system", "remote.yaml"),
            ["DOCKER_CONFIG"] = Path.Combine(_root, "docker"),
            ["COMPANY_TOKEN"] = Token,
            ["REGISTRY_USER"] = User,
            ["REGISTRY_PASSWORD"] = Password,
        };
        ProjectFile = Path.Combine(_root, "pipeline", "App.csproj");
        Directory.CreateDirectory(Path.GetDirectoryName(ProjectFile)!);
        File.WriteAllText(ProjectFile, """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
              </PropertyGroup>
              <ItemGroup>
                <RemoteEndpoint Include="company" Uri="https://library.example.com" TokenEnvironmentVariable="COMPANY_TOKEN" Use="true" />
                <RemoteLogin Include="$(RegistryUri)" UsernameEnvironmentVariable="REGISTRY_USER" PasswordEnvironmentVariable="REGISTRY_PASSWORD" />
              </ItemGroup>
            </Project>
            """);
    }

    private string ProjectFile { get; }

    private string ConfigDirectory => _variables["APPTAINER_CONFIGDIR"];

    private string RemoteYaml => Path.Combine(ConfigDirectory, "remote.yaml");

    private string DockerConfig => Path.Combine(ConfigDirectory, "docker-config.json");

    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private (RemoteApply Task, FakeBuildEngine Engine) Apply(string? interval = null, bool innerBuild = false, params ITaskItem[] manifests)
    {
        var engine = new FakeBuildEngine();
        var task = new RemoteApply
        {
            BuildEngine = engine,
            ProjectFile = ProjectFile,
            Endpoints = [TaskSandbox.Item("company", ("Uri", $"https://{Library}"), ("TokenEnvironmentVariable", "COMPANY_TOKEN"), ("Use", "true"))],
            Logins = manifests.Length > 0 ? [] : [TaskSandbox.Item($"docker://{Registry}", ("UsernameEnvironmentVariable", "REGISTRY_USER"), ("PasswordEnvironmentVariable", "REGISTRY_PASSWORD"))],
            Manifests = manifests,
            VerifyInterval = interval,
            InnerBuild = innerBuild,
            EnvironmentOverride = name => _variables.GetValueOrDefault(name),
            HttpHandlerOverride = _server,
            TimeOverride = _clock,
        };
        return (task, engine);
    }

    private byte[][] Stored() => [File.ReadAllBytes(RemoteYaml), File.ReadAllBytes(DockerConfig)];

    [Fact]
    public void The_first_build_verifies_and_writes_then_an_unchanged_build_makes_no_request_and_writes_nothing()
    {
        var (first, _) = Apply();
        Assert.True(first.Execute());
        Assert.False(first.UpToDate);
        Assert.Contains($"GET https://{Library}/token/v1/token-status", _server.Requests);
        Assert.Contains($"GET https://{Registry}/v2/", _server.Requests);
        var stored = Stored();
        var stampWrite = File.GetLastWriteTimeUtc(Stamp());
        _server.Requests.Clear();
        _server.Down = true;

        var (second, engine) = Apply();
        Assert.True(second.Execute());

        Assert.True(second.UpToDate);
        Assert.Empty(_server.Requests);
        Assert.Empty(engine.Errors);
        Assert.Empty(engine.Warnings);
        Assert.Equal(stored, Stored());
        Assert.Equal(stampWrite, File.GetLastWriteTimeUtc(Stamp()));
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(Stamp())!, "*.tmp"));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_stamp_is_private_and_holds_neither_secret_nor_its_plain_hash()
    {
        Assert.True(Apply().Task.Execute());

        var stamp = Stamp();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(stamp));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(stamp)!));
        var text = File.ReadAllText(stamp);
        foreach (var secret in new[] { Token, Password })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            var plain = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(secret));
            Assert.DoesNotContain(Convert.ToBase64String(plain), text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToHexString(plain), text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void A_changed_secret_verifies_again_and_a_wrong_one_fails_without_writing()
    {
        Assert.True(Apply().Task.Execute());
        var stored = Stored();
        _server.Requests.Clear();

        _variables["REGISTRY_PASSWORD"] = "not-the-password";
        var (wrong, engine) = Apply();
        Assert.False(wrong.Execute());

        Assert.Contains($"GET https://{Registry}/v2/", _server.Requests);
        var error = Assert.Single(engine.Errors);
        Assert.Equal(RemoteErrorCodes.LoginFailed, error.Code);
        Assert.Equal(stored, Stored());

        // Back to the right secret: the stamp still describes the store, so nothing needs verifying.
        _server.Requests.Clear();
        _variables["REGISTRY_PASSWORD"] = Password;
        var (again, _) = Apply();
        Assert.True(again.Execute());
        Assert.True(again.UpToDate);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public void A_changed_store_or_an_old_verification_verifies_again()
    {
        Assert.True(Apply().Task.Execute());

        File.AppendAllText(RemoteYaml, "\n");
        _server.Requests.Clear();
        var (afterEdit, _) = Apply();
        Assert.True(afterEdit.Execute());
        Assert.False(afterEdit.UpToDate);
        Assert.NotEmpty(_server.Requests);

        _clock.Advance(TimeSpan.FromHours(23));
        _server.Requests.Clear();
        var (young, _) = Apply();
        Assert.True(young.Execute());
        Assert.True(young.UpToDate);
        Assert.Empty(_server.Requests);

        _clock.Advance(TimeSpan.FromHours(2));
        var (old, _) = Apply();
        Assert.True(old.Execute());
        Assert.False(old.UpToDate);
        Assert.NotEmpty(_server.Requests);
    }

    [Fact]
    public void An_inner_build_does_not_verify_for_age_but_does_for_a_change()
    {
        Assert.True(Apply().Task.Execute());
        _clock.Advance(TimeSpan.FromDays(3));
        _server.Requests.Clear();

        var (inner, _) = Apply(innerBuild: true);
        Assert.True(inner.Execute());
        Assert.True(inner.UpToDate);
        Assert.Empty(_server.Requests);

        _variables["COMPANY_TOKEN"] = "another-token-0123456789";
        var (changed, engine) = Apply(innerBuild: true);
        Assert.False(changed.Execute());
        Assert.Equal(RemoteErrorCodes.TokenInvalid, Assert.Single(engine.Errors).Code);
    }

    [Fact]
    public void Interval_zero_verifies_every_build()
    {
        Assert.True(Apply("0").Task.Execute());
        _server.Requests.Clear();

        var (second, _) = Apply("0");
        Assert.True(second.Execute());

        Assert.False(second.UpToDate);
        Assert.NotEmpty(_server.Requests);
    }

    [Theory]
    [InlineData(null, 24 * 60)]
    [InlineData("24h", 24 * 60)]
    [InlineData("90m", 90)]
    [InlineData("2d", 2 * 24 * 60)]
    [InlineData("1.00:00:00", 24 * 60)]
    [InlineData("00:30:00", 30)]
    [InlineData("0", 0)]
    public void VerifyInterval_accepts_units_and_timespans(string? text, int minutes) =>
        Assert.Equal(TimeSpan.FromMinutes(minutes), RemoteApply.ParseInterval(text));

    [Fact]
    public void A_bad_VerifyInterval_is_an_RMT_error_naming_the_property()
    {
        var (task, engine) = Apply("soon");

        Assert.False(task.Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal(RemoteErrorCodes.InvalidArgument, error.Code);
        Assert.Contains("RemoteVerifyInterval 'soon'", error.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public void Outside_CI_a_missing_secret_is_one_RMT0061_warning_at_the_item_and_nothing_is_applied()
    {
        _variables.Remove("REGISTRY_PASSWORD");
        var (task, engine) = Apply();

        Assert.True(task.Execute());

        Assert.Empty(engine.Errors);
        var warning = Assert.Single(engine.Warnings);
        Assert.Equal("RMT0061", warning.Code);
        Assert.StartsWith($"RemoteLogin 'docker://{Registry}': environment variable REGISTRY_PASSWORD is not set", warning.Message, StringComparison.Ordinal);
        Assert.Equal((ProjectFile, 7), (warning.File, warning.LineNumber));
        Assert.Empty(_server.Requests);
        Assert.False(Directory.Exists(ConfigDirectory));
    }

    [Theory]
    [InlineData("CI", "true")]
    [InlineData("GITHUB_ACTIONS", "true")]
    [InlineData("TF_BUILD", "True")]
    [InlineData("GITLAB_CI", "true")]
    public void In_CI_a_missing_secret_is_an_RMT0061_error_at_the_item(string variable, string value)
    {
        _variables[variable] = value;
        _variables.Remove("COMPANY_TOKEN");
        var (task, engine) = Apply();

        Assert.False(task.Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal(("RMT0061", ProjectFile, 6), (error.Code, error.File, error.LineNumber));
        Assert.Empty(engine.Warnings);
        Assert.False(Directory.Exists(ConfigDirectory));
    }

    [Fact]
    public void CI_false_counts_as_outside_CI()
    {
        _variables["CI"] = "false";
        _variables.Remove("COMPANY_TOKEN");
        var (task, engine) = Apply();

        Assert.True(task.Execute());

        Assert.Equal("RMT0061", Assert.Single(engine.Warnings).Code);
    }

    [Fact]
    public void A_failing_manifest_entry_is_reported_at_its_file_and_line()
    {
        var manifest = Path.Combine(_root, "pipeline", "remotes.yaml");
        File.WriteAllText(manifest, $"""
            logins:
              - uri: docker://{Registry}
                username: alice
                password: ${"{"}env:REGISTRY_PASSWORD{"}"}
            """);
        _variables["REGISTRY_PASSWORD"] = "not-the-password";
        var (task, engine) = Apply(manifests: TaskSandbox.Item(manifest));

        Assert.False(task.Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal((RemoteErrorCodes.LoginFailed, manifest, 2), (error.Code, error.File, error.LineNumber));
    }

    [Fact]
    public void A_manifest_that_does_not_parse_is_reported_at_its_file_and_line()
    {
        var manifest = Path.Combine(_root, "pipeline", "remotes.yaml");
        File.WriteAllText(manifest, "logins:\n  - uri: docker://registry.example.com\n    colour: blue\n");
        var (task, engine) = Apply(manifests: TaskSandbox.Item(manifest));

        Assert.False(task.Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal((RemoteErrorCodes.ConfigInvalid, manifest, 3), (error.Code, error.File, error.LineNumber));
        Assert.Empty(_server.Requests);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void An_engine_warning_carries_an_RMT_code()
    {
        // remote.yaml readable by others: the store warns and fixes the mode.
        Directory.CreateDirectory(ConfigDirectory);
        File.WriteAllText(RemoteYaml, "Active: DefaultRemote\n");
        File.SetUnixFileMode(RemoteYaml, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var (task, engine) = Apply();

        Assert.True(task.Execute());

        Assert.NotEmpty(engine.Warnings);
        Assert.All(engine.Warnings, warning => Assert.StartsWith("RMT", warning.Code, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancel_stops_a_verification_in_flight_with_RMT0052()
    {
        _server.Hang = true;
        var (task, engine) = Apply();

        var run = Task.Run(task.Execute);
        await _server.Hanging.Task.WaitAsync(TimeSpan.FromSeconds(30));
        task.Cancel();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(result);
        Assert.Equal(RemoteErrorCodes.Canceled, Assert.Single(engine.Errors).Code);
        Assert.False(File.Exists(RemoteYaml));
    }

    private string Stamp()
    {
        var paths = RemotePaths.FromEnvironment(name => _variables.GetValueOrDefault(name));
        return Assert.Single(Directory.GetFiles(ApplyStamp.Folder(paths)));
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}

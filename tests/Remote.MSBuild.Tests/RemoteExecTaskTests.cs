using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.MSBuild.Tests;

/// <summary>The <c>RemoteExec</c> task: a shell command inside a private configuration holding the manifest's logins.</summary>
[Collection(ProcessEnvironmentTests.Name)]
public sealed class RemoteExecTaskTests : IDisposable
{
    private readonly TaskSandbox _sandbox = new();
    private readonly string _temp;
    private readonly string _manifest;
    private readonly string _work;

    public RemoteExecTaskTests()
    {
        _temp = Path.Combine(_sandbox.Root, "tmp");
        _work = Path.Combine(_sandbox.Root, "work");
        Directory.CreateDirectory(_temp);
        Directory.CreateDirectory(_work);
        _sandbox.SetVariable("TMPDIR", _temp);
        _sandbox.SetVariable("XDG_RUNTIME_DIR", null);
        _manifest = Path.Combine(_sandbox.Root, "remotes.yaml");
        File.WriteAllText(_manifest, """
            logins:
              - uri: docker://registry.example.com
                username: alice
                password: ${env:REGISTRY_PASSWORD}

            """);
    }

    public void Dispose() => _sandbox.Dispose();

    private IEnumerable<string> Scopes => Directory.EnumerateDirectories(_temp, "dotnet-remote-*").SelectMany(d => Directory.EnumerateDirectories(d, "exec-*"));

    private RemoteExec Exec(string command) => _sandbox.Task(new RemoteExec
    {
        Manifest = [TaskSandbox.Item(_manifest)],
        Command = command,
        WorkingDirectory = _work,
        NoVerify = true,
    });

    private List<string> Messages => [.. _sandbox.Engine.Messages.Select(m => m.Message ?? "")];

    [Fact]
    public void The_command_runs_in_the_working_directory_with_the_login_and_its_lines_are_masked_messages()
    {
        var task = Exec("pwd; printf 'pw=%s\\n' \"$(sed -n 's/.*\"auth\": \"\\(.*\\)\".*/\\1/p' \"$REGISTRY_AUTH_FILE\" | base64 -d)\"; echo \"env=${REGISTRY_PASSWORD:-none}\" >&2");

        Assert.True(task.Execute(), string.Join('\n', _sandbox.Engine.Errors.Select(e => e.Message)));

        Assert.Equal(0, task.ExitCode);
        Assert.Contains(_work, Messages);
        // The user name is written literally in the manifest (one from ${env:} would be masked too).
        Assert.Contains($"pw={TaskSandbox.RegistryUser}:***", Messages);
        Assert.Contains("env=none", Messages);
        Assert.DoesNotContain(_sandbox.Engine.LogText, text => text.Contains(TaskSandbox.RegistryPassword, StringComparison.Ordinal));
        Assert.Empty(Scopes);
        Assert.False(File.Exists(_sandbox.DockerConfig));
        Assert.False(File.Exists(_sandbox.RemoteYaml));
    }

    [Fact]
    public void A_failing_command_is_an_RMT_error_with_its_exit_code_unless_ignored()
    {
        var failing = Exec("exit 4");
        var ignored = Exec("exit 4");
        ignored.IgnoreExitCode = true;

        Assert.False(failing.Execute());
        var error = Assert.Single(_sandbox.Engine.Errors);
        Assert.Equal(RemoteErrorCodes.ExecExitCode, error.Code);
        Assert.Contains("exited with code 4", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, failing.ExitCode);

        Assert.True(ignored.Execute());
        Assert.Equal(4, ignored.ExitCode);
        Assert.Single(_sandbox.Engine.Errors);
        Assert.Empty(Scopes);
    }

    [Fact]
    public void A_missing_variable_is_an_error_naming_it_and_nothing_runs()
    {
        _sandbox.SetVariable("REGISTRY_PASSWORD", null);
        var marker = Path.Combine(_work, "ran");

        Assert.False(Exec($"touch '{marker}'").Execute());

        var error = Assert.Single(_sandbox.Engine.Errors);
        Assert.Equal(RemoteErrorCodes.ManifestVariableMissing, error.Code);
        Assert.Contains("REGISTRY_PASSWORD", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
        Assert.Empty(Scopes);
    }

    [Fact]
    public async Task Cancelling_the_build_stops_the_command_and_removes_the_folder()
    {
        var task = Exec("echo started; exec sleep 60");
        var run = Task.Run(task.Execute);
        for (var i = 0; i < 400 && !Messages.Contains("started"); i++)
        {
            await Task.Delay(25);
        }

        Assert.Single(Scopes);
        task.Cancel();
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30)));

        Assert.Same(run, finished);
        Assert.Equal(143, task.ExitCode);
        Assert.Contains(_sandbox.Engine.Warnings, w => (w.Message ?? "").Contains("cancelled", StringComparison.Ordinal));
        Assert.Empty(Scopes);
    }
}

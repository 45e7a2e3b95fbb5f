using System.Diagnostics;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Exec;

namespace DotnetRemote.Core.Tests.Exec;

/// <summary>The private folder of one exec: layout, modes, removal, and the leftovers of tools that died.</summary>
public sealed class ExecScopeTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly TestMachine _machine = new();

    private string Base => Path.Combine(_machine.Root, "runtime", "dotnet-remote");

    public void Dispose() => _machine.Dispose();

    [Fact]
    public void The_scope_is_a_0700_folder_in_a_0700_base_with_one_credentials_file_seen_through_docker_config()
    {
        using var scope = ExecScope.Create(Base);

        Assert.Equal(Private, File.GetUnixFileMode(Base));
        Assert.Equal(Private, File.GetUnixFileMode(scope.Directory));
        Assert.Equal(Private, File.GetUnixFileMode(scope.DockerConfigDirectory));
        Assert.Equal(PrivateFile, File.GetUnixFileMode(scope.DockerConfigFile));
        Assert.Equal(Base, Path.GetDirectoryName(scope.Directory));
        Assert.Matches($"^exec-{Environment.ProcessId}-[0-9a-f]{{16}}$", Path.GetFileName(scope.Directory));

        // docker reads DOCKER_CONFIG/config.json: a link to Apptainer's docker-config.json, so both name one file.
        var link = new FileInfo(Path.Combine(scope.DockerConfigDirectory, "config.json"));
        Assert.Equal(Path.Combine("..", "docker-config.json"), link.LinkTarget);
        File.WriteAllText(scope.DockerConfigFile, "{\"auths\":{\"x.io\":{}}}");
        Assert.Equal("{\"auths\":{\"x.io\":{}}}", File.ReadAllText(link.FullName));
    }

    [Fact]
    public void Dispose_removes_the_folder_with_everything_in_it()
    {
        var scope = ExecScope.Create(Base);
        File.WriteAllText(Path.Combine(scope.Directory, "remote.yaml"), "Active: x\n");

        scope.Dispose();
        scope.Dispose();

        Assert.False(Directory.Exists(scope.Directory));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Base));
    }

    [Fact]
    public void A_base_folder_with_wider_permissions_is_made_0700()
    {
        Directory.CreateDirectory(Base);
        File.SetUnixFileMode(Base, Private | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        using var scope = ExecScope.Create(Base);

        Assert.Equal(Private, File.GetUnixFileMode(Base));
    }

    [Fact]
    public void A_base_that_is_a_link_is_refused_and_nothing_is_created_where_it_points()
    {
        var elsewhere = Path.Combine(_machine.Root, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        Directory.CreateDirectory(Path.GetDirectoryName(Base)!);
        Directory.CreateSymbolicLink(Base, elsewhere);

        var error = Assert.Throws<RemoteException>(() => ExecScope.Create(Base));

        Assert.Equal(RemoteErrorCodes.ExecScope, error.Code);
        Assert.Contains(Base, error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));
    }

    [Fact]
    public void A_base_owned_by_another_user_is_refused()
    {
        string foreign;
        if (Environment.IsPrivilegedProcess)
        {
            foreign = Base;
            Directory.CreateDirectory(foreign);
            Run("chown", "65534", foreign);
        }
        else
        {
            // Another user's folder this user cannot write either: root's /usr/share.
            foreign = "/usr/share";
        }

        var error = Assert.Throws<RemoteException>(() => ExecScope.Create(foreign));

        Assert.Equal(RemoteErrorCodes.ExecScope, error.Code);
        Assert.Contains("another user", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_base_is_per_user_under_XDG_RUNTIME_DIR_else_under_TMPDIR()
    {
        var runtime = Path.Combine(_machine.Root, "run-user");
        Directory.CreateDirectory(runtime);
        var uid = Run("id", "-u").Trim();

        Assert.Equal(Path.Combine(runtime, "dotnet-remote"), ExecScope.BaseDirectory(name => name == "XDG_RUNTIME_DIR" ? runtime : null));
        Assert.Equal(Path.Combine("/var/tmp", $"dotnet-remote-{uid}"), ExecScope.BaseDirectory(name => name == "TMPDIR" ? "/var/tmp" : null));

        // Another user's runtime folder (sudo keeps the invoking user's XDG_RUNTIME_DIR) is not used.
        var foreign = Environment.IsPrivilegedProcess ? Path.Combine(_machine.Root, "run-other") : "/";
        if (Environment.IsPrivilegedProcess)
        {
            Directory.CreateDirectory(foreign);
            Run("chown", "65534", foreign);
        }

        Assert.Equal(Path.Combine("/var/tmp", $"dotnet-remote-{uid}"), ExecScope.BaseDirectory(name => name switch
        {
            "XDG_RUNTIME_DIR" => foreign,
            "TMPDIR" => "/var/tmp",
            _ => null,
        }));

        // A runtime folder that does not exist (a session that is over) falls back to the temp folder.
        Assert.Equal(Path.Combine("/var/tmp", $"dotnet-remote-{uid}"), ExecScope.BaseDirectory(name => name switch
        {
            "XDG_RUNTIME_DIR" => Path.Combine(_machine.Root, "gone"),
            "TMPDIR" => "/var/tmp",
            _ => null,
        }));
    }

    [Fact]
    public void A_live_scope_is_kept_and_the_leftover_of_a_killed_tool_is_removed()
    {
        using var live = ExecScope.Create(Base);

        // What kill -9 leaves: the folder and its lock file, the lock released by the kernel.
        var leftover = Leftover(ageMinutes: 0, withLockFile: true, pid: Environment.ProcessId);

        var removed = ExecScope.RemoveLeftovers(Base);

        Assert.Equal([leftover], removed);
        Assert.True(Directory.Exists(live.Directory));
        Assert.False(Directory.Exists(leftover));
    }

    [Fact]
    public async Task A_scope_whose_lock_another_process_holds_is_kept_until_that_process_dies()
    {
        var held = Leftover(ageMinutes: 0, withLockFile: true, pid: Environment.ProcessId);
        using var holder = Process.Start(new ProcessStartInfo("flock", ["--exclusive", "--close", Path.Combine(held, ".lock"), "sleep", "60"]))!;
        await WaitUntilAsync(() => Locked(Path.Combine(held, ".lock")));

        Assert.Empty(ExecScope.RemoveLeftovers(Base));
        Assert.True(Directory.Exists(held));

        holder.Kill(entireProcessTree: true);
        await holder.WaitForExitAsync();

        Assert.Equal([held], ExecScope.RemoveLeftovers(Base));
    }

    [Fact]
    public void A_folder_without_a_lock_file_is_kept_while_fresh_and_removed_when_stale()
    {
        var fresh = Leftover(ageMinutes: 0, withLockFile: false, pid: Environment.ProcessId);
        var stale = Leftover(ageMinutes: 5, withLockFile: false, pid: Environment.ProcessId);

        Assert.Equal([stale], ExecScope.RemoveLeftovers(Base));
        Assert.True(Directory.Exists(fresh));
    }

    [Fact]
    public void Other_entries_of_the_base_are_never_touched()
    {
        Directory.CreateDirectory(Base);
        var notAScope = Path.Combine(Base, "keep-me");
        Directory.CreateDirectory(notAScope);
        var target = Path.Combine(_machine.Root, "target");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "precious"), "x");
        Directory.CreateSymbolicLink(Path.Combine(Base, "exec-1-linked"), target);

        Assert.Empty(ExecScope.RemoveLeftovers(Base));

        Assert.True(Directory.Exists(notAScope));
        Assert.True(File.Exists(Path.Combine(target, "precious")));
    }

    [Fact]
    public void Creating_a_scope_removes_leftovers_first()
    {
        var leftover = Leftover(ageMinutes: 0, withLockFile: true, pid: Environment.ProcessId);
        var log = new RecordingLog();

        using var scope = ExecScope.Create(Base, log);

        Assert.False(Directory.Exists(leftover));
        Assert.Contains(log.Lines, line => line.Contains(leftover, StringComparison.Ordinal));
    }

    [Fact]
    public void The_containers_auth_file_is_hidden_behind_a_stand_in_config_home_that_keeps_everything_else()
    {
        var configHome = Path.Combine(_machine.Home, ".config");
        Directory.CreateDirectory(Path.Combine(configHome, "containers"));
        Directory.CreateDirectory(Path.Combine(configHome, "gh"));
        File.WriteAllText(Path.Combine(configHome, "containers", "auth.json"), "{\"auths\":{\"users.io\":{\"auth\":\"dTpw\"}}}");
        File.WriteAllText(Path.Combine(configHome, "containers", "registries.conf"), "unqualified-search-registries = []\n");
        using var scope = ExecScope.Create(Base);

        var standIn = scope.HideContainersAuthFile(configHome)!;

        Assert.Equal(Path.Combine(scope.Directory, "config-home"), standIn);
        Assert.False(File.Exists(Path.Combine(standIn, "containers", "auth.json")));
        Assert.Equal("unqualified-search-registries = []\n", File.ReadAllText(Path.Combine(standIn, "containers", "registries.conf")));
        Assert.Equal(Path.Combine(configHome, "gh"), new DirectoryInfo(Path.Combine(standIn, "gh")).LinkTarget);
        Assert.True(File.Exists(Path.Combine(configHome, "containers", "auth.json")));
    }

    [Fact]
    public void Without_a_containers_auth_file_the_config_home_is_left_as_it_is()
    {
        using var scope = ExecScope.Create(Base);

        Assert.Null(scope.HideContainersAuthFile(Path.Combine(_machine.Home, ".config")));
    }

    private string Leftover(int ageMinutes, bool withLockFile, int pid)
    {
        Directory.CreateDirectory(Base);
        var directory = Path.Combine(Base, $"exec-{pid}-{Guid.NewGuid():N}"[..30]);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "docker-config.json"), "{\"auths\":{\"r.io\":{\"auth\":\"c2VjcmV0\"}}}");
        if (withLockFile)
        {
            File.WriteAllText(Path.Combine(directory, ".lock"), "");
        }

        Directory.SetLastWriteTimeUtc(directory, DateTime.UtcNow.AddMinutes(-ageMinutes));
        return directory;
    }

    private static bool Locked(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }
    }

    private static string Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output;
    }
}

using System.Diagnostics;
using System.Text;
using DotnetRemote.Core.Credentials;

namespace DotnetRemote.Core.Tests.Credentials;

/// <summary>
/// <c>credential-helper install</c> for the native tool copies the helper into DIR (a regular 0755 file, replaced in
/// one rename, never a link into the tool's versioned folder, which <c>dotnet tool update</c> removes), and the helper
/// finds its <c>dotnet-remote</c> by stable names in a fixed order. Real files in a private temp folder.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NativeHelperInstallTests : IDisposable
{
    private const UnixFileMode Mode0755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly TestMachine _machine = new();
    private readonly string _store;
    private readonly string _toolPath;
    private readonly string _dir;

    public NativeHelperInstallTests()
    {
        // As `dotnet tool install --tool-path TOOLS` leaves it: TOOLS/dotnet-remote links into TOOLS/.store/…/VERSION/….
        _toolPath = Path.Combine(_machine.Root, "tools");
        _store = StoreFolder("0.1.0", "helper 0.1.0");
        File.CreateSymbolicLink(Path.Combine(_toolPath, "dotnet-remote"), Path.Combine(_store, "dotnet-remote"));
        _dir = Path.Combine(_machine.Root, "bin");
    }

    public void Dispose() => _machine.Dispose();

    private string Helper => Path.Combine(_dir, "docker-credential-dotnet-remote");

    private string ToolLink => Path.Combine(_dir, "docker-credential-dotnet-remote.d", "dotnet-remote");

    private string StoreFolder(string version, string helperText)
    {
        var store = Path.Combine(_toolPath, ".store", "remote.tool", version, "remote.tool.linux-x64", version, "tools", "net10.0", "linux-x64");
        Directory.CreateDirectory(store);
        WriteExecutable(Path.Combine(store, "dotnet-remote"), "#!/bin/sh\necho tool " + version + "\n");
        WriteExecutable(Path.Combine(store, "docker-credential-dotnet-remote"), "#!/bin/sh\necho " + helperText + "\n");
        return store;
    }

    private static void WriteExecutable(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, Mode0755);
    }

    private static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;

    private void AssertCopyOf(string source)
    {
        Assert.False(IsLink(Helper), $"{Helper} is a link to {new FileInfo(Helper).LinkTarget}");
        Assert.True(File.Exists(Helper));
        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(Helper));
        Assert.Equal(Mode0755, File.GetUnixFileMode(Helper));
        Assert.Empty(Directory.EnumerateFiles(_dir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void The_helper_is_copied_as_a_regular_0755_file_and_a_tool_in_the_folder_needs_no_link()
    {
        var path = NativeHelperInstaller.Install(_toolPath, Path.Combine(_store, "docker-credential-dotnet-remote"), Path.Combine(_toolPath, "dotnet-remote"));

        Assert.Equal(Path.Combine(_toolPath, "docker-credential-dotnet-remote"), path);
        Assert.False(IsLink(path));
        Assert.Equal(Mode0755, File.GetUnixFileMode(path));
        Assert.Equal("#!/bin/sh\necho helper 0.1.0\n", File.ReadAllText(path));
        Assert.False(Directory.Exists(Path.Combine(_toolPath, "docker-credential-dotnet-remote.d")));
    }

    [Fact]
    public void A_tool_elsewhere_gets_a_link_to_its_stable_name_not_to_its_versioned_folder()
    {
        NativeHelperInstaller.Install(_dir, Path.Combine(_store, "docker-credential-dotnet-remote"), Path.Combine(_toolPath, "dotnet-remote"));

        AssertCopyOf(Path.Combine(_store, "docker-credential-dotnet-remote"));
        Assert.Equal(Path.Combine(_toolPath, "dotnet-remote"), new FileInfo(ToolLink).LinkTarget);
        Assert.Equal(
            Path.Combine(_dir, "docker-credential-dotnet-remote.d", "dotnet-remote"),
            CredentialHelperProcess.FindTool(_dir, Helper, null));
    }

    [Fact]
    public void An_existing_launcher_script_is_replaced()
    {
        WriteExecutable(Helper, "#!/bin/sh\nexec '/old/dotnet-remote' credential-helper \"$@\"\n");

        NativeHelperInstaller.Install(_dir, Path.Combine(_store, "docker-credential-dotnet-remote"), Path.Combine(_toolPath, "dotnet-remote"));

        AssertCopyOf(Path.Combine(_store, "docker-credential-dotnet-remote"));
    }

    [Fact]
    public void A_link_into_the_store_is_replaced_and_its_target_left_as_it_was()
    {
        // What the first native install wrote: a link into the versioned folder.
        var old = StoreFolder("0.0.9", "helper 0.0.9");
        Directory.CreateDirectory(_dir);
        File.CreateSymbolicLink(Helper, Path.Combine(old, "docker-credential-dotnet-remote"));

        NativeHelperInstaller.Install(_dir, Path.Combine(_store, "docker-credential-dotnet-remote"), Path.Combine(_toolPath, "dotnet-remote"));

        AssertCopyOf(Path.Combine(_store, "docker-credential-dotnet-remote"));
        Assert.Equal("#!/bin/sh\necho helper 0.0.9\n", File.ReadAllText(Path.Combine(old, "docker-credential-dotnet-remote")));
    }

    [Fact]
    public void A_dangling_link_left_by_a_tool_update_is_replaced()
    {
        Directory.CreateDirectory(_dir);
        File.CreateSymbolicLink(Helper, Path.Combine(_toolPath, ".store", "remote.tool", "0.0.9", "gone", "docker-credential-dotnet-remote"));

        NativeHelperInstaller.Install(_dir, Path.Combine(_store, "docker-credential-dotnet-remote"), Path.Combine(_toolPath, "dotnet-remote"));

        AssertCopyOf(Path.Combine(_store, "docker-credential-dotnet-remote"));
        Assert.False(Directory.Exists(Path.Combine(_toolPath, ".store", "remote.tool", "0.0.9")));
    }

    [Fact]
    public void The_copy_survives_an_update_of_the_tool_and_install_again_refreshes_it()
    {
        NativeHelperInstaller.Install(_dir, Path.Combine(_store, "docker-credential-dotnet-remote"), Path.Combine(_toolPath, "dotnet-remote"));

        // dotnet tool update: the new version's folder, the stable link moved to it, the old folder removed.
        var updated = StoreFolder("0.1.1", "helper 0.1.1");
        File.Delete(Path.Combine(_toolPath, "dotnet-remote"));
        File.CreateSymbolicLink(Path.Combine(_toolPath, "dotnet-remote"), Path.Combine(updated, "dotnet-remote"));
        Directory.Delete(Path.Combine(_toolPath, ".store", "remote.tool", "0.1.0"), recursive: true);

        Assert.Equal("#!/bin/sh\necho helper 0.1.0\n", File.ReadAllText(Helper));
        var tool = CredentialHelperProcess.FindTool(_dir, Helper, null);
        Assert.NotNull(tool);
        Assert.Equal(Path.Combine(updated, "dotnet-remote"), new FileInfo(tool).ResolveLinkTarget(returnFinalTarget: true)!.FullName);

        NativeHelperInstaller.Install(_dir, Path.Combine(updated, "docker-credential-dotnet-remote"), Path.Combine(_toolPath, "dotnet-remote"));
        AssertCopyOf(Path.Combine(updated, "docker-credential-dotnet-remote"));
    }

    [Fact]
    public void Installing_from_the_tool_s_folder_removes_a_link_an_earlier_install_left()
    {
        NativeHelperInstaller.Install(_dir, Path.Combine(_store, "docker-credential-dotnet-remote"), Path.Combine(_machine.Root, "elsewhere", "dotnet-remote"));
        Assert.True(IsLink(ToolLink));
        WriteExecutable(Path.Combine(_dir, "dotnet-remote"), "#!/bin/sh\necho tool in dir\n");

        NativeHelperInstaller.Install(_dir, Path.Combine(_store, "docker-credential-dotnet-remote"), Path.Combine(_dir, "dotnet-remote"));

        Assert.False(File.Exists(ToolLink) || IsLink(ToolLink));
        Assert.Equal(Path.Combine(_dir, "dotnet-remote"), CredentialHelperProcess.FindTool(_dir, Helper, null));
    }

    [Fact]
    public void A_running_helper_is_replaced_without_text_file_busy()
    {
        // A real executable, running while install replaces it (writing into it would fail with ETXTBSY).
        Directory.CreateDirectory(_dir);
        File.Copy("/bin/sleep", Helper);
        File.SetUnixFileMode(Helper, Mode0755);
        using var running = Process.Start(Helper, "30");
        try
        {
            NativeHelperInstaller.Install(_dir, Path.Combine(_store, "docker-credential-dotnet-remote"), Path.Combine(_toolPath, "dotnet-remote"));

            AssertCopyOf(Path.Combine(_store, "docker-credential-dotnet-remote"));
            Assert.False(running.HasExited);
        }
        finally
        {
            running.Kill();
        }
    }

    [Fact]
    public void A_local_tool_is_copied_beside_the_helper_copy_and_a_link_there_is_not_written_through()
    {
        // An earlier install for a global tool left DIR/…d/dotnet-remote linking to that tool: the copy must replace
        // the link, not overwrite the global tool's file through it.
        var cache = Path.Combine(_machine.Root, "nuget", "remote.tool.linux-x64", "0.1.0", "tools", "net10.0", "linux-x64");
        WriteExecutable(Path.Combine(cache, "dotnet-remote"), "#!/bin/sh\necho local tool\n");
        WriteExecutable(Path.Combine(cache, "docker-credential-dotnet-remote"), "#!/bin/sh\necho local helper\n");
        File.WriteAllText(Path.Combine(cache, "DotnetToolSettings.xml"), "<x/>");
        NativeHelperInstaller.Install(_dir, Path.Combine(_store, "docker-credential-dotnet-remote"), Path.Combine(_toolPath, "dotnet-remote"));

        var path = NativeHelperInstaller.InstallCopy(_dir, cache);

        Assert.Equal(Helper, path);
        AssertCopyOf(Path.Combine(cache, "docker-credential-dotnet-remote"));
        Assert.False(IsLink(ToolLink));
        Assert.Equal("#!/bin/sh\necho local tool\n", File.ReadAllText(ToolLink));
        Assert.Equal(Mode0755, File.GetUnixFileMode(ToolLink));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(Path.Combine(_dir, "docker-credential-dotnet-remote.d", "DotnetToolSettings.xml")));
        Assert.Equal("#!/bin/sh\necho tool 0.1.0\n", File.ReadAllText(Path.Combine(_store, "dotnet-remote")));
        Assert.Equal(ToolLink, CredentialHelperProcess.FindTool(_dir, Helper, null));
    }

    [Fact]
    public void The_launcher_script_replaces_a_link_instead_of_writing_through_it()
    {
        Directory.CreateDirectory(_dir);
        File.CreateSymbolicLink(Helper, Path.Combine(_store, "docker-credential-dotnet-remote"));

        CredentialHelperInstaller.Install(_dir, ["/usr/bin/dotnet", "/opt/tool/dotnet-remote.dll"]);

        Assert.False(IsLink(Helper));
        Assert.StartsWith("#!/bin/sh\n", File.ReadAllText(Helper), StringComparison.Ordinal);
        Assert.Equal(Mode0755, File.GetUnixFileMode(Helper));
        Assert.Equal("#!/bin/sh\necho helper 0.1.0\n", File.ReadAllText(Path.Combine(_store, "docker-credential-dotnet-remote")));
    }

    [Fact]
    public async Task Install_through_the_engine_copies_names_the_refresh_and_binds_the_stable_name()
    {
        _machine.SetEnvironment("PATH", _dir);
        using var context = _machine.Context();

        var result = await new InstallCredentialHelper(context).ExecuteAsync(
            new InstallCredentialHelperOptions(_dir, _store, [Path.Combine(_toolPath, "dotnet-remote")], NativeTool: true));

        Assert.Equal(Helper, result.Path);
        Assert.False(result.CopiedTool);
        Assert.True(result.OnPath);
        AssertCopyOf(Path.Combine(_store, "docker-credential-dotnet-remote"));
        Assert.Equal(Path.Combine(_toolPath, "dotnet-remote"), new FileInfo(ToolLink).LinkTarget);
        var info = Assert.Single(_machine.Log.Infos);
        Assert.Contains($"copied to {Helper}", info, StringComparison.Ordinal);
        Assert.Contains("again after \"dotnet tool update\"", info, StringComparison.Ordinal);
        Assert.Empty(_machine.Log.Warnings);
    }

    [Fact]
    public async Task Install_from_the_versioned_folder_itself_warns_that_an_update_needs_it_again()
    {
        using var context = _machine.Context();

        await new InstallCredentialHelper(context).ExecuteAsync(
            new InstallCredentialHelperOptions(_dir, _store, [Path.Combine(_store, "dotnet-remote")], NativeTool: true));

        AssertCopyOf(Path.Combine(_store, "docker-credential-dotnet-remote"));
        Assert.Contains(_machine.Log.Warnings, w => w.Contains($"ran from its versioned folder {_store}", StringComparison.Ordinal));
    }

    // The order the helper looks for dotnet-remote in.

    [Fact]
    public void The_tool_is_looked_for_in_the_d_folder_beside_the_real_path_beside_the_invoked_path_then_on_PATH()
    {
        var real = Path.Combine(_machine.Root, "real");
        var invoked = Path.Combine(_machine.Root, "invoked");
        var path1 = Path.Combine(_machine.Root, "path1");
        var path2 = Path.Combine(_machine.Root, "path2");
        var pathVariable = string.Join(':', path1, "", ".", "relative/bin", path2);
        string[] order =
        [
            Path.Combine(real, "docker-credential-dotnet-remote.d", "dotnet-remote"),
            Path.Combine(real, "dotnet-remote"),
            Path.Combine(invoked, "dotnet-remote"),
            Path.Combine(path1, "dotnet-remote"),
            Path.Combine(path2, "dotnet-remote"),
        ];

        Assert.Equal(order, CredentialHelperProcess.ToolCandidates(real, Path.Combine(invoked, "docker-credential-dotnet-remote"), pathVariable));
        Assert.Null(CredentialHelperProcess.FindTool(real, Path.Combine(invoked, "docker-credential-dotnet-remote"), pathVariable));
        foreach (var candidate in order)
        {
            WriteExecutable(candidate, "#!/bin/sh\n");
        }

        foreach (var candidate in order)
        {
            Assert.Equal(candidate, CredentialHelperProcess.FindTool(real, Path.Combine(invoked, "docker-credential-dotnet-remote"), pathVariable));
            File.Delete(candidate);
        }

        Assert.Null(CredentialHelperProcess.FindTool(real, Path.Combine(invoked, "docker-credential-dotnet-remote"), pathVariable));
    }

    [Fact]
    public void The_working_folder_and_relative_PATH_entries_are_never_searched()
    {
        // An attacker's dotnet-remote in the folder docker runs in: PATH entries "", "." and "bin" would name it.
        var candidates = CredentialHelperProcess.ToolCandidates(_dir, null, ":.:bin:./x");

        Assert.Equal([Path.Combine(_dir, "docker-credential-dotnet-remote.d", "dotnet-remote"), Path.Combine(_dir, "dotnet-remote")], candidates);
    }

    [Fact]
    public void A_file_that_may_not_be_run_or_a_folder_of_that_name_is_passed_over()
    {
        var real = Path.Combine(_machine.Root, "real");
        var path1 = Path.Combine(_machine.Root, "path1");
        Directory.CreateDirectory(Path.Combine(real, "docker-credential-dotnet-remote.d", "dotnet-remote"));
        Directory.CreateDirectory(real);
        File.WriteAllText(Path.Combine(real, "dotnet-remote"), "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(real, "dotnet-remote"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        WriteExecutable(Path.Combine(path1, "dotnet-remote"), "#!/bin/sh\n");

        Assert.Equal(Path.Combine(path1, "dotnet-remote"), CredentialHelperProcess.FindTool(real, null, path1));
    }

    [Fact]
    public void Without_a_tool_the_protocol_s_error_names_where_it_looked()
    {
        var real = Path.Combine(_machine.Root, "real");
        var invoked = Path.Combine(_machine.Root, "invoked");
        Directory.CreateDirectory(real);
        using var output = new MemoryStream();

        var exit = CredentialHelperProcess.ExecTool(real + "/", Path.Combine(invoked, "docker-credential-dotnet-remote"), Path.Combine(_machine.Root, "empty"), ["list"], output);

        Assert.Equal(1, exit);
        Assert.Equal(
            $"docker-credential-dotnet-remote: cannot run {real}/dotnet-remote: No such file or directory; no dotnet-remote at {real}/docker-credential-dotnet-remote.d/dotnet-remote, {invoked}/dotnet-remote or on PATH either (install the tool, or run \"dotnet remote credential-helper install\" again)\n",
            Encoding.UTF8.GetString(output.ToArray()));
    }
}

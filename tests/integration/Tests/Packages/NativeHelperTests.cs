using System.Runtime.InteropServices;
using System.Text;

namespace DotnetRemote.Integration.Tests.Tests.Packages;

/// <summary>
/// The native <c>docker-credential-dotnet-remote</c> of the linux-x64 tool package, installed as a user installs it
/// (<c>dotnet tool install --tool-path</c>, then <c>credential-helper install</c>, which copies it): every answer is
/// byte for byte the tool's own (<c>dotnet-remote credential-helper ACTION</c>): found, not found, broken files,
/// hostile input, helper delegation and loops; store, erase, list and anything else go through the tool.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NativeHelperTests : IDisposable
{
    private static readonly Lazy<Task<string>> InstalledTool = new(InstallAsync);

    private readonly RemoteTool _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    public static TheoryData<string, string> Lookups => new()
    {
        { "found", "registry.example.com" },
        { "found", "https://registry.example.com/" },
        { "found", "registry.example.com/team/app" },
        { "found", "other.example.com" },
        { "found", "" },
        { "found", "not a url" },
        { "found", new string('a', 300_000) },
        { "empty", "registry.example.com" },
        { "blank", "registry.example.com" },
        { "broken", "registry.example.com" },
        { "duplicate", "registry.example.com" },
        { "duplicate-elsewhere", "registry.example.com" },
        { "lone-surrogate", "registry.example.com" },
        { "not-an-object", "registry.example.com" },
        { "bad-auth", "registry.example.com" },
        { "legacy", "registry.example.com" },
        { "escaped-key", "registry.example.com" },
        { "helper", "helped.example.com" },
        { "helper", "registry.example.com" },
        { "own-helper", "registry.example.com" },
        { "symlink", "registry.example.com" },
        { "invalid-utf8", "registry.example.com" },
    };

    [SkippableTheory]
    [MemberData(nameof(Lookups))]
    public async Task Get_answers_exactly_as_the_tool(string file, string serverUrl)
    {
        var (tool, helper) = await InstallHelperAsync();
        WriteConfig(file);

        var expected = await RunAsync(tool, ["-c", _sandbox.RemoteYaml, "credential-helper", "get"], serverUrl);
        var actual = await RunAsync(helper, ["get"], serverUrl);

        Assert.Equal(expected, actual);
        Assert.Equal(expected, await RunAsync(tool, ["credential-helper", "get"], serverUrl));
    }

    [SkippableTheory]
    [InlineData("registry.example.com")]
    [InlineData("\xff\xfe registry")]
    public async Task Invalid_utf8_on_stdin_and_a_helper_chain_loop_answer_as_the_tool(string serverUrl)
    {
        var (tool, helper) = await InstallHelperAsync();
        WriteConfig("found");
        var stdin = Path.Combine(_sandbox.Root, "stdin");
        await File.WriteAllBytesAsync(stdin, [0xC3, .. Encoding.Latin1.GetBytes(serverUrl), 0xFF]);
        var loop = new Dictionary<string, string> { ["DOTNET_REMOTE_HELPER_CHAIN"] = "/elsewhere.json:" + _sandbox.DockerConfig };

        foreach (var env in (Dictionary<string, string>?[])[null, loop])
        {
            var expected = await RunWithStdinFileAsync(tool, ["-c", _sandbox.RemoteYaml, "credential-helper", "get"], stdin, env);
            var actual = await RunWithStdinFileAsync(helper, ["get"], stdin, env);
            Assert.Equal(expected, actual);
        }

        var looped = await RunAsync(helper, ["get"], "registry.example.com", loop);
        Assert.Equal(1, looped.ExitCode);
        Assert.Contains("credential helper loop", looped.StdErr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Store_list_erase_version_and_unknown_actions_are_the_tool_s_answers()
    {
        var (tool, helper) = await InstallHelperAsync();

        var stored = await RunAsync(helper, ["store"], """{"ServerURL":"reg.example.com","Username":"alice","Secret":"s3cr3t"}""");
        Assert.Equal(new ToolResult(0, "", ""), stored);
        Assert.Equal(new ToolResult(0, "{\"ServerURL\":\"reg.example.com\",\"Username\":\"alice\",\"Secret\":\"s3cr3t\"}\n", ""), await RunAsync(helper, ["get"], "reg.example.com"));
        Assert.Equal(await RunAsync(tool, ["credential-helper", "list"], null), await RunAsync(helper, ["list"], null));
        Assert.Equal("{\"reg.example.com\":\"alice\"}\n", (await RunAsync(helper, ["list"], null)).StdOut);
        Assert.Equal(await RunAsync(tool, ["credential-helper", "version"], null), await RunAsync(helper, ["version"], null));
        Assert.Equal(await RunAsync(tool, ["credential-helper", "frobnicate"], null), await RunAsync(helper, ["frobnicate"], null));
        Assert.Equal(await RunAsync(tool, ["credential-helper"], null), await RunAsync(helper, [], null));
        Assert.Equal(await RunAsync(tool, ["credential-helper", "get", "extra"], ""), await RunAsync(helper, ["get", "extra"], ""));

        Assert.Equal(new ToolResult(0, "", ""), await RunAsync(helper, ["erase"], "reg.example.com"));
        Assert.Equal(await RunAsync(tool, ["credential-helper", "erase"], "reg.example.com"), await RunAsync(helper, ["erase"], "reg.example.com"));
        Assert.Equal(1, (await RunAsync(helper, ["get"], "reg.example.com")).ExitCode);
    }

    [SkippableFact]
    public async Task The_helper_is_a_copy_of_the_tool_s_and_a_helper_without_its_tool_says_so()
    {
        var (tool, helper) = await InstallHelperAsync();
        var shipped = Path.Combine(Path.GetDirectoryName(new FileInfo(tool).ResolveLinkTarget(true)!.FullName)!, "docker-credential-dotnet-remote");
        Assert.Null(new FileInfo(helper).LinkTarget);
        Assert.Equal(await File.ReadAllBytesAsync(shipped), await File.ReadAllBytesAsync(helper));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute, File.GetUnixFileMode(helper));

        // The tool is not in the helper's folder: install linked the stable name it was started by, not the versioned folder.
        Assert.Equal(tool, new FileInfo(Path.Combine(Path.GetDirectoryName(helper)!, "docker-credential-dotnet-remote.d", "dotnet-remote")).LinkTarget);

        // The helper alone (copied without dotnet-remote beside it) answers get and names what is missing for the rest.
        var alone = Path.Combine(_sandbox.Root, "alone", "docker-credential-dotnet-remote");
        Directory.CreateDirectory(Path.GetDirectoryName(alone)!);
        File.Copy(shipped, alone);
        File.SetUnixFileMode(alone, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        WriteConfig("found");
        Assert.Equal(0, (await RunAsync(alone, ["get"], "registry.example.com")).ExitCode);
        var list = await RunAsync(alone, ["list"], null);
        Assert.Equal(1, list.ExitCode);
        Assert.Contains($"cannot run {Path.Combine(Path.GetDirectoryName(alone)!, "dotnet-remote")}", list.StdOut, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_link_to_a_helper_copy_finds_the_tool_beside_the_link_and_then_on_PATH()
    {
        var (tool, _) = await InstallHelperAsync();
        var shipped = Path.Combine(Path.GetDirectoryName(new FileInfo(tool).ResolveLinkTarget(true)!.FullName)!, "docker-credential-dotnet-remote");
        var copy = Path.Combine(_sandbox.Root, "copy", "docker-credential-dotnet-remote");
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        File.Copy(shipped, copy);
        File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var linked = Path.Combine(_sandbox.Root, "linked");
        Directory.CreateDirectory(linked);
        File.CreateSymbolicLink(Path.Combine(linked, "docker-credential-dotnet-remote"), copy);
        File.CreateSymbolicLink(Path.Combine(linked, "dotnet-remote"), tool);
        var expected = await RunAsync(tool, ["credential-helper", "version"], null);

        Assert.Equal(expected, await RunAsync(Path.Combine(linked, "docker-credential-dotnet-remote"), ["version"], null));
        Assert.Equal(1, (await RunAsync(copy, ["version"], null)).ExitCode);

        // On PATH (absolute entries only) as the last resort.
        var onPath = new Dictionary<string, string> { ["PATH"] = Path.GetDirectoryName(tool)! + ":" + System.Environment.GetEnvironmentVariable("PATH") };
        Assert.Equal(expected, await RunProcessAsync(copy, ["version"], null, onPath));
        var relative = new Dictionary<string, string> { ["PATH"] = ".:" + System.Environment.GetEnvironmentVariable("PATH") };
        Assert.Equal(1, (await RemoteTool.RunProcessAsync("/bin/sh", ["-c", $"cd '{Path.GetDirectoryName(tool)}' && exec '{copy}' version"], null, _sandbox.Environment(relative))).ExitCode);
    }

    /// <summary>
    /// What the link into the versioned folder broke: <c>dotnet tool update</c> removes that folder, uninstall too.
    /// Two copies (in the tool's own folder, as for a global tool in ~/.dotnet/tools, and in another folder, which
    /// gets the <c>.d/dotnet-remote</c> link) still answer get, and store, list and erase reach the updated tool; after an
    /// uninstall get still answers from the file and store names what is missing; installing the tool again is
    /// enough, without <c>credential-helper install</c>. The second version is the packed package under another version
    /// (<c>DOTNET_REMOTE_UPDATE_PACKAGES</c>: a folder with a really packed one, e.g. <c>./build.sh --target=Pack
    /// --package-version=0.1.1</c> moved aside).
    /// </summary>
    [SkippableFact]
    public async Task The_helper_copies_survive_a_tool_update_and_an_uninstall_and_the_tool_s_return()
    {
        Skip.IfNot(RuntimeInformation.RuntimeIdentifier == "linux-x64", $"the native tool package is built for linux-x64, not {RuntimeInformation.RuntimeIdentifier}");
        var packages = await PackedPackages.FolderAsync();
        var (updates, version) = UpdatePackages(packages);
        var toolPath = Path.Combine(_sandbox.Root, "tools");
        Assert.Equal(0, (await DotnetToolAsync("install", toolPath, packages, null)).ExitCode);
        var tool = Path.Combine(toolPath, "dotnet-remote");
        var store = Path.GetDirectoryName(new FileInfo(tool).ResolveLinkTarget(true)!.FullName)!;
        var other = Path.Combine(_sandbox.Root, "helper-bin");
        Assert.Equal(0, (await RunAsync(tool, ["credential-helper", "install", "--dir", toolPath], null)).ExitCode);
        Assert.Equal(0, (await RunAsync(tool, ["credential-helper", "install", "--dir", other], null)).ExitCode);
        string[] helpers = [Path.Combine(toolPath, "docker-credential-dotnet-remote"), Path.Combine(other, "docker-credential-dotnet-remote")];
        WriteConfig("found");
        const string Found = "{\"ServerURL\":\"registry.example.com\",\"Username\":\"alice\",\"Secret\":\"s3cr3t\"}\n";

        var update = await DotnetToolAsync("update", toolPath, updates, version);
        Assert.True(update.ExitCode == 0, update.ToString());
        var updated = Path.GetDirectoryName(new FileInfo(tool).ResolveLinkTarget(true)!.FullName)!;
        Assert.NotEqual(store, updated);
        Assert.False(Directory.Exists(store), $"{store} is still there after the update");
        foreach (var helper in helpers)
        {
            Assert.Equal(new ToolResult(0, Found, ""), await RunAsync(helper, ["get"], "registry.example.com"));
            Assert.Equal(await RunAsync(tool, ["credential-helper", "version"], null), await RunAsync(helper, ["version"], null));
            var stored = await RunAsync(helper, ["store"], """{"ServerURL":"new.example.com","Username":"dave","Secret":"n3w"}""");
            Assert.Equal(new ToolResult(0, "", ""), stored);
            Assert.Equal(await RunAsync(tool, ["credential-helper", "list"], null), await RunAsync(helper, ["list"], null));
            Assert.Equal(new ToolResult(0, "{\"ServerURL\":\"new.example.com\",\"Username\":\"dave\",\"Secret\":\"n3w\"}\n", ""), await RunAsync(tool, ["credential-helper", "get"], "new.example.com"));
            Assert.Equal(new ToolResult(0, "", ""), await RunAsync(helper, ["erase"], "new.example.com"));
            Assert.Equal(1, (await RunAsync(tool, ["credential-helper", "get"], "new.example.com")).ExitCode);
        }

        var uninstall = await DotnetToolAsync("uninstall", toolPath, null, null);
        Assert.True(uninstall.ExitCode == 0, uninstall.ToString());
        Assert.False(Directory.Exists(updated));
        var config = await File.ReadAllTextAsync(_sandbox.DockerConfig);
        foreach (var helper in helpers)
        {
            Assert.Equal(new ToolResult(0, Found, ""), await RunAsync(helper, ["get"], "registry.example.com"));
            var store2 = await RunAsync(helper, ["store"], """{"ServerURL":"new.example.com","Username":"dave","Secret":"n3w"}""");
            Assert.Equal(1, store2.ExitCode);
            Assert.Contains($"cannot run {Path.Combine(Path.GetDirectoryName(helper)!, "dotnet-remote")}: No such file or directory", store2.StdOut, StringComparison.Ordinal);
            Assert.DoesNotContain("n3w", store2.StdOut + store2.StdErr, StringComparison.Ordinal);
        }

        Assert.Equal(config, await File.ReadAllTextAsync(_sandbox.DockerConfig));
        Assert.Equal(0, (await DotnetToolAsync("install", toolPath, packages, null)).ExitCode);
        foreach (var helper in helpers)
        {
            Assert.Equal(new ToolResult(0, "", ""), await RunAsync(helper, ["store"], """{"ServerURL":"new.example.com","Username":"dave","Secret":"n3w"}"""));
            Assert.Equal(new ToolResult(0, "", ""), await RunAsync(helper, ["erase"], "new.example.com"));
        }
    }

    /// <summary><c>dotnet tool ACTION --tool-path</c> with this run's NuGet cache.</summary>
    private static Task<ToolResult> DotnetToolAsync(string action, string toolPath, string? source, string? version)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>())
        {
            env[(string)entry.Key] = (string?)entry.Value ?? "";
        }

        env["NUGET_PACKAGES"] = PackedPackages.NuGetCache;
        string[] args = ["tool", action, "--tool-path", toolPath, .. source is null ? [] : (string[])["--add-source", source], .. version is null ? source is null ? [] : (string[])["--prerelease"] : ["--version", version], "Remote.Tool"];
        return RemoteTool.RunProcessAsync("dotnet", args, null, env);
    }

    /// <summary>
    /// A feed with a later Remote.Tool: <c>DOTNET_REMOTE_UPDATE_PACKAGES</c> when set, else the packed tool packages
    /// of <paramref name="packages"/> under the next patch version (nuspec and file name changed, files the same).
    /// </summary>
    private (string Folder, string Version) UpdatePackages(string packages)
    {
        var configured = System.Environment.GetEnvironmentVariable("DOTNET_REMOTE_UPDATE_PACKAGES");
        var source = configured is { Length: > 0 } ? configured : packages;
        var main = Directory.EnumerateFiles(source, "Remote.Tool.*.nupkg").Select(Path.GetFileName)
            .Single(name => char.IsAsciiDigit(name!["Remote.Tool.".Length]))!;
        var current = main["Remote.Tool.".Length..^".nupkg".Length];
        if (configured is { Length: > 0 })
        {
            return (configured, current);
        }

        var dash = current.IndexOf('-', StringComparison.Ordinal);
        var core = System.Version.Parse(dash < 0 ? current : current[..dash]);
        var next = $"{core.Major}.{core.Minor}.{core.Build + 1}{(dash < 0 ? "" : current[dash..])}";
        var folder = Path.Combine(_sandbox.Root, "update-packages");
        Directory.CreateDirectory(folder);
        foreach (var package in Directory.EnumerateFiles(packages, $"Remote.Tool.*{current}.nupkg"))
        {
            var copy = Path.Combine(folder, Path.GetFileName(package).Replace(current, next, StringComparison.Ordinal));
            File.Copy(package, copy);
            using var zip = System.IO.Compression.ZipFile.Open(copy, System.IO.Compression.ZipArchiveMode.Update);
            foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) || e.FullName.EndsWith(".psmdcp", StringComparison.Ordinal)).ToList())
            {
                string text;
                using (var reader = new StreamReader(entry.Open()))
                {
                    text = reader.ReadToEnd();
                }

                var name = entry.FullName;
                entry.Delete();
                using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
                writer.Write(text.Replace($"<version>{current}</version>", $"<version>{next}</version>", StringComparison.Ordinal));
            }
        }

        return (folder, next);
    }

    private void WriteConfig(string kind)
    {
        Directory.CreateDirectory(_sandbox.ConfigDirectory);
        const string Found = """{"auths":{"registry.example.com":{"auth":"YWxpY2U6czNjcjN0"},"registry.example.com/team":{"username":"bob","password":"pw"}}}""";
        var text = kind switch
        {
            "found" => Found,
            "empty" => "",
            "blank" => " \n\t",
            "broken" => """{"auths": {"registry.example.com": """,
            "duplicate" => """{"auths":{"registry.example.com":{"auth":"YWxpY2U6czNjcjN0"},"registry.example.com":{}}}""",
            "duplicate-elsewhere" => """{"auths":{"registry.example.com":{"auth":"YWxpY2U6czNjcjN0"},"b":{"x":1,"x":2}}}""",
            "lone-surrogate" => """{"auths":{"registry.example.com":{"auth":"YWxpY2U6czNjcjN0"}},"x":"\ud800"}""",
            "not-an-object" => """{"auths":{"registry.example.com":"x"}}""",
            "bad-auth" => """{"auths":{"registry.example.com":{"auth":"!!"}}}""",
            "legacy" => """{"auths":{"https://registry.example.com/v1/":{"auth":"YWxpY2U6czNjcjN0"}}}""",
            "escaped-key" => """{"auths":{"r\u0065gistry.example.com":{"auth":"YWxpY2U6czNjcjN0"}}}""",
            "helper" => """{"auths":{"registry.example.com":{}},"credsStore":"it-fake"}""",
            "own-helper" => """{"auths":{"registry.example.com":{}},"credHelpers":{"registry.example.com":"dotnet-remote"}}""",
            "symlink" => null,
            "invalid-utf8" => null,
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        if (kind == "symlink")
        {
            var real = Path.Combine(_sandbox.Root, "real-docker-config.json");
            File.WriteAllText(real, Found);
            File.Delete(_sandbox.DockerConfig);
            File.CreateSymbolicLink(_sandbox.DockerConfig, real);
        }
        else if (kind == "invalid-utf8")
        {
            File.WriteAllBytes(_sandbox.DockerConfig, [.. Encoding.UTF8.GetBytes(Found[..^2] + ",\n\"x\":\""), 0xFF, .. "\"}}"u8]);
        }
        else
        {
            File.WriteAllText(_sandbox.DockerConfig, text);
        }

        // A fake external helper on PATH (credsStore "it-fake"): answers one registry, "not found" for the rest.
        var bin = Path.Combine(_sandbox.Root, "bin");
        Directory.CreateDirectory(bin);
        var fake = Path.Combine(bin, "docker-credential-it-fake");
        File.WriteAllText(fake, """
            #!/bin/sh
            read url
            if [ "$1" = get ] && [ "$url" = helped.example.com ]; then echo '{"ServerURL":"helped.example.com","Username":"carol","Secret":"h3lp"}'; exit 0; fi
            echo "credentials not found in native keychain"; exit 1

            """);
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private Dictionary<string, string> Environment(IDictionary<string, string>? extra)
    {
        var env = new Dictionary<string, string>(extra ?? new Dictionary<string, string>())
        {
            ["PATH"] = Path.Combine(_sandbox.Root, "bin") + Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH"),
        };
        return _sandbox.Environment(env);
    }

    private Task<ToolResult> RunAsync(string program, string[] args, string? stdin, IDictionary<string, string>? env = null) =>
        RemoteTool.RunProcessAsync(program, args, stdin, Environment(env));

    // PATH exactly as given (no fake helper folder in front).
    private Task<ToolResult> RunProcessAsync(string program, string[] args, string? stdin, IDictionary<string, string> env) =>
        RemoteTool.RunProcessAsync(program, args, stdin, _sandbox.Environment(env));

    private Task<ToolResult> RunWithStdinFileAsync(string program, string[] args, string stdin, IDictionary<string, string>? env) =>
        RemoteTool.RunProcessAsync("/bin/sh", ["-c", "exec \"$0\" \"$@\" < \"$STDIN_FILE\"", program, .. args], null, Environment(new Dictionary<string, string>(env ?? new Dictionary<string, string>()) { ["STDIN_FILE"] = stdin }));

    /// <summary>The installed native tool and the helper copy <c>credential-helper install --dir</c> writes for this sandbox.</summary>
    private async Task<(string Tool, string Helper)> InstallHelperAsync()
    {
        Skip.IfNot(RuntimeInformation.RuntimeIdentifier == "linux-x64", $"the native tool package is built for linux-x64, not {RuntimeInformation.RuntimeIdentifier}");
        var tool = await InstalledTool.Value;
        var folder = Path.Combine(_sandbox.Root, "helper-bin");
        var install = await RunAsync(tool, ["credential-helper", "install", "--dir", folder], null);
        Assert.True(install.ExitCode == 0, install.ToString());
        var helper = Path.Combine(folder, "docker-credential-dotnet-remote");
        Assert.Null(new FileInfo(helper).LinkTarget);
        return (tool, helper);
    }

    /// <summary><c>dotnet tool install --tool-path</c> of the packed Remote.Tool: the linux-x64 (native) package here.</summary>
    private static async Task<string> InstallAsync()
    {
        var packages = await PackedPackages.FolderAsync();
        var toolPath = PackedPackages.TempFolder("native-tool");
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>())
        {
            env[(string)entry.Key] = (string?)entry.Value ?? "";
        }

        env["NUGET_PACKAGES"] = PackedPackages.NuGetCache;
        var result = await RemoteTool.RunProcessAsync("dotnet", ["tool", "install", "--tool-path", toolPath, "--add-source", packages, "--prerelease", "Remote.Tool"], null, env);
        Assert.True(result.ExitCode == 0, $"dotnet tool install failed: {result}");
        var tool = Path.Combine(toolPath, "dotnet-remote");
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(new FileInfo(tool).ResolveLinkTarget(true)!.FullName)!, "docker-credential-dotnet-remote")), "the native package has no docker-credential-dotnet-remote");
        return tool;
    }
}

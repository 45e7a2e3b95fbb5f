using DotnetRemote.Integration.Tests.Tests.Logins;

namespace DotnetRemote.Integration.Tests.Tests.Administrators;

/// <summary>
/// <c>apply --system</c> with the real tool against the library endpoint on library.test: root applies a fleet
/// manifest (the endpoint's own keyserver found by real service discovery), then user nobody sees it through
/// <c>list</c> and cannot change it.
/// </summary>
[Collection(Libraries.Name)]
public sealed class SystemManifestTests(LibraryApiFixture library)
{
    private const int Nobody = 65534;

    private string FleetManifest => $"""
        remotes:
          DefaultRemote:
            remove: true
          site:
            uri: http://{library.HostPort}
            insecure: true
            exclusive: true
            keyservers:
              - uri: https://pgp.site.example
                order: 1
              - uri: http://{library.HostPort}/keystore

        """;

    [SkippableFact]
    public async Task A_system_manifest_applied_by_root_is_what_a_normal_user_lists()
    {
        await library.EnsureAvailableAsync();
        Skip.IfNot(Environment.IsPrivilegedProcess, "apply --system writes the system file and needs root; list runs as user nobody");
        using var tool = new RemoteTool();
        var manifest = Path.Combine(tool.Root, "fleet-remotes.yaml");
        await File.WriteAllTextAsync(manifest, FleetManifest);

        var check = await tool.RunAsync(["apply", "--system", "--check", "-f", manifest]);
        var apply = await tool.RunAsync(["apply", "--system", "-f", manifest]);
        var again = await tool.RunAsync(["apply", "--system", "--check", "-f", manifest]);

        Assert.Equal(2, check.ExitCode);
        ToolAssert.Succeeded(apply);
        Assert.Equal((0, "INFO:    Check: nothing to change.\n"), (again.ExitCode, again.StdErr));
        ToolAssert.HasMode(tool.SystemConfigFile, (UnixFileMode)0b110_100_100);
        Assert.Equal($"""
            Active: site
            Remotes:
              site:
                URI: {library.HostPort}
                System: true
                Exclusive: true
                Insecure: true
                Keyservers:
                - URI: https://pgp.site.example
                  Skip: false
                  External: true
                  Insecure: false
                - URI: http://{library.HostPort}/keystore
                  Skip: false
                  External: false
                  Insecure: false

            """, await File.ReadAllTextAsync(tool.SystemConfigFile));

        var systemFile = await File.ReadAllBytesAsync(tool.SystemConfigFile);
        await OpenToNobodyAsync(tool);
        var list = await RunAsNobodyAsync(tool, "list");
        var refused = await RunAsNobodyAsync(tool, "apply", "--system", "--prune", "-f", manifest);
        var use = await RunAsNobodyAsync(tool, "use", "DefaultRemote");

        ToolAssert.Succeeded(list);
        Assert.Equal($"""
            Cloud Services Endpoints
            ========================

            NAME  URI{new string(' ', library.HostPort.Length - 3)}  ACTIVE  GLOBAL  EXCLUSIVE  INSECURE
            site  {library.HostPort}  YES     YES     YES        YES

            Keyservers
            ==========

            URI{new string(' ', $"http://{library.HostPort}/keystore".Length - 3)}  GLOBAL  INSECURE  ORDER
            {"https://pgp.site.example".PadRight($"http://{library.HostPort}/keystore".Length)}  YES     NO        1
            http://{library.HostPort}/keystore  YES     NO        2*

            * Active cloud services keyserver

            """, list.StdOut);
        Assert.Equal(new ToolResult(255, "", "FATAL:   Unable to modify global endpoint configuration file: not root user\n"), refused);
        Assert.Equal(new ToolResult(255, "", "FATAL:   DefaultRemote is not a remote\n"), use);
        Assert.Equal(systemFile, await File.ReadAllBytesAsync(tool.SystemConfigFile));
    }

    /// <summary>The sandbox as user nobody needs it: traversable folders, a home and config folder of its own.</summary>
    private static async Task OpenToNobodyAsync(RemoteTool tool)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("user nobody and setpriv are Linux's");
        }

        Directory.CreateDirectory(tool.ConfigDirectory);
        foreach (var folder in new[] { Path.GetDirectoryName(tool.Root)!, tool.Root, Path.GetDirectoryName(tool.SystemConfigFile)! })
        {
            File.SetUnixFileMode(folder, File.GetUnixFileMode(folder) | UnixFileMode.OtherExecute | UnixFileMode.OtherRead | UnixFileMode.GroupExecute | UnixFileMode.GroupRead);
        }

        var chown = await RemoteTool.RunProcessAsync("chown", ["-R", $"{Nobody}:{Nobody}", tool.Home, tool.ConfigDirectory], null, null);
        Assert.Equal(0, chown.ExitCode);
    }

    private static async Task<ToolResult> RunAsNobodyAsync(RemoteTool tool, params string[] args)
    {
        var launcher = await RemoteTool.LauncherAsync();
        return await RemoteTool.RunProcessAsync("setpriv", [$"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", .. launcher, .. args], null, tool.Environment());
    }
}

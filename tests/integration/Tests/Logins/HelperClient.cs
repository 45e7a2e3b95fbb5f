namespace DotnetRemote.Integration.Tests.Tests.Logins;

/// <summary>
/// Another registry client (skopeo, podman) that reaches our logins through our credential helper: the helper
/// installed into the sandbox's <c>helper-bin</c>, the client's own auth file naming only the helper for one host
/// (the helper reads OUR file: APPTAINER_CONFIGDIR, inherited), and PATH finding the helper first.
/// </summary>
internal sealed class HelperClient
{
    private readonly RemoteTool _tool;

    private HelperClient(RemoteTool tool, string program, string host, string helperDirectory, string authFile)
    {
        _tool = tool;
        Program = program;
        Host = host;
        HelperDirectory = helperDirectory;
        AuthFile = authFile;
    }

    /// <summary>The client's path (/usr/bin/skopeo).</summary>
    public string Program { get; }

    /// <summary>The registry (host:port) the auth file sends to our helper.</summary>
    public string Host { get; }

    /// <summary>Where docker-credential-dotnet-remote was installed.</summary>
    public string HelperDirectory { get; }

    /// <summary>The client's auth file (<c>&lt;client&gt;-auth.json</c> in the sandbox): <c>credHelpers</c> only.</summary>
    public string AuthFile { get; }

    /// <summary>The override of <see cref="RemoteTool.Environment"/> that puts the helper first on PATH.</summary>
    public Dictionary<string, string> PathOverride => PathWith(HelperDirectory);

    /// <summary>Installs our helper into the sandbox and writes the client's auth file for <paramref name="host"/>.</summary>
    public static async Task<HelperClient> SetUpAsync(RemoteTool tool, string program, string host)
    {
        ArgumentNullException.ThrowIfNull(tool);
        var helperDirectory = await InstallHelperAsync(tool);
        var authFile = Path.Combine(tool.Root, $"{Path.GetFileName(program)}-auth.json");
        await File.WriteAllTextAsync(authFile, $$$"""{"auths":{},"credHelpers":{"{{{host}}}":"dotnet-remote"}}""");
        return new HelperClient(tool, program, host, helperDirectory, authFile);
    }

    /// <summary>Runs <c>credential-helper install --dir</c> into the sandbox's helper-bin and checks that the helper is there.</summary>
    public static async Task<string> InstallHelperAsync(RemoteTool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        var helperDirectory = Path.Combine(tool.Root, "helper-bin");
        var install = await tool.RunAsync(["credential-helper", "install", "--dir", helperDirectory]);
        ToolAssert.Succeeded(install);
        Assert.True(File.Exists(Path.Combine(helperDirectory, "docker-credential-dotnet-remote")), install.ToString());
        return helperDirectory;
    }

    /// <summary>An environment override whose PATH starts with <paramref name="directory"/>.</summary>
    public static Dictionary<string, string> PathWith(string directory) =>
        new() { ["PATH"] = directory + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH") };

    /// <summary><c>CLIENT login --authfile FILE --tls-verify=false -u USER --password-stdin HOST</c>; fails the test unless it succeeds.</summary>
    public async Task LoginAsync(string username, string password)
    {
        var login = await RemoteTool.RunProcessAsync(Program, ["login", "--authfile", AuthFile, "--tls-verify=false", "-u", username, "--password-stdin", Host], password + "\n", _tool.Environment(PathOverride));
        Assert.True(login.ExitCode == 0, $"{Path.GetFileName(Program)} login through the helper failed: {login}");
    }

    /// <summary><c>CLIENT logout --authfile FILE HOST</c>; fails the test unless it succeeds.</summary>
    public async Task LogoutAsync()
    {
        var logout = await RemoteTool.RunProcessAsync(Program, ["logout", "--authfile", AuthFile, Host], null, _tool.Environment(PathOverride));
        Assert.True(logout.ExitCode == 0, $"{Path.GetFileName(Program)} logout through the helper failed: {logout}");
    }
}

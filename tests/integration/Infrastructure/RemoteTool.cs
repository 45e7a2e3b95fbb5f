using System.Diagnostics;
using System.Text;

namespace DotnetRemote.Integration.Tests.Infrastructure;

/// <summary>What one run of the tool (or another program) printed and returned.</summary>
public sealed record ToolResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>The lines of stderr that start with <c>FATAL:</c>.</summary>
    public IReadOnlyList<string> FatalLines =>
        [.. StdErr.Split('\n').Where(line => line.StartsWith("FATAL:", StringComparison.Ordinal))];

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";
}

/// <summary>
/// Runs the real <c>dotnet-remote</c> as a process in a sandbox of its own: a temp <c>APPTAINER_CONFIGDIR</c>,
/// <c>DOTNET_REMOTE_SYSTEM_CONFIG</c> and <c>HOME</c>, never the user's ~/.apptainer. The tool is the installed
/// global tool when <c>DOTNET_REMOTE_PACKAGES</c> names a folder with <c>Remote.Tool.*.nupkg</c> (installed once per
/// test run into a temp tool path), else <c>dotnet dotnet-remote.dll</c> from the build output copied to
/// <c>$(OutDir)remote-tool/</c>. Dispose removes the sandbox.
/// </summary>
public sealed class RemoteTool : IDisposable
{
    private static readonly Lazy<Task<string[]>> Launcher = new(ResolveLauncherAsync);

    /// <summary>Variables of the test process that would change what the tool reads; the child never inherits them.</summary>
    private static readonly string[] IsolatedPrefixes = ["APPTAINER_", "SINGULARITY_", "DOCKER_", "DOTNET_REMOTE_", "SSL_CERT_", "REGISTRY_AUTH_FILE"];

    public RemoteTool()
    {
        Root = Path.Combine(TestTemp.Root, $"sandbox-{Guid.NewGuid():N}");
        ConfigDirectory = Path.Combine(Root, "config");
        Home = Path.Combine(Root, "home");
        SystemConfigFile = Path.Combine(Root, "system", "remote.yaml");
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(Path.GetDirectoryName(SystemConfigFile)!);
    }

    /// <summary>The sandbox folder; put other per-test files here too.</summary>
    public string Root { get; }

    /// <summary><c>APPTAINER_CONFIGDIR</c> (created by the tool when it first writes).</summary>
    public string ConfigDirectory { get; }

    public string Home { get; }

    /// <summary><c>DOTNET_REMOTE_SYSTEM_CONFIG</c> (absent until a root command writes it).</summary>
    public string SystemConfigFile { get; }

    public string RemoteYaml => Path.Combine(ConfigDirectory, "remote.yaml");

    public string DockerConfig => Path.Combine(ConfigDirectory, "docker-config.json");

    /// <summary>remote.yaml's text, or "" when it does not exist.</summary>
    public string ReadRemoteYaml() => File.Exists(RemoteYaml) ? File.ReadAllText(RemoteYaml) : "";

    /// <summary>docker-config.json's text, or "" when it does not exist.</summary>
    public string ReadDockerConfig() => File.Exists(DockerConfig) ? File.ReadAllText(DockerConfig) : "";

    /// <summary>How the tool is started: the installed tool, or the dotnet host and the dll.</summary>
    public static Task<string[]> LauncherAsync() => Launcher.Value;

    /// <summary>The sandbox environment for a child process (this tool, or skopeo and the helper it starts).</summary>
    public Dictionary<string, string> Environment(IDictionary<string, string>? overrides = null)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>())
        {
            var name = (string)entry.Key;
            if (!IsolatedPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)))
            {
                environment[name] = (string?)entry.Value ?? "";
            }
        }
        environment["APPTAINER_CONFIGDIR"] = ConfigDirectory;
        environment["DOTNET_REMOTE_SYSTEM_CONFIG"] = SystemConfigFile;
        environment["HOME"] = Home;
        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in overrides ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }
        return environment;
    }

    /// <summary>Runs <c>dotnet-remote ARGS</c> in the sandbox; <paramref name="stdin"/> is written and closed (none: empty input).</summary>
    public async Task<ToolResult> RunAsync(string[] args, string? stdin = null, IDictionary<string, string>? env = null)
    {
        var launcher = await LauncherAsync();
        return await RunProcessAsync(launcher[0], [.. launcher.Skip(1), .. args], stdin, Environment(env));
    }

    /// <summary>Runs any program with the given environment; fails the test when it does not end within two minutes.</summary>
    public static async Task<ToolResult> RunProcessAsync(string fileName, IEnumerable<string> args, string? stdin, IDictionary<string, string>? environment)
    {
        var info = StartInfo(fileName, args, environment);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
            }
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program ended without reading its input; its output says why.
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not end within 2 minutes");
        }
        return new ToolResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// How these tests start a program: stdin, stdout and stderr redirected (UTF-8), no shell, exactly
    /// <paramref name="environment"/> as its environment (null: this process's).
    /// </summary>
    internal static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> args, IDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        if (environment is not null)
        {
            info.Environment.Clear();
            foreach (var (name, value) in environment)
            {
                info.Environment[name] = value;
            }
        }

        return info;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static async Task<string[]> ResolveLauncherAsync()
    {
        var packages = System.Environment.GetEnvironmentVariable("DOTNET_REMOTE_PACKAGES");
        if (!string.IsNullOrEmpty(packages) && Directory.Exists(packages) && Directory.EnumerateFiles(packages, "Remote.Tool.*.nupkg").Any())
        {
            return [await InstallToolAsync(packages)];
        }

        var dll = Path.Combine(AppContext.BaseDirectory, "remote-tool", "dotnet-remote.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"the tool's build output is missing: {dll} (built and copied by Remote.Integration.Tests.csproj)");
        }
        return [DotnetHost(), dll];
    }

    /// <summary><c>dotnet tool install --tool-path TEMP --add-source PACKAGES Remote.Tool</c>, once per test run.</summary>
    private static async Task<string> InstallToolAsync(string packages)
    {
        var toolPath = Path.Combine(TestTemp.Root, $"tool-{System.Environment.ProcessId}-{Guid.NewGuid():N}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(toolPath, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        var result = await RunProcessAsync(
            DotnetHost(),
            ["tool", "install", "--tool-path", toolPath, "--add-source", Path.GetFullPath(packages), "--prerelease", "Remote.Tool"],
            null,
            null);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet tool install Remote.Tool from {packages} failed: {result}");
        }
        return Path.Combine(toolPath, "dotnet-remote");
    }

    private static string DotnetHost() =>
        System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}

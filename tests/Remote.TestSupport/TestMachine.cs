using System.Net;
using System.Net.Sockets;
using System.Text;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Testing;

/// <summary>
/// A throw-away machine: a home, a user config dir (<c>APPTAINER_CONFIGDIR</c>, not created until something writes),
/// a system file (<c>DOTNET_REMOTE_SYSTEM_CONFIG</c>) and a folder for fake credential helpers, all under one private
/// temp folder deleted on dispose; with a resolver of its own and a log that records what the engine said.
/// </summary>
internal sealed class TestMachine : IDisposable
{
    private readonly Dictionary<string, string> _variables;

    public TestMachine()
    {
        // A private folder of its own (0700): a shared parent in /tmp would belong to whichever user ran first.
        Root = Directory.CreateTempSubdirectory("dotnet-remote-tests-").FullName;
        Home = Path.Combine(Root, "home");
        Directory.CreateDirectory(Home);
        ConfigDir = Path.Combine(Root, "config");
        SystemDir = Path.Combine(Root, "etc");
        UserFile = Path.Combine(ConfigDir, "remote.yaml");
        SystemFile = Path.Combine(SystemDir, "remote.yaml");
        _variables = new(StringComparer.Ordinal)
        {
            ["HOME"] = Home,
            ["APPTAINER_CONFIGDIR"] = ConfigDir,
            ["DOTNET_REMOTE_SYSTEM_CONFIG"] = SystemFile,
        };
    }

    public string Root { get; }

    public string Home { get; }

    public string ConfigDir { get; }

    public string SystemDir { get; }

    public string UserFile { get; }

    public string SystemFile { get; }

    /// <summary>Where fake credential helpers go; the only PATH entry the engine sees in process.</summary>
    public string BinDirectory => Path.Combine(Root, "bin");

    /// <summary>Apptainer's docker-config.json, where registry logins go.</summary>
    public string PrimaryFile => Path.Combine(ConfigDir, "docker-config.json");

    /// <summary>Docker's own config.json (<c>$HOME/.docker</c>), read as a fallback.</summary>
    public string FallbackFile => Path.Combine(Home, ".docker", "config.json");

    /// <summary>What the engine logged through a context of this machine (unless a test passed a log of its own).</summary>
    public RecordingLog Log { get; } = new();

    /// <summary>
    /// The names the resolver knows (an /etc/hosts of the test) besides address literals; any other name does not
    /// resolve, at once (a real lookup of a fuzzed name can wait seconds for the DNS server). Tests add loopback aliases here.
    /// </summary>
    public Dictionary<string, IPAddress[]> Hosts { get; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["localhost"] = [IPAddress.Loopback, IPAddress.IPv6Loopback],
    };

    /// <summary>Every name the engine asked the resolver for.</summary>
    public List<string> Resolved { get; } = [];

    /// <summary>The environment a command sees: only the variables this machine defines (a process adds PATH).</summary>
    public IReadOnlyDictionary<string, string> Variables => new Dictionary<string, string>(_variables, StringComparer.Ordinal);

    /// <summary>Defines (or replaces) a variable of <see cref="Variables"/>.</summary>
    public void SetEnvironment(string name, string value) => _variables[name] = value;

    /// <summary>The engine's view in process: <see cref="Variables"/>, and PATH = <see cref="BinDirectory"/>.</summary>
    public string? Environment(string name) =>
        _variables.TryGetValue(name, out var value) ? value
        : name == "PATH" ? BinDirectory
        : null;

    public RemotePaths Paths(string? configFile = null, string? authFile = null) => RemotePaths.FromEnvironment(Environment, configFile, authFile);

    /// <summary>An engine context on this machine: a fake web that reaches no host unless given one, and <see cref="Log"/>.</summary>
    public RemoteContext Context(bool isRoot = false, HttpMessageHandler? http = null, IRemoteLog? log = null, string? configFile = null, string? authFile = null) =>
        new(Paths(configFile, authFile), log ?? Log, http ?? new FakeHttpHandler(), isRoot, environment: Environment) { ResolveHost = ResolveAsync };

    /// <summary>An engine context on this machine whose web is <paramref name="handler"/>.</summary>
    public RemoteContext Context(HttpMessageHandler handler, string? authFile = null) => Context(isRoot: false, http: handler, authFile: authFile);

    private Task<IPAddress[]> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        lock (Resolved)
        {
            Resolved.Add(name);
        }

        return IPAddress.TryParse(name.Trim('[', ']'), out var address) ? Task.FromResult<IPAddress[]>([address])
            : Hosts.TryGetValue(name, out var addresses) ? Task.FromResult(addresses)
            : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
    }

    /// <summary>Writes the user file as the tool leaves it: 0600 in a 0700 folder.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void WriteUser(string yaml)
    {
        Directory.CreateDirectory(ConfigDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(UserFile, yaml);
        File.SetUnixFileMode(UserFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public void WriteSystem(string yaml)
    {
        Directory.CreateDirectory(SystemDir);
        File.WriteAllText(SystemFile, yaml);
    }

    public string ReadUser() => File.ReadAllText(UserFile);

    public string ReadSystem() => File.ReadAllText(SystemFile);

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/>, creating its folder.</summary>
    public static void WriteFile(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    /// <summary>The <c>auth</c> value of a docker config: base64 of <c>user:password</c>.</summary>
    public static string Basic(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    /// <summary>A docker config with <c>auth</c> entries for (key, user, password) and any extra top-level JSON members.</summary>
    public static string AuthsJson(IEnumerable<(string Key, string User, string Password)> entries, string extraMembers = "")
    {
        var auths = string.Join(",", entries.Select(e => $"\"{e.Key}\":{{\"auth\":\"{Basic(e.User, e.Password)}\"}}"));
        return $"{{\"auths\":{{{auths}}}{(extraMembers.Length > 0 ? "," + extraMembers : "")}}}";
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A process that still holds a file here; the OS cleans temp eventually.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

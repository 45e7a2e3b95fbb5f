using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Testing;

/// <summary>
/// A throw-away machine: a user config dir (<c>APPTAINER_CONFIGDIR</c>, not created until something writes), a
/// system file (<c>DOTNET_REMOTE_SYSTEM_CONFIG</c>) and a home, all under one temp folder deleted on dispose.
/// </summary>
internal sealed class TempConfigDir : IDisposable
{
    public TempConfigDir()
    {
        Root = Directory.CreateTempSubdirectory("dotnet-remote-tests-").FullName;
        Home = Path.Combine(Root, "home");
        Directory.CreateDirectory(Home);
        ConfigDir = Path.Combine(Root, "config");
        SystemDir = Path.Combine(Root, "etc");
        UserFile = Path.Combine(ConfigDir, "remote.yaml");
        SystemFile = Path.Combine(SystemDir, "remote.yaml");
    }

    public string Root { get; }

    public string Home { get; }

    public string ConfigDir { get; }

    public string SystemDir { get; }

    public string UserFile { get; }

    public string SystemFile { get; }

    /// <summary>The environment a command sees: only the variables this machine defines.</summary>
    public IReadOnlyDictionary<string, string> Variables => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["HOME"] = Home,
        ["APPTAINER_CONFIGDIR"] = ConfigDir,
        ["DOTNET_REMOTE_SYSTEM_CONFIG"] = SystemFile,
    };

    public string? Environment(string name) => Variables.TryGetValue(name, out var value) ? value : null;

    public RemotePaths Paths(string? configFile = null) => RemotePaths.FromEnvironment(Environment, configFile);

    public RemoteContext Context(bool isRoot = false, HttpMessageHandler? http = null, IRemoteLog? log = null, string? configFile = null) =>
        new(Paths(configFile), log, http ?? new FakeHttpHandler(), isRoot, environment: Environment) { ResolveHost = ResolveOffline };

    /// <summary>
    /// The machine's resolver without a network: address literals and <c>localhost</c> resolve, every other name is
    /// unknown at once (a real lookup of a fuzzed name can wait seconds for the DNS server).
    /// </summary>
    public static Task<System.Net.IPAddress[]> ResolveOffline(string name, CancellationToken cancellationToken) =>
        System.Net.IPAddress.TryParse(name.Trim('[', ']'), out var address) ? Task.FromResult<System.Net.IPAddress[]>([address])
        : string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase) ? Task.FromResult<System.Net.IPAddress[]>([System.Net.IPAddress.Loopback, System.Net.IPAddress.IPv6Loopback])
        : Task.FromException<System.Net.IPAddress[]>(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound));

    /// <summary>Writes the user file as the tool leaves it: 0600 in a 0700 folder.</summary>
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

using System.Net;
using System.Net.Sockets;
using System.Text;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Tests.Registries;

/// <summary>A temporary HOME with the engine's paths inside it; deleted on dispose.</summary>
internal sealed class TestHome : IDisposable
{
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);

    public TestHome()
    {
        // A private folder of its own (0700): a shared parent in /tmp would belong to whichever user ran first.
        Root = Directory.CreateTempSubdirectory("dotnet-remote-tests-").FullName;
        _environment["HOME"] = Root;
        _environment["APPTAINER_CONFIGDIR"] = Path.Combine(Root, ".apptainer");
        _environment["DOCKER_CONFIG"] = Path.Combine(Root, ".docker");
        _environment["DOTNET_REMOTE_SYSTEM_CONFIG"] = Path.Combine(Root, "system-remote.yaml");
        _environment["PATH"] = BinDirectory;
    }

    public string Root { get; }

    /// <summary>Where fake credential helpers go; the only PATH entry the engine sees.</summary>
    public string BinDirectory => Path.Combine(Root, "bin");

    public string PrimaryFile => Path.Combine(Root, ".apptainer", "docker-config.json");

    public string FallbackFile => Path.Combine(Root, ".docker", "config.json");

    public string RemoteYaml => Path.Combine(Root, ".apptainer", "remote.yaml");

    public RecordingLog Log { get; } = new();

    /// <summary>
    /// The names the fake resolver knows (an /etc/hosts of the test); any other name does not resolve. IP literals
    /// never reach it. Tests add loopback aliases here.
    /// </summary>
    public Dictionary<string, IPAddress[]> Hosts { get; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["localhost"] = [IPAddress.Loopback, IPAddress.IPv6Loopback],
    };

    /// <summary>Every name the engine asked the resolver for.</summary>
    public List<string> Resolved { get; } = [];

    public void SetEnvironment(string name, string value) => _environment[name] = value;

    public string? Environment(string name) => _environment.TryGetValue(name, out var value) ? value : null;

    public RemoteContext Context(HttpMessageHandler? handler = null, string? authFile = null) =>
        new(RemotePaths.FromEnvironment(Environment, authFileOverride: authFile), Log, handler ?? new FakeRegistry(_ => throw new InvalidOperationException("no network in this test")), isRoot: false, environment: Environment)
        {
            ResolveHost = ResolveAsync,
        };

    private Task<IPAddress[]> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        lock (Resolved)
        {
            Resolved.Add(name);
        }

        return Hosts.TryGetValue(name, out var addresses) ? Task.FromResult(addresses) : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
    }

    public static void WriteFile(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

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
        }
    }
}

internal sealed class RecordingLog : IRemoteLog
{
    public List<string> Infos { get; } = [];

    public List<string> Warnings { get; } = [];

    public IEnumerable<string> All => Infos.Concat(Warnings);

    public void Info(string message) => Infos.Add(message);

    public void Warning(string message) => Warnings.Add(message);
}

/// <summary>A registry (and token service) in a function; records every request with its Authorization header.</summary>
internal sealed class FakeRegistry(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
{
    public List<(string Url, string? Authorization)> Requests { get; } = [];

    /// <summary>The answer without recording the request (for composing fakes).</summary>
    public HttpResponseMessage Answer(HttpRequestMessage request) => respond(request);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Add((request.RequestUri!.ToString(), request.Headers.Authorization?.ToString()));
        return Task.FromResult(respond(request));
    }

    public static HttpResponseMessage Status(HttpStatusCode status, string? challenge = null, string? json = null)
    {
        var response = new HttpResponseMessage(status);
        if (challenge is not null)
        {
            response.Headers.TryAddWithoutValidation("WWW-Authenticate", challenge);
        }

        if (json is not null)
        {
            response.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return response;
    }

    /// <summary>
    /// A Basic-auth registry: <c>/v2/</c> answers 200 only to the right Basic credentials.
    /// </summary>
    public static FakeRegistry BasicAuth(string user, string password) => new(request =>
        request.Headers.Authorization?.ToString() == $"Basic {TestHome.Basic(user, password)}"
            ? Status(HttpStatusCode.OK)
            : Status(HttpStatusCode.Unauthorized, "Basic realm=\"Registry Realm\""));
}

/// <summary>
/// A fake <c>docker-credential-&lt;name&gt;</c> shell script keeping one file per server URL, and logging its argv so
/// tests can prove that no secret is passed there.
/// </summary>
internal static class FakeCredentialHelper
{
    public static string Install(TestHome home, string name, string? body = null)
    {
        Directory.CreateDirectory(home.BinDirectory);
        var state = Path.Combine(home.Root, $"helper-{name}");
        Directory.CreateDirectory(state);
        var script = Path.Combine(home.BinDirectory, $"docker-credential-{name}");
        File.WriteAllText(script, body ?? StoreScript(state));
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return state;
    }

    /// <summary>How many times the helper ran.</summary>
    public static int Runs(string state) => ArgvLog(state).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>The <c>DOTNET_REMOTE_HELPER_CHAIN</c> each run saw, one line a run.</summary>
    public static string[] Chains(string state) =>
        File.Exists(Path.Combine(state, "chain.log")) ? File.ReadAllLines(Path.Combine(state, "chain.log")) : [];

    public static string ArgvLog(string state) => File.Exists(Path.Combine(state, "argv.log")) ? File.ReadAllText(Path.Combine(state, "argv.log")) : "";

    public static string[] StoredFiles(string state) =>
        Directory.Exists(Path.Combine(state, "store")) ? Directory.GetFiles(Path.Combine(state, "store")).Select(File.ReadAllText).ToArray() : [];

    private static string StoreScript(string state) => $$"""
        #!/bin/sh
        state='{{state}}'
        mkdir -p "$state/store"
        echo "$0 $*" >> "$state/argv.log"
        echo "${DOTNET_REMOTE_HELPER_CHAIN:-}" >> "$state/chain.log"
        input=$(cat)
        keyfile() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
        case "$1" in
          store)
            url=$(printf '%s' "$input" | sed -n 's/.*"ServerURL":"\([^"]*\)".*/\1/p')
            printf '%s' "$input" > "$state/store/$(keyfile "$url")" ;;
          get)
            f="$state/store/$(keyfile "$input")"
            if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
          erase)
            f="$state/store/$(keyfile "$input")"
            if [ -f "$f" ]; then rm "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
          list)
            sep=''
            printf '{'
            for f in "$state"/store/*; do
              [ -f "$f" ] || continue
              url=$(sed -n 's/.*"ServerURL":"\([^"]*\)".*/\1/p' "$f")
              user=$(sed -n 's/.*"Username":"\([^"]*\)".*/\1/p' "$f")
              printf '%s"%s":"%s"' "$sep" "$url" "$user"
              sep=','
            done
            printf '}' ;;
          *) echo "unknown action"; exit 1 ;;
        esac
        """;
}

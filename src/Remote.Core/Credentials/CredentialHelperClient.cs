using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.IO;

namespace DotnetRemote.Core.Credentials;

/// <summary>A credential as the docker-credential-helpers protocol carries it.</summary>
internal sealed record HelperCredential(string ServerUrl, string Username, string Secret)
{
    /// <summary>The helpers' convention for an identity (refresh) token instead of a password.</summary>
    public const string IdentityTokenUsername = "<token>";

    public override string ToString() => $"HelperCredential {{ ServerUrl = {ServerUrl}, Username = {Username} }}";
}

/// <summary>
/// Runs <c>docker-credential-&lt;name&gt; get|store|erase|list</c> (docker-credential-helpers protocol). Secrets travel
/// on stdin and stdout only, never in arguments; every call is bounded in time and the helper is killed on expiry.
/// </summary>
internal sealed class CredentialHelperClient
{
    /// <summary>The helpers' not-found sentinel (docker-credential-helpers <c>credentials.errCredentialsNotFound</c>).</summary>
    public const string NotFoundMessage = "credentials not found in native keychain";

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly TimeSpan _timeout;
    private readonly string _searchPath;
    private readonly IReadOnlyDictionary<string, string> _childEnvironment;
    private readonly IRemoteLog _log;

    /// <param name="helperName">The suffix: <c>pass</c> runs <c>docker-credential-pass</c>.</param>
    /// <param name="environment">Reads <c>PATH</c> to find the executable.</param>
    /// <param name="childEnvironment">Variables set for the helper process on top of this process's environment.</param>
    /// <param name="log">Receives the helper's own <c>WARNING:</c> lines (dotnet remote's helper reports a loop so), and
    /// under <c>--debug</c> which helper ran with which action (never the secret).</param>
    public CredentialHelperClient(string helperName, Func<string, string?> environment, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? childEnvironment = null, IRemoteLog? log = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(helperName);
        ArgumentNullException.ThrowIfNull(environment);
        if (helperName.IndexOfAny(['/', '\\']) >= 0)
        {
            throw new RemoteException(RemoteErrorCodes.CredentialStore, $"invalid credential helper name \"{helperName}\"");
        }

        HelperName = helperName;
        _timeout = timeout ?? DefaultTimeout;
        _searchPath = environment("PATH") ?? "";
        _childEnvironment = childEnvironment ?? new Dictionary<string, string>();
        _log = log ?? NullRemoteLog.Instance;
    }

    public string HelperName { get; }

    /// <summary>The program run: <c>docker-credential-&lt;name&gt;</c>.</summary>
    public string ProgramName => $"docker-credential-{HelperName}";

    /// <summary>The stored credential for <paramref name="serverUrl"/>, or null when the helper has none.</summary>
    public async Task<HelperCredential?> GetAsync(string serverUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(serverUrl);
        var result = await RunAsync("get", serverUrl, cancellationToken);
        if (result.NotFound)
        {
            return null;
        }

        var reply = ParseObject(result.Output, "get");
        var username = StringField(reply, "Username");
        var secret = StringField(reply, "Secret");
        return secret.Length == 0 && username.Length == 0 ? null : new HelperCredential(StringField(reply, "ServerURL") is { Length: > 0 } url ? url : serverUrl, username, secret);
    }

    public async Task StoreAsync(HelperCredential credential, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credential);
        var payload = new JsonObject { ["ServerURL"] = credential.ServerUrl, ["Username"] = credential.Username, ["Secret"] = credential.Secret };
        var result = await RunAsync("store", payload.ToJsonString(), cancellationToken);
        if (result.NotFound)
        {
            throw Failure("store", NotFoundMessage);
        }
    }

    /// <summary>Erases the credential; false when the helper had none.</summary>
    public async Task<bool> EraseAsync(string serverUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(serverUrl);
        return !(await RunAsync("erase", serverUrl, cancellationToken)).NotFound;
    }

    /// <summary>Every server URL the helper holds, with its username.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ListAsync(CancellationToken cancellationToken = default)
    {
        var result = await RunAsync("list", "", cancellationToken);
        var list = new Dictionary<string, string>(StringComparer.Ordinal);
        if (result.NotFound)
        {
            return list;
        }

        foreach (var (url, user) in ParseObject(result.Output, "list"))
        {
            list[url] = user is JsonValue value && value.TryGetValue<string>(out var name) ? name : "";
        }

        return list;
    }

    private async Task<(string Output, bool NotFound)> RunAsync(string action, string input, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(ResolveExecutable())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(action);
        foreach (var (name, value) in _childEnvironment)
        {
            start.Environment[name] = value;
        }

        _log.Debug($"running {start.FileName} {action}{(action is "get" or "erase" ? $" for {input}" : "")}");

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw Failure(action, $"cannot run: {ex.Message}", ex);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), timeout.Token);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The helper exited without reading its input; its exit code and output tell why.
            }

            await process.WaitForExitAsync(timeout.Token);
            var stdout = (await output).Trim();
            var stderr = (await error).Trim();
            RelayWarnings(stderr);
            if (process.ExitCode == 0)
            {
                return (stdout, false);
            }

            // Helpers print their error on stdout (credentials.Serve); some use stderr.
            var message = stdout.Length > 0 ? stdout : stderr;
            if (message.Contains(NotFoundMessage, StringComparison.OrdinalIgnoreCase))
            {
                return ("", true);
            }

            throw Failure(action, message.Length > 0 ? FirstLine(message) : $"exit code {process.ExitCode}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill(process);
            throw Failure(action, $"timed out after {_timeout.TotalSeconds:0.#} s");
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw;
        }
    }

    // Only lines in dotnet remote's own "WARNING:" form: other helpers' stderr is theirs and may hold anything.
    private void RelayWarnings(string stderr)
    {
        foreach (var line in stderr.Split('\n'))
        {
            if (line.StartsWith("WARNING:", StringComparison.Ordinal))
            {
                _log.Warning(line["WARNING:".Length..].Trim());
            }
        }
    }

    private string ResolveExecutable()
    {
        foreach (var directory in _searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, ProgramName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new RemoteException(RemoteErrorCodes.CredentialStore, $"credential helper {ProgramName} not found in PATH");
    }

    private JsonObject ParseObject(string json, string action)
    {
        try
        {
            return StrictJson.ParseNode(json) as JsonObject ?? throw Failure(action, "the reply is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw Failure(action, "the reply is not valid JSON", ex);
        }
    }

    private static string StringField(JsonObject reply, string name) =>
        reply[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : "";

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private RemoteException Failure(string action, string detail, Exception? inner = null) =>
        new(RemoteErrorCodes.CredentialStore, $"credential helper {ProgramName} {action} failed: {detail}", inner);
}

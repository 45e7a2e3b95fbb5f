using System.Text.Json;
using System.Text.Json.Nodes;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.IO;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Credentials;

/// <summary>
/// Answers the docker-credential-helpers protocol from dotnet remote's own store (the primary docker-config file and
/// the helpers it names), so docker, podman or ORAS can use it as <c>credHelpers</c>/<c>credsStore</c>:
/// <c>get</c> (server URL on stdin → <c>{"ServerURL","Username","Secret"}</c>), <c>store</c> (that JSON on stdin),
/// <c>erase</c> (server URL on stdin), <c>list</c> (<c>{url: username}</c>), <c>version</c>. Errors go to stdout with
/// exit code 1, as the protocol wants; a missing credential is <see cref="CredentialHelperClient.NotFoundMessage"/>.
/// It never calls itself: a file that names <c>dotnet-remote</c> for itself is read without that helper, and a process
/// started (through any helper) by dotnet remote while reading the same file answers "not found" with one WARNING
/// (<see cref="DockerCredentialStore.HelperChainVariable"/>). <c>store</c> and <c>erase</c> keep remote.yaml's
/// <c>Credentials</c> in step, so <c>list</c> shows what docker, podman or skopeo stored through the helper.
/// </summary>
internal sealed class CredentialHelperProtocol
{
    private readonly RemoteContext _context;

    public CredentialHelperProtocol(RemoteContext context) => _context = context ?? throw new ArgumentNullException(nameof(context));

    /// <summary>Runs one action, reading <paramref name="input"/> and writing <paramref name="output"/>; returns the exit code.</summary>
    public async Task<int> ServeAsync(string action, TextReader input, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        if (action == "get")
        {
            return await ServeGetAsync(input, output, cancellationToken);
        }

        var store = new DockerCredentialStore(_context, _context.Paths.DockerConfigFile);
        try
        {
            if (action is "store" or "erase" or "list" && IsLoop())
            {
                return await ServeLoopAsync(action, input, output, cancellationToken);
            }

            var reply = action switch
            {
                "store" => await StoreAsync(store, await ReadInputAsync(input, cancellationToken), cancellationToken),
                "erase" => await EraseAsync(store, (await ReadInputAsync(input, cancellationToken)).Trim(), cancellationToken),
                "list" => await ListAsync(store, cancellationToken),
                "version" => RemoteHttp.UserAgent,
                _ => throw new RemoteException(RemoteErrorCodes.InvalidArgument, $"unknown credential helper action \"{action}\" (expected get, store, erase, list or version)"),
            };
            if (reply.Length > 0)
            {
                await output.WriteLineAsync(reply);
            }

            return 0;
        }
        catch (RemoteException ex)
        {
            await output.WriteLineAsync(ex.Message);
            return 1;
        }
    }

    /// <summary>
    /// The <c>get</c> action alone (what docker runs on every pull and push): as <see cref="ServeAsync"/> with
    /// <c>get</c>, and nothing of the other actions, so a host that only answers <c>get</c> (the native helper) links
    /// none of their code (remote.yaml's YAML, file writes).
    /// </summary>
    public async Task<int> ServeGetAsync(TextReader input, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var store = new DockerCredentialStore(_context, _context.Paths.DockerConfigFile);
        try
        {
            if (IsLoop())
            {
                return await ServeLoopAsync("get", input, output, cancellationToken);
            }

            var reply = await GetAsync(store, (await ReadInputAsync(input, cancellationToken)).Trim(), cancellationToken);
            await output.WriteLineAsync(reply);
            return 0;
        }
        catch (RemoteException ex)
        {
            await output.WriteLineAsync(ex.Message);
            return 1;
        }
    }

    /// <summary>True when dotnet remote, reading this very file, started (through some helper) this process.</summary>
    private bool IsLoop() =>
        DockerCredentialStore.ChainContains(_context.Environment(DockerCredentialStore.HelperChainVariable), _context.Paths.DockerConfigFile);

    /// <summary>The loop's answer: nothing found (an empty list), one WARNING on stderr naming the loop.</summary>
    private async Task<int> ServeLoopAsync(string action, TextReader input, TextWriter output, CancellationToken cancellationToken)
    {
        await input.ReadToEndAsync(cancellationToken);
        var file = _context.Paths.DockerConfigFile;
        _context.Log.Warning($"credential helper loop: dotnet remote, reading {file}, ran a credential helper that ran {CredentialHelperInstaller.ProgramName} for {file} again; answering \"not found\" (check credsStore/credHelpers in {file} and the helpers they name)");
        if (action == "list")
        {
            await output.WriteLineAsync("{}");
            return 0;
        }

        await output.WriteLineAsync(action == "store"
            ? $"refusing to store: {CredentialHelperInstaller.ProgramName} was started by itself for {file} (a credential helper loop)"
            : CredentialHelperClient.NotFoundMessage);
        return 1;
    }

    /// <summary>As <see cref="ToReference"/>, or null for a server URL that names no registry.</summary>
    internal static RegistryReference? TryToReference(string serverUrl)
    {
        try
        {
            return ToReference(serverUrl);
        }
        catch (RemoteException)
        {
            return null;
        }
    }

    /// <summary>
    /// The login a server URL names. Callers send <c>host[:port]</c>, <c>host/namespace</c>, Docker Hub's
    /// <c>https://index.docker.io/v1/</c> or <c>https://host</c>: with a scheme only the host counts, as in docker.
    /// </summary>
    internal static RegistryReference ToReference(string serverUrl)
    {
        if (serverUrl.Length == 0)
        {
            throw new RemoteException(RemoteErrorCodes.InvalidArgument, "no server URL given");
        }

        // The input may be anything a caller piped in (a store request sent to erase holds its secret): an error
        // quotes only a short prefix made of URL characters.
        if (serverUrl.Length > MaxServerUrlLength || serverUrl.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '{' or '}' or '\\'))
        {
            throw InvalidServerUrl(serverUrl);
        }

        var registry = DockerConfigFile.SchemeKeyHostname(serverUrl) ?? serverUrl.TrimEnd('/');
        try
        {
            return RegistryReference.ParseRegistry($"docker://{registry}");
        }
        catch (RemoteException)
        {
            throw InvalidServerUrl(serverUrl);
        }
    }

    /// <summary>The most a helper reads from stdin: a server URL, or a store request with its secret.</summary>
    public const int MaxInputChars = 64 * 1024;

    private const int MaxServerUrlLength = 2048;

    private static RemoteException InvalidServerUrl(string serverUrl) =>
        new(RemoteErrorCodes.InvalidArgument, $"invalid server URL \"{SafePrefix(serverUrl)}\": expected host[:port][/namespace] or https://host");

    /// <summary>At most 24 leading characters, and only while they are URL characters: never a secret's tail.</summary>
    internal static string SafePrefix(string text)
    {
        var length = 0;
        while (length < text.Length && length < 24 && (char.IsAsciiLetterOrDigit(text[length]) || ".-_:/[]".Contains(text[length], StringComparison.Ordinal)))
        {
            length++;
        }

        return length < text.Length ? text[..length] + "..." : text;
    }

    private static async Task<string> ReadInputAsync(TextReader input, CancellationToken cancellationToken)
    {
        var buffer = new char[MaxInputChars + 1];
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await input.ReadAsync(buffer.AsMemory(total), cancellationToken);
            if (read == 0)
            {
                return new string(buffer, 0, total);
            }

            total += read;
        }

        throw new RemoteException(RemoteErrorCodes.InvalidArgument, $"the input is larger than {MaxInputChars / 1024} KB");
    }

    private static async Task<string> GetAsync(DockerCredentialStore store, string serverUrl, CancellationToken cancellationToken)
    {
        var found = await store.FindAsync(ToReference(serverUrl), cancellationToken) ?? throw NotFound();
        return new JsonObject
        {
            ["ServerURL"] = serverUrl,
            ["Username"] = found.IsIdentityToken ? HelperCredential.IdentityTokenUsername : found.Username,
            ["Secret"] = found.Secret,
        }.ToJsonString();
    }

    private async Task<string> StoreAsync(DockerCredentialStore store, string json, CancellationToken cancellationToken)
    {
        JsonObject request;
        try
        {
            request = StrictJson.ParseNode(json) as JsonObject ?? throw new RemoteException(RemoteErrorCodes.InvalidArgument, "store expects a JSON object on stdin");
        }
        catch (JsonException)
        {
            // The reader's message could quote the input, which holds the secret.
            throw new RemoteException(RemoteErrorCodes.InvalidArgument, "store expects a JSON object on stdin");
        }

        string Field(string name) => request[name] is JsonValue v && v.TryGetValue<string>(out var text) ? text : "";
        var username = Field("Username");
        var secret = Field("Secret");
        if (secret.Length == 0)
        {
            throw new RemoteException(RemoteErrorCodes.PasswordRequired, "a password is required");
        }

        // docker's convention: Username "<token>" carries an identity token, which the file keeps as "identitytoken".
        var reference = ToReference(Field("ServerURL"));
        var isIdentityToken = username == HelperCredential.IdentityTokenUsername;
        await store.StoreAsync(reference, isIdentityToken ? "" : username, secret, isIdentityToken, cancellationToken);
        await RecordAsync(reference, stored: true);
        return "";
    }

    private async Task<string> EraseAsync(DockerCredentialStore store, string serverUrl, CancellationToken cancellationToken)
    {
        var reference = ToReference(serverUrl);
        var erased = (await store.EraseAsync(reference, cancellationToken)).Count > 0;
        var forgotten = await RecordAsync(reference, stored: false);
        return erased || forgotten ? "" : throw NotFound();
    }

    /// <summary>
    /// Keeps remote.yaml's <c>Credentials</c> in step with a store or erase made through the helper (as a login or a
    /// logout would), so <c>list</c> agrees with what <c>credential get</c> serves. Untouched with an auth file.
    /// </summary>
    private async Task<bool> RecordAsync(RegistryReference reference, bool stored)
    {
        if (!RegistryLogins.UpdatesRemoteConfig(_context.Paths))
        {
            return false;
        }

        var configStore = new RemoteConfigStore(_context);
        var known = configStore.LoadUser().Credentials.Exists(entry => RegistryLogins.SharesSecret(entry.Uri, reference));
        if (stored == known)
        {
            return false;
        }

        return await configStore.UpdateUserAsync(merged: true, config =>
        {
            if (!stored)
            {
                return config.Credentials.RemoveAll(entry => RegistryLogins.SharesSecret(entry.Uri, reference)) > 0;
            }

            config.Credentials.Add(new CredentialConfig { Uri = reference.Uri });
            return true;
        });
    }

    private static async Task<string> ListAsync(DockerCredentialStore store, CancellationToken cancellationToken)
    {
        var list = new JsonObject();
        foreach (var login in await store.ListAsync(cancellationToken))
        {
            list[login.Key] = login.Username;
        }

        return list.ToJsonString();
    }

    private static RemoteException NotFound() => new(RemoteErrorCodes.CredentialNotFound, CredentialHelperClient.NotFoundMessage);
}

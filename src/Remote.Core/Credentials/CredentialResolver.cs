using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Endpoints;
using DotnetRemote.Core.Keyservers;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Credentials;

/// <summary>Where a credential came from.</summary>
internal enum CredentialSource
{
    /// <summary>An explicit pair such as <c>APPTAINER_DOCKER_USERNAME</c>/<c>_PASSWORD</c>.</summary>
    Environment,

    /// <summary>The primary docker-config file (<c>&lt;configdir&gt;/docker-config.json</c> or <c>--authfile</c>).</summary>
    AuthFile,

    /// <summary>Docker's own <c>$DOCKER_CONFIG/config.json</c> or <c>~/.docker/config.json</c>, read only.</summary>
    FallbackFile,

    /// <summary>A credential helper named by one of those files; <see cref="CredentialMatch.File"/> says which file.</summary>
    Helper,

    /// <summary>remote.yaml: a keyserver's <c>Auth</c> header or a library remote's <c>Token</c>.</summary>
    RemoteConfig,
}

/// <summary>
/// The credential that serves a URI, and why. <see cref="Secret"/> is a password, token or identity token: never print
/// it (<see cref="ToString"/> leaves it out).
/// </summary>
internal sealed record CredentialMatch
{
    /// <summary>The server the credential is for: a docker-config key, a keyserver URL or a library base URL.</summary>
    public required string ServerUrl { get; init; }

    /// <summary>Empty for tokens (keyserver Bearer, library token, identity token).</summary>
    public required string Username { get; init; }

    public required string Secret { get; init; }

    public required CredentialSource Source { get; init; }

    /// <summary>The file holding or recording the credential, if any.</summary>
    public string? File { get; init; }

    /// <summary>The docker-config key, remote.yaml credential URI or remote name that matched.</summary>
    public string? Key { get; init; }

    /// <summary>The credential helper's name (<c>pass</c> for <c>docker-credential-pass</c>).</summary>
    public string? Helper { get; init; }

    /// <summary>The environment variables used, comma separated.</summary>
    public string? Variable { get; init; }

    /// <summary>True when <see cref="Secret"/> is a registry identity (refresh) token.</summary>
    public bool IsIdentityToken { get; init; }

    /// <summary>One sentence for humans: why this credential and not another.</summary>
    public required string Reason { get; init; }

    public override string ToString() =>
        $"CredentialMatch {{ ServerUrl = {ServerUrl}, Username = {Username}, Source = {Source}, File = {File}, Key = {Key}, Helper = {Helper}, Variable = {Variable}, Reason = {Reason} }}";
}

/// <summary>
/// Answers "which credential serves this URI, and why" for every kind of URI dotnet remote knows:
/// <list type="bullet">
/// <item>OCI (<c>docker://</c>, <c>oras://</c>), docs/compatibility.md#oci-credentials: the explicit environment pair, then the primary docker-config
/// file (and its helpers), then Docker's own file, read only. Within a file the most specific key wins: the full
/// namespace, then shorter namespace prefixes, then the registry (<c>host[:port]</c>, or a legacy key such as
/// <c>https://myreg.io/v2/</c>); Docker Hub's names all use <c>https://index.docker.io/v1/</c>; the port matters.</item>
/// <item>Keyservers (<c>http(s)://</c>, <c>hkp(s)://</c>): the first remote.yaml <c>Credentials</c> entry for the same
/// keyserver; Basic gives user and password, Bearer a token.</item>
/// <item>Libraries (<c>library://[host]/…</c> or a remote's name): the remote's <c>Token</c>.</item>
/// </list>
/// The environment pair applies to every registry, as in Apptainer (docs/compatibility.md#kept-env-credentials); this is kept for compatibility
/// and the <see cref="CredentialMatch.Reason"/> says so.
/// </summary>
internal sealed class CredentialResolver
{
    /// <summary>Explicit OCI credential variables in precedence order; each of user and password is resolved on its own.</summary>
    public static readonly IReadOnlyList<(string Username, string Password)> EnvironmentPairs =
    [
        ("APPTAINER_DOCKER_USERNAME", "APPTAINER_DOCKER_PASSWORD"),
        ("DOCKER_USERNAME", "DOCKER_PASSWORD"),
        ("SINGULARITY_DOCKER_USERNAME", "SINGULARITY_DOCKER_PASSWORD"),
    ];

    private readonly RemoteContext _context;

    public CredentialResolver(RemoteContext context) => _context = context ?? throw new ArgumentNullException(nameof(context));

    /// <summary>The credential for <paramref name="uri"/>, or null when it would be used anonymously.</summary>
    /// <exception cref="RemoteException"><see cref="RemoteErrorCodes.TransportNotSupported"/> for other schemes;
    /// <see cref="RemoteErrorCodes.CredentialStore"/> when a helper fails; <see cref="RemoteErrorCodes.RemoteNotFound"/>
    /// for an unknown remote name.</exception>
    public async Task<CredentialMatch?> ResolveAsync(string uri, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var text = uri.Trim();
        if (text.Length == 0)
        {
            throw new RemoteException(RemoteErrorCodes.InvalidArgument, "no URI given: name an image (docker://, oras://), a keyserver (https://), a library (library://) URI or a remote");
        }

        if (!text.Contains("://", StringComparison.Ordinal) && !text.StartsWith("library:", StringComparison.Ordinal))
        {
            return ResolveRemote(text, text);
        }

        return RegistryReference.Scheme(text) switch
        {
            "docker" or "oras" => await ResolveRegistryAsync(RegistryReference.ParseImage(text), cancellationToken),
            "http" or "https" or "hkp" or "hkps" => ResolveKeyserver(text),
            "library" => ResolveLibrary(text),
            var scheme => throw new RemoteException(RemoteErrorCodes.TransportNotSupported, $"{scheme} transport is not supported"),
        };
    }

    /// <summary>
    /// What dotnet-remote answers docker, podman or skopeo as their credential helper for the registry of the image
    /// <paramref name="uri"/>: the login in the primary docker-config file for the registry, never the environment
    /// pair (that pair is Apptainer's convention; docker and skopeo do not read it) and never Docker's own file.
    /// </summary>
    public async Task<CredentialMatch?> ResolveHelperAnswerAsync(string uri, CancellationToken cancellationToken = default)
    {
        var reference = RegistryReference.ParseImage(uri);
        var registry = RegistryReference.ParseRegistry($"docker://{reference.Registry}");
        return await FromFileAsync(_context.Paths.DockerConfigFile, registry, CredentialSource.AuthFile, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As <see cref="ResolveAsync"/>, but no credential is an error (<see cref="RemoteErrorCodes.CredentialNotFound"/>).</summary>
    public async Task<CredentialMatch> RequireAsync(string uri, CancellationToken cancellationToken = default) =>
        await ResolveAsync(uri, cancellationToken)
        ?? throw new RemoteException(RemoteErrorCodes.CredentialNotFound, $"no credentials found for {uri}");

    private async Task<CredentialMatch?> ResolveRegistryAsync(RegistryReference reference, CancellationToken cancellationToken)
    {
        if (FromEnvironment(reference) is { } explicitPair)
        {
            return explicitPair;
        }

        var paths = _context.Paths;
        if (await FromFileAsync(paths.DockerConfigFile, reference, CredentialSource.AuthFile, cancellationToken) is { } primary)
        {
            return primary;
        }

        return paths.DockerFallbackFile is { } fallback
            ? await FromFileAsync(fallback, reference, CredentialSource.FallbackFile, cancellationToken) is { } match
                ? match with { Reason = $"no login in {paths.DockerConfigFile}, so Docker's own file is used: {match.Reason}" }
                : null
            : null;
    }

    private CredentialMatch? FromEnvironment(RegistryReference reference)
    {
        var user = EnvironmentPairs.Select(p => p.Username).FirstOrDefault(IsSet);
        var password = EnvironmentPairs.Select(p => p.Password).FirstOrDefault(IsSet);
        if (user is null && password is null)
        {
            return null;
        }

        var variables = string.Join(", ", new[] { user, password }.OfType<string>());
        return new CredentialMatch
        {
            ServerUrl = reference.RegistryKey,
            Username = user is null ? "" : _context.Environment(user)!,
            Secret = password is null ? "" : _context.Environment(password)!,
            Source = CredentialSource.Environment,
            Variable = variables,
            Reason = $"{variables} set in the environment: as in Apptainer, they apply to every registry and win over any stored login for Apptainer's own pulls and pushes and for `credential get`",
        };
    }

    private bool IsSet(string variable) => !string.IsNullOrEmpty(_context.Environment(variable));

    private async Task<CredentialMatch?> FromFileAsync(string file, RegistryReference reference, CredentialSource source, CancellationToken cancellationToken)
    {
        StoredCredential? found;
        try
        {
            found = await new DockerCredentialStore(_context, file).FindAsync(reference, cancellationToken);
        }
        catch (ConfigFileException ex)
        {
            // As Apptainer: a file that does not parse means no credentials from it, with a warning.
            _context.Log.Warning($"Unable to find matching credentials in specified file ({ex.Message}); proceeding without it.");
            return null;
        }

        if (found is null)
        {
            return null;
        }

        var target = reference.Namespace.Length == 0 ? reference.Registry : $"{reference.Registry}/{reference.Namespace}";
        var reason = found.Match switch
        {
            KeyMatch.Exact => $"{file} has a login under \"{found.Key}\"",
            KeyMatch.Prefix => $"\"{found.Key}\" is the most specific key in {file} that covers {target}",
            _ => $"the key \"{found.Key}\" in {file} names the host {reference.Registry}",
        };
        if (reference.IsDockerHub)
        {
            reason += $" (Docker Hub logins for {reference.Registry} are kept under {RegistryReference.DockerHubConfigKey})";
        }

        if (found.Helper is not null)
        {
            reason += $"; the secret is kept by docker-credential-{found.Helper}";
        }

        return new CredentialMatch
        {
            ServerUrl = found.Key,
            Username = found.Username,
            Secret = found.Secret,
            IsIdentityToken = found.IsIdentityToken,
            Source = found.Helper is null ? source : CredentialSource.Helper,
            File = file,
            Key = found.Key,
            Helper = found.Helper,
            Reason = reason,
        };
    }

    private CredentialMatch? ResolveKeyserver(string uri)
    {
        var config = new RemoteConfigStore(_context).LoadMerged();
        var entry = config.Credentials.Find(c => KeyserverUri.IsSameKeyserver(c.Uri, uri));
        if (entry is null || entry.Auth.Length == 0)
        {
            return null;
        }

        var (username, secret) = DecodeAuthorization(entry.Auth);
        return new CredentialMatch
        {
            ServerUrl = entry.Uri,
            Username = username,
            Secret = secret,
            Source = CredentialSource.RemoteConfig,
            File = _context.Paths.UserConfigFile,
            Key = entry.Uri,
            Reason = $"remote.yaml has a keyserver login for {entry.Uri}, the same keyserver as {uri}",
        };
    }

    /// <summary>A stored <c>Authorization</c> value: Basic gives user and password, anything else (Bearer) a token.</summary>
    private static (string Username, string Secret) DecodeAuthorization(string header)
    {
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        var scheme = space > 0 ? header[..space] : "";
        var value = space > 0 ? header[(space + 1)..].Trim() : header.Trim();
        if (scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            if (BasicCredentials.TryDecode(value, out var username, out var password))
            {
                return (username, password);
            }

            throw new RemoteException(RemoteErrorCodes.CredentialStore, "a keyserver login in remote.yaml has an invalid Basic Auth value");
        }

        return ("", value);
    }

    private CredentialMatch? ResolveLibrary(string uri)
    {
        if (LibraryHost(uri) is not null)
        {
            // Apptainer sends no token to a library that the URI names itself (see AnonymousReason).
            return null;
        }

        var config = new RemoteConfigStore(_context).LoadMerged();
        var (name, _) = config.GetDefaultRemote();
        return ResolveRemote(name, uri, config);
    }

    /// <summary>
    /// The host a library URI names, or null. As Apptainer resolves them (scs-library-client's ParseAmbiguous),
    /// <c>library://entity/collection/container[:tag]</c>, <c>library:///…</c> and <c>library:…</c> name no host and
    /// are served by the active remote; only a four-part path (<c>library://host/entity/collection/container</c>)
    /// starts with a host.
    /// </summary>
    public static string? LibraryHost(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var text = uri.Trim();
        if (!text.StartsWith("library://", StringComparison.Ordinal) || text.StartsWith("library:///", StringComparison.Ordinal))
        {
            return null;
        }

        var segments = text["library://".Length..].Split('/');
        return segments.Length >= 4 && segments[0].Length > 0 ? segments[0] : null;
    }

    /// <summary>Why nothing serves <paramref name="uri"/>: one sentence for <c>credential which</c> and <c>get</c>.</summary>
    public static string AnonymousReason(string uri) =>
        LibraryHost(uri ?? "") is { } host
            ? $"{uri} names its library host ({host}), so Apptainer sends no token (not even the active remote's); access is anonymous"
            : "no stored credential or environment variable serves it; access is anonymous";

    private CredentialMatch? ResolveRemote(string name, string uri, RemoteConfig? config = null)
    {
        var endpoint = (config ?? new RemoteConfigStore(_context).LoadMerged()).GetRemote(name);
        if (endpoint.Token.Length == 0)
        {
            return null;
        }

        return new CredentialMatch
        {
            ServerUrl = EndpointUri.BaseUrl(endpoint.Uri, endpoint.Insecure),
            Username = "",
            Secret = endpoint.Token,
            Source = CredentialSource.RemoteConfig,
            File = _context.Paths.UserConfigFile,
            Key = name,
            Reason = uri == name
                ? $"remote \"{name}\" has a library token in remote.yaml"
                : $"remote \"{name}\" ({endpoint.Uri}) serves {uri} and has a library token in remote.yaml",
        };
    }
}

using System.Net;
using System.Net.Http.Headers;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Keyservers;

namespace DotnetRemote.Core.Logins;

/// <param name="Uri">The keyserver URL, exactly as it is requested for the check.</param>
/// <param name="Username">Empty for a token (sent as <c>Bearer</c>), else HTTP Basic.</param>
/// <param name="Password">The password or token. A secret: never logged.</param>
/// <param name="Insecure">Skip TLS verification; forced on when the configured keyserver is insecure.</param>
internal sealed record LoginKeyserverOptions(string Uri, string Username, string Password, bool Insecure = false)
{
    public override string ToString() => $"LoginKeyserverOptions {{ Uri = {Uri}, Username = {Username}, Insecure = {Insecure} }}";
}

/// <param name="Uri">The keyserver URL the login was stored for.</param>
/// <param name="Insecure">Whether TLS verification is skipped for it (the configured keyserver's setting).</param>
/// <param name="ConfigFile">The remote.yaml that holds the credential.</param>
internal sealed record LoginKeyserverResult(string Uri, bool Insecure, string ConfigFile);

/// <summary>
/// <c>remote login https://keys…</c> / <c>keyserver login</c> (docs/compatibility.md#keyserver-login): the credential is checked with
/// <c>GET &lt;uri&gt;</c> (only a 200 counts) and stored in remote.yaml as the whole <c>Authorization</c> value.
/// </summary>
internal sealed class LoginKeyserver(RemoteContext context)
{
    public async Task<LoginKeyserverResult> ExecuteAsync(LoginKeyserverOptions options, CancellationToken cancellationToken = default)
    {
        var credential = await new KeyserverLoginCheck(context).VerifyAsync(options, new RemoteConfigStore(context).LoadMerged(), cancellationToken).ConfigureAwait(false);
        await new RemoteConfigStore(context).UpdateUserAsync(merged: true, config =>
        {
            KeyserverLoginCheck.Record(config, credential);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        context.Log.Info($"Token stored in {context.Paths.UserConfigFile}");
        return new LoginKeyserverResult(credential.Uri, credential.Insecure, context.Paths.UserConfigFile);
    }
}

/// <summary>
/// The steps of a keyserver login that <see cref="LoginKeyserver"/>, <see cref="PrepareLogin"/> and <c>apply</c>
/// share: the offline checks, the check against the server, and recording the credential in a loaded file.
/// </summary>
internal sealed class KeyserverLoginCheck(RemoteContext context)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Checks the credential against the keyserver, which must be an external keyserver of a remote in
    /// <paramref name="config"/>; returns the entry to store. Nothing is written.
    /// </summary>
    public async Task<CredentialConfig> VerifyAsync(LoginKeyserverOptions options, RemoteConfig config, CancellationToken cancellationToken = default)
    {
        var credential = PrepareCredential(options, config);
        await CheckAsync(credential.Uri, AuthenticationHeaderValue.Parse(credential.Auth), credential.Insecure, cancellationToken).ConfigureAwait(false);
        return credential;
    }

    /// <summary>
    /// The entry a login would store, after the offline checks: a keyserver scheme, an external keyserver of a remote
    /// in <paramref name="config"/> (whose insecure setting wins), a password. The server is not contacted.
    /// </summary>
    public CredentialConfig PrepareCredential(LoginKeyserverOptions options, RemoteConfig config)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(config);
        var configured = FindConfigured(options.Uri, config);
        if (configured.Insecure && !options.Insecure)
        {
            context.Log.Warning($"{options.Uri} is configured as insecure, forcing insecure flag for login");
        }

        if (options.Password.Length == 0)
        {
            throw new RemoteException(RemoteErrorCodes.PasswordRequired, "A password is required");
        }

        var authorization = options.Username.Length == 0
            ? new AuthenticationHeaderValue("Bearer", options.Password)
            : new AuthenticationHeaderValue("Basic", BasicCredentials.Encode(options.Username, options.Password));
        return new CredentialConfig { Uri = options.Uri, Auth = authorization.ToString(), Insecure = configured.Insecure };
    }

    /// <summary>
    /// The checks that need no secret: a keyserver URL in its http(s) form, naming an external keyserver of a remote in
    /// <paramref name="config"/>, which is returned. Logs nothing.
    /// </summary>
    public static KeyserverConfig FindConfigured(string uri, RemoteConfig config)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(config);
        var (scheme, _) = KeyserverUri.Normalize(uri);
        if (!uri.StartsWith(scheme + "://", StringComparison.OrdinalIgnoreCase))
        {
            // hkp/hkps name a keyserver but say nothing about how to reach its login check.
            throw new RemoteException(RemoteErrorCodes.TransportNotSupported, $"use the {scheme}:// form of {uri} to log in");
        }

        return config.Remotes.Values
            .SelectMany(r => r.Keyservers)
            .FirstOrDefault(k => k.External && KeyserverUri.IsSameKeyserver(k.Uri, uri))
            ?? throw new RemoteException(RemoteErrorCodes.KeyserverNotConfigured, $"no external keyserver configuration found for {uri}");
    }

    /// <summary>Replaces every earlier login to the same URI (Apptainer's de-duplication) with <paramref name="credential"/>.</summary>
    public static void Record(RemoteConfig config, CredentialConfig credential)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(credential);
        config.Credentials.RemoveAll(c => KeyserverUri.IsSameUri(c.Uri, credential.Uri));
        config.Credentials.Add(credential);
    }

    private async Task CheckAsync(string uri, AuthenticationHeaderValue authorization, bool insecure, CancellationToken cancellationToken)
    {
        using var client = RemoteHttp.CreateClient(context, insecure, Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = authorization;
        try
        {
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new RemoteException(RemoteErrorCodes.LoginFailed, $"error response from server {RemoteHttp.Authority(uri)}: {RemoteHttp.StatusLine(response)}");
            }
        }
        catch (Exception ex) when (RemoteHttp.IsTransportFailure(ex, cancellationToken))
        {
            throw new RemoteException(RemoteErrorCodes.Network, $"error making request to server: {RemoteHttp.Describe(ex, uri)}", ex);
        }
    }
}

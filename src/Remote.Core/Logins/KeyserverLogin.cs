using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Keyservers;

namespace DotnetRemote.Core.Logins;

/// <param name="Uri">The keyserver URL, exactly as it is requested for the check.</param>
/// <param name="Username">Empty for a token (sent as <c>Bearer</c>), else HTTP Basic.</param>
/// <param name="Password">The password or token. A secret: never logged.</param>
/// <param name="Insecure">Skip TLS verification; forced on when the configured keyserver is insecure.</param>
internal sealed record KeyserverLoginOptions(string Uri, string Username, string Password, bool Insecure = false);

/// <summary>
/// <c>remote login https://keys…</c> / <c>keyserver login</c> (docs/compatibility.md#keyserver-login): the credential is checked with
/// <c>GET &lt;uri&gt;</c> (only a 200 counts) and stored in remote.yaml as the whole <c>Authorization</c> value.
/// </summary>
internal sealed class KeyserverLogin(RemoteContext context)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task ExecuteAsync(KeyserverLoginOptions options, CancellationToken cancellationToken = default)
    {
        var credential = await VerifyAsync(options, new RemoteConfigStore(context).LoadMerged(), cancellationToken).ConfigureAwait(false);
        await new RemoteConfigStore(context).UpdateUserAsync(merged: true, config =>
        {
            Record(config, credential);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        context.Log.Info($"Token stored in {context.Paths.UserConfigFile}");
    }

    /// <summary>
    /// Checks the credential against the keyserver, which must be an external keyserver of a remote in
    /// <paramref name="config"/>; returns the entry to store. Nothing is written.
    /// </summary>
    public async Task<CredentialConfig> VerifyAsync(KeyserverLoginOptions options, RemoteConfig config, CancellationToken cancellationToken = default)
    {
        var credential = PrepareCredential(options, config);
        await CheckAsync(credential.Uri, AuthenticationHeaderValue.Parse(credential.Auth), credential.Insecure, cancellationToken).ConfigureAwait(false);
        return credential;
    }

    /// <summary>
    /// The entry a login would store, after the offline checks: a keyserver scheme, an external keyserver of a remote
    /// in <paramref name="config"/> (whose insecure setting wins), a password. The server is not contacted.
    /// </summary>
    public CredentialConfig PrepareCredential(KeyserverLoginOptions options, RemoteConfig config)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(config);
        var (scheme, _) = KeyserverUri.Normalize(options.Uri);
        if (!options.Uri.StartsWith(scheme + "://", StringComparison.OrdinalIgnoreCase))
        {
            // hkp/hkps name a keyserver but say nothing about how to reach its login check.
            throw new RemoteException(RemoteErrorCodes.TransportNotSupported, $"use the {scheme}:// form of {options.Uri} to log in");
        }

        var configured = config.Remotes.Values
            .SelectMany(r => r.Keyservers)
            .FirstOrDefault(k => k.External && KeyserverUri.IsSameKeyserver(k.Uri, options.Uri))
            ?? throw new RemoteException(RemoteErrorCodes.KeyserverNotConfigured, $"no external keyserver configuration found for {options.Uri}");
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
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}")));
        return new CredentialConfig { Uri = options.Uri, Auth = authorization.ToString(), Insecure = configured.Insecure };
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

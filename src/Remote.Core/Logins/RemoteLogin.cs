using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Endpoints;

namespace DotnetRemote.Core.Logins;

/// <summary>The remote a login is about, and what the host needs to prompt for a token.</summary>
/// <param name="TokenPageUrl">Where the user generates a token: <c>https://&lt;uri&gt;/auth/tokens</c>.</param>
internal sealed record RemoteLoginTarget(string Name, string TokenPageUrl, bool HasToken);

/// <summary>
/// <c>remote login [name]</c> for a library endpoint (docs/compatibility.md#remote-login): the token is verified before it replaces
/// the stored one, so a wrong token leaves the previous one in place.
/// </summary>
internal sealed class RemoteLogin(RemoteContext context)
{
    /// <summary>The named remote, or the default one; null when neither exists (the argument is then a URI).</summary>
    public RemoteLoginTarget? FindTarget(string? name)
    {
        var config = new RemoteConfigStore(context).LoadMerged();
        var key = string.IsNullOrEmpty(name) ? config.Active : name;
        if (key.Length == 0 || !config.Remotes.TryGetValue(key, out var endpoint))
        {
            return null;
        }

        return new RemoteLoginTarget(key, EndpointUri.BaseUrl(endpoint.Uri, endpoint.Insecure) + "/auth/tokens", endpoint.Token.Length > 0);
    }

    /// <summary>Verifies <paramref name="token"/> and stores it on the remote; the user file keeps everything else.</summary>
    public async Task ExecuteAsync(string name, string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Trim().Length == 0)
        {
            throw new RemoteException(RemoteErrorCodes.PasswordRequired, "a token is required");
        }

        var store = new RemoteConfigStore(context);
        var endpoint = store.LoadMerged().GetRemote(name);
        try
        {
            await new TokenVerifier(context).VerifyAsync(endpoint, token.Trim(), cancellationToken).ConfigureAwait(false);
        }
        catch (RemoteException ex)
        {
            throw new RemoteException(ex.Code, $"while verifying token: {ex.Message}", ex);
        }

        context.Log.Info("Access Token Verified!");
        await store.UpdateUserAsync(merged: true, config =>
        {
            config.GetRemote(name).Token = token.Trim();
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        context.Log.Info($"Token stored in {context.Paths.UserConfigFile}");
    }
}

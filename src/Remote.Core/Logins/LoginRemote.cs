using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Endpoints;

namespace DotnetRemote.Core.Logins;

/// <summary>The remote a login is about, and what the host needs to prompt for a token.</summary>
/// <param name="TokenPageUrl">Where the user generates a token: <c>https://&lt;uri&gt;/auth/tokens</c>.</param>
internal sealed record RemoteLoginTarget(string Name, string TokenPageUrl, bool HasToken);

/// <param name="Name">The remote to log in to.</param>
/// <param name="Token">The library token. A secret: never printed.</param>
internal sealed record LoginRemoteOptions(string Name, string Token)
{
    public override string ToString() => $"LoginRemoteOptions {{ Name = {Name} }}";
}

/// <param name="ConfigFile">The remote.yaml the verified token was stored in.</param>
internal sealed record LoginRemoteResult(string Name, string ConfigFile);

/// <summary>
/// <c>remote login [name]</c> for a library endpoint (docs/compatibility.md#remote-login): the token is verified before it replaces
/// the stored one, so a wrong token leaves the previous one in place.
/// </summary>
internal sealed class LoginRemote(RemoteContext context)
{
    /// <summary>Verifies the token and stores it on the remote; the user file keeps everything else.</summary>
    public async Task<LoginRemoteResult> ExecuteAsync(LoginRemoteOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (name, token) = (options.Name, options.Token);
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
        return new LoginRemoteResult(name, context.Paths.UserConfigFile);
    }
}

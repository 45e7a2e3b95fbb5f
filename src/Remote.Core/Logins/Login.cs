using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Logins;

/// <param name="Target">What <see cref="PrepareLogin"/> classified.</param>
/// <param name="Username">Keyservers: empty for a token (Bearer), else Basic; registries: required; remotes: unused.</param>
/// <param name="Password">The password or token. A secret: never printed.</param>
/// <param name="Insecure">Keyservers and registries: skip TLS verification (registries: also try http).</param>
/// <param name="TrustedRealms">Registries: token realm hosts trusted with the credentials; null for none.</param>
internal sealed record LoginOptions(LoginTarget Target, string Username, string Password, bool Insecure = false, IReadOnlyList<string>? TrustedRealms = null)
{
    public override string ToString() => $"LoginOptions {{ Target = {Target.Value}, Kind = {Target.Kind}, Username = {Username}, Insecure = {Insecure} }}";
}

/// <summary>What the login did: exactly one of the three results is set, the one of <see cref="Kind"/>.</summary>
internal sealed record LoginResult(LoginKind Kind, LoginRemoteResult? Remote = null, LoginKeyserverResult? Keyserver = null, LoginRegistryResult? Registry = null);

/// <summary>
/// <c>login [NAME|URI]</c> for every host: a library remote (<see cref="LoginRemote"/>), a keyserver
/// (<see cref="LoginKeyserver"/>) or an OCI registry (<see cref="LoginRegistry"/>), with one wording of errors.
/// A registry's errors read <c>while login to &lt;uri&gt;: …</c> as Apptainer's; a remote's and a keyserver's are
/// the operation's own (docs/compatibility.md#registry-login). Hosts run <see cref="PrepareLogin"/> first, then ask
/// for the secret, then this.
/// </summary>
internal sealed class Login(RemoteContext context)
{
    public async Task<LoginResult> ExecuteAsync(LoginOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var target = options.Target;
        switch (target.Kind)
        {
            case LoginKind.Remote:
                var remote = await new LoginRemote(context).ExecuteAsync(new LoginRemoteOptions(target.Value, options.Password), cancellationToken).ConfigureAwait(false);
                return new LoginResult(LoginKind.Remote, Remote: remote);
            case LoginKind.Keyserver:
                var keyserver = await new LoginKeyserver(context).ExecuteAsync(new LoginKeyserverOptions(target.Value, options.Username, options.Password, options.Insecure), cancellationToken).ConfigureAwait(false);
                return new LoginResult(LoginKind.Keyserver, Keyserver: keyserver);
            default:
                try
                {
                    var registry = await new LoginRegistry(context).ExecuteAsync(new LoginRegistryOptions(target.Value, options.Username, options.Password, options.Insecure, options.TrustedRealms), cancellationToken).ConfigureAwait(false);
                    return new LoginResult(LoginKind.Registry, Registry: registry);
                }
                catch (RemoteException ex)
                {
                    throw InRegistryLogin(target.Value, ex);
                }
        }
    }

    /// <summary>A registry login's error as Apptainer words it: <c>while login to &lt;uri&gt;: …</c>, same code.</summary>
    internal static RemoteException InRegistryLogin(string uri, RemoteException error) =>
        new(error.Code, $"while login to {uri}: {error.Message}", error);
}

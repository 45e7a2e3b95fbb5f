using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Logins;

/// <param name="Target">The host's argument: a remote's name (none: the default remote), a keyserver URL or a registry URI.</param>
/// <param name="Username">The user name, when the host has one without asking (an option, a variable); else empty.</param>
/// <param name="TokenFile">The token will come from a file (<c>--tokenfile</c>), which only a library remote takes.</param>
/// <param name="Kind">Set when the command already names the kind (<c>registry login</c>): the argument must be one.</param>
internal sealed record PrepareLoginOptions(string? Target, string Username = "", bool TokenFile = false, LoginKind? Kind = null);

/// <param name="Target">What the login is about, for <see cref="Login"/> and for the host's prompt.</param>
internal sealed record PrepareLoginResult(LoginTarget Target);

/// <summary>
/// The step of a login before any secret is asked for: classifies the argument and checks everything that needs no
/// secret, so a host prompts only for a login that can happen. A remote must exist (or a default one); a token file
/// is for remotes only; a keyserver URL must be in its http(s) form and be an administrator's (external) keyserver;
/// a registry needs a <c>docker://</c> or <c>oras://</c> URI and a user name (docs/compatibility.md#registry-login).
/// Reads the configuration, writes nothing, contacts no server, logs nothing of its own. The errors are the ones
/// <see cref="Login"/> would give.
/// </summary>
internal sealed class PrepareLogin(RemoteContext context)
{
    public Task<PrepareLoginResult> ExecuteAsync(PrepareLoginOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        if (options.Kind == LoginKind.Registry)
        {
            return Task.FromResult(new PrepareLoginResult(CheckRegistry(LoginTarget.Registry(options.Target ?? ""), options.Username)));
        }

        // One read of the configuration serves the classification and the keyserver check.
        var config = new RemoteConfigStore(context).LoadMerged();
        var target = LoginTarget.Classify(config, options.Target);
        if (target.Kind == LoginKind.Remote)
        {
            return Task.FromResult(new PrepareLoginResult(target));
        }

        if (options.TokenFile)
        {
            throw new RemoteException(RemoteErrorCodes.InvalidArgument, "--tokenfile is only supported for login to a remote endpoint, not OCI (docker/oras) or keyservers");
        }

        if (target.Kind == LoginKind.Keyserver)
        {
            KeyserverLoginCheck.FindConfigured(target.Value, config);
            return Task.FromResult(new PrepareLoginResult(target));
        }

        return Task.FromResult(new PrepareLoginResult(CheckRegistry(target, options.Username)));
    }

    private static LoginTarget CheckRegistry(LoginTarget target, string username) =>
        username.Length == 0
            ? throw Login.InRegistryLogin(target.Value, new RemoteException(RemoteErrorCodes.InvalidArgument, LoginRegistry.UsernameRequired))
            : target;
}

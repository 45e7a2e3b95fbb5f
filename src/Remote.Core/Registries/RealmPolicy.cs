using System.Net;
using System.Net.Sockets;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Registries;

/// <summary>Why a token realm may receive the user's credentials.</summary>
internal enum RealmTrust
{
    /// <summary>The realm is on the registry's own host (any port).</summary>
    SameHost,

    /// <summary>Realm and registry share a registrable domain per the Public Suffix List (<c>auth.docker.io</c>, <c>registry-1.docker.io</c>).</summary>
    SameRegistrableDomain,

    /// <summary>Registry and realm both resolve to loopback addresses only: the credentials never leave the machine.</summary>
    BothLoopback,

    /// <summary>The user trusts the realm host: <c>--trust-realm</c>, <c>DOTNET_REMOTE_TRUSTED_REALMS</c> or <c>trustRealms:</c>.</summary>
    Trusted,
}

/// <summary>
/// The one rule deciding whether a registry's Bearer token realm may receive the user's credentials (README, "Registry
/// logins: where credentials go"). A realm is trusted when (1) it is the registry's own host, (2) it shares the
/// registry's registrable domain according to the Public Suffix List, (3) registry and realm both resolve to loopback
/// only, or (4) the user named its host (<c>--trust-realm HOST</c>, <c>DOTNET_REMOTE_TRUSTED_REALMS=h1,h2</c>,
/// <c>trustRealms:</c> on a manifest login). It must use https unless the login is insecure or both ends are loopback.
/// A refusal names the realm host and how to trust it. The PSL is read only when rule (2) must be judged.
/// </summary>
internal sealed class RealmPolicy
{
    /// <summary>Comma-separated realm hosts the user trusts for every login.</summary>
    public const string TrustedRealmsVariable = "DOTNET_REMOTE_TRUSTED_REALMS";

    private readonly HashSet<string> _trusted;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;
    private readonly Func<PublicSuffixList> _suffixes;

    /// <param name="trustedHosts">Realm hosts (<c>host</c>, <c>host:port</c> or a URL) the user trusts.</param>
    /// <param name="resolve">Name resolution, for the loopback rule.</param>
    /// <param name="suffixes">The Public Suffix List; the embedded snapshot by default, loaded on first need.</param>
    public RealmPolicy(IEnumerable<string> trustedHosts, Func<string, CancellationToken, Task<IPAddress[]>> resolve, Func<PublicSuffixList>? suffixes = null)
    {
        ArgumentNullException.ThrowIfNull(trustedHosts);
        _resolve = resolve ?? throw new ArgumentNullException(nameof(resolve));
        _suffixes = suffixes ?? (() => PublicSuffixList.Default);
        _trusted = trustedHosts.Select(NormalizeTrustedHost).Where(h => h.Length > 0).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The policy of a login: the hosts it trusts explicitly plus <see cref="TrustedRealmsVariable"/>.</summary>
    public static RealmPolicy For(RemoteContext context, IEnumerable<string>? trustedRealms)
    {
        ArgumentNullException.ThrowIfNull(context);
        var fromEnvironment = (context.Environment(TrustedRealmsVariable) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new RealmPolicy((trustedRealms ?? []).Concat(fromEnvironment), context.ResolveOnceAsync);
    }

    /// <summary>
    /// Decides whether <paramref name="realm"/> may receive the credentials for the registry at
    /// <paramref name="registryHost"/> (<c>host[:port]</c>); throws a <see cref="RemoteErrorCodes.LoginFailed"/> error naming
    /// the realm host and how to trust it when not.
    /// </summary>
    public async Task<RealmTrust> RequireTrustedAsync(string registryHost, Uri realm, bool insecure, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registryHost);
        ArgumentNullException.ThrowIfNull(realm);
        var registry = BareHost(RegistryReference.SplitHostPort(registryHost).Host);
        var realmHost = BareHost(realm.IdnHost);
        var target = $"{realm.Scheme}://{realm.Authority}";

        RealmTrust? trust = null;
        bool? bothLoopback = null;
        if (realmHost == registry)
        {
            trust = RealmTrust.SameHost;
        }
        else if (_trusted.Contains(realmHost))
        {
            trust = RealmTrust.Trusted;
        }
        else if (!IPAddress.TryParse(realmHost, out _) && !IPAddress.TryParse(registry, out _)
            && _suffixes().RegistrableDomain(registry) is { } domain && _suffixes().RegistrableDomain(realmHost) == domain)
        {
            trust = RealmTrust.SameRegistrableDomain;
        }
        else if ((bothLoopback = await BothLoopbackAsync(registry, realmHost, cancellationToken)) == true)
        {
            trust = RealmTrust.BothLoopback;
        }

        if (trust is not { } granted)
        {
            throw new RemoteException(
                RemoteErrorCodes.LoginFailed,
                $"refusing to send credentials to the token service {target}: {realmHost} is not the registry's host, not in its registrable domain and not a loopback address like the registry; if you trust {realmHost}, pass --trust-realm {realmHost} (or set {TrustedRealmsVariable}={realmHost}, or add trustRealms: [{realmHost}] to the manifest login)");
        }

        if (realm.Scheme != Uri.UriSchemeHttps)
        {
            var plainAllowed = realm.Scheme == Uri.UriSchemeHttp
                && (insecure || (bothLoopback ??= await BothLoopbackAsync(registry, realmHost, cancellationToken)));
            if (!plainAllowed)
            {
                throw new RemoteException(
                    RemoteErrorCodes.LoginFailed,
                    $"refusing to send credentials to the token service {target}: it does not use https (only an insecure login, -i, or a registry and realm both on loopback may use http)");
            }
        }

        return granted;
    }

    /// <summary>
    /// True when any address of <paramref name="host"/> is loopback (127.0.0.0/8, ::1) or it is <c>localhost</c>:
    /// docker's rule for a registry that may use http without being marked insecure.
    /// </summary>
    public static Task<bool> AnyLoopbackAsync(string host, Func<string, CancellationToken, Task<IPAddress[]>> resolve, CancellationToken cancellationToken = default) =>
        LoopbackAsync(host, resolve, requireAll: false, cancellationToken);

    private async Task<bool> BothLoopbackAsync(string registry, string realm, CancellationToken cancellationToken) =>
        await LoopbackAsync(registry, _resolve, requireAll: true, cancellationToken) && await LoopbackAsync(realm, _resolve, requireAll: true, cancellationToken);

    // The realm rule asks that every address be loopback (the password must stay on this machine whichever address
    // is used); the http rule, like docker's, that any is.
    private static async Task<bool> LoopbackAsync(string host, Func<string, CancellationToken, Task<IPAddress[]>> resolve, bool requireAll, CancellationToken cancellationToken)
    {
        var bare = BareHost(host);
        if (IPAddress.TryParse(bare, out var literal))
        {
            return IPAddress.IsLoopback(literal);
        }

        if (bare == "localhost")
        {
            return true;
        }

        IPAddress[] addresses;
        try
        {
            addresses = await resolve(bare, cancellationToken);
        }
        catch (Exception ex) when (ex is SocketException or ArgumentException or IOException)
        {
            return false;
        }

        return addresses.Length > 0 && (requireAll ? addresses.All(IPAddress.IsLoopback) : addresses.Any(IPAddress.IsLoopback));
    }

    private static string BareHost(string host) => host.Trim().Trim('[', ']').TrimEnd('.').ToLowerInvariant();

    /// <summary><c>auth.example.com</c>, <c>auth.example.com:5001</c> or <c>https://auth.example.com/token</c> → <c>auth.example.com</c>.</summary>
    private static string NormalizeTrustedHost(string entry)
    {
        var text = entry.Trim();
        if (text.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            return BareHost(uri.IdnHost);
        }

        return BareHost(RegistryReference.SplitHostPort(text.Split('/')[0]).Host);
    }
}

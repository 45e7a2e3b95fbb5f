using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Credentials;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Logins;

/// <summary>What <c>registry login</c> needs. <see cref="Password"/> is a secret and never printed.</summary>
/// <param name="Uri"><c>docker://host[:port][/namespace]</c> or <c>oras://…</c>.</param>
/// <param name="Insecure">Try http and accept any certificate (always so for hosts that resolve to loopback).</param>
/// <param name="TrustedRealms">Token realm hosts the user trusts for this login (<c>--trust-realm</c>), see <see cref="RealmPolicy"/>; null for none.</param>
internal sealed record LoginRegistryOptions(string Uri, string Username, string Password, bool Insecure = false, IReadOnlyList<string>? TrustedRealms = null)
{
    public override string ToString() => $"LoginRegistryOptions {{ Uri = {Uri}, Username = {Username}, Insecure = {Insecure}, TrustedRealms = [{string.Join(", ", TrustedRealms ?? [])}] }}";
}

/// <summary>The outcome of a login.</summary>
/// <param name="Uri">The canonical login URI recorded in remote.yaml.</param>
/// <param name="Key">The docker-config key the secret is stored under.</param>
/// <param name="File">The docker-config file (the auth file) that records the login.</param>
/// <param name="Helper">The credential helper holding the secret, or null when it is in <paramref name="File"/>.</param>
/// <param name="RemoteConfigFile">The remote.yaml updated, or null with an auth file (Apptainer leaves it alone then).</param>
internal sealed record LoginRegistryResult(string Uri, string Key, string File, string? Helper, RegistryVerification Verification, string? RemoteConfigFile);

/// <summary>
/// <c>registry login</c> (docs/compatibility.md#registry-login, with the fixes of #fixes-registries): verify the credentials for real, store the secret in
/// the primary docker-config file or its helper (never in Docker's own file), and record <c>{URI, Insecure}</c> in
/// remote.yaml. A login replaces earlier entries for the same transport and docker-config key.
/// </summary>
internal sealed class LoginRegistry(RemoteContext context)
{
    private readonly RemoteContext _context = context ?? throw new ArgumentNullException(nameof(context));

    public async Task<LoginRegistryResult> ExecuteAsync(LoginRegistryOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var reference = RegistryReference.ParseRegistry(options.Uri);
        if (string.IsNullOrEmpty(options.Username))
        {
            throw new RemoteException(RemoteErrorCodes.InvalidArgument, UsernameRequired);
        }

        if (string.IsNullOrEmpty(options.Password))
        {
            throw new RemoteException(RemoteErrorCodes.PasswordRequired, "A password is required");
        }

        var verification = await new RegistryLoginVerifier(_context, trustedRealms: options.TrustedRealms).VerifyAsync(reference, options.Username, options.Password, options.Insecure, cancellationToken);
        if (!verification.CredentialsVerified)
        {
            _context.Log.Warning($"{reference.ApiHost} answers anonymous requests, so it cannot tell whether these credentials are right");
        }

        var file = _context.Paths.DockerConfigFile;

        // As docker: a refresh token from the token service replaces the password as an identity token.
        var helper = verification.IdentityToken is { } identityToken
            ? await new DockerCredentialStore(_context, file).StoreAsync(reference, StoredUsername(options.Username), identityToken, isIdentityToken: true, cancellationToken)
            : await new DockerCredentialStore(_context, file).StoreAsync(reference, options.Username, options.Password, cancellationToken);
        var what = verification.IdentityToken is null ? "Password" : "Identity token";
        _context.Log.Info(helper is null ? $"{what} stored in {file}" : $"{what} stored in credential helper docker-credential-{helper} (recorded in {file})");
        if (verification.IdentityToken is not null && options.Username != RegistryLoginVerifier.IdentityTokenUsername)
        {
            _context.Log.Info($"{reference.ApiHost}'s token service issued an identity token: it is stored instead of the password");
        }

        if (reference.ConfigKey != reference.RegistryKey)
        {
            _context.Log.Info(NamespaceLoginNotice(reference));
        }

        string? remoteConfig = null;
        if (RegistryLogins.UpdatesRemoteConfig(_context.Paths))
        {
            await new RemoteConfigStore(_context).UpdateUserAsync(merged: true, config =>
            {
                config.Credentials.RemoveAll(entry => RegistryLogins.IsSameLogin(entry.Uri, reference));
                config.Credentials.Add(new CredentialConfig { Uri = reference.Uri, Insecure = options.Insecure });
                return true;
            }, cancellationToken);
            remoteConfig = _context.Paths.UserConfigFile;

            // Apptainer's list of logins: no secret goes there (the line above says where the password is).
            _context.Log.Info($"Login recorded in {remoteConfig}");
        }

        return new LoginRegistryResult(reference.Uri, reference.ConfigKey, file, helper, verification, remoteConfig);
    }

    /// <summary>Apptainer's words for a registry login without a user name.</summary>
    internal const string UsernameRequired = "Docker/OCI registry requires a username";

    /// <summary>The user name kept beside an identity token: none for a login made with the token itself (<c>-u "&lt;token&gt;"</c>).</summary>
    internal static string StoredUsername(string username) => username == RegistryLoginVerifier.IdentityTokenUsername ? "" : username;

    /// <summary>What a namespace login means for clients of the credential helper (docker-credential-helpers asks by host).</summary>
    internal static string NamespaceLoginNotice(RegistryReference reference) =>
        $"{reference.Uri} is a namespace login: clients that ask through a credential helper (docker, podman, skopeo, the .NET SDK) ask by host only and do not see it; give them this file as their auth file, or log in to {reference.Transport}://{reference.Registry}";
}

using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Manifests;

/// <summary>
/// Builds one manifest from declarations made elsewhere (MSBuild items, Cake calls) plus manifest files, so everything
/// a build declares is applied in one all-or-nothing step. Secrets are given as environment variable <em>names</em>:
/// only this class reads their values, so no build log or binlog ever holds one.
/// </summary>
internal sealed class ManifestBuilder(Func<string, string?> environment, string source)
{
    private readonly List<ManifestRemote> _remotes = [];
    private readonly List<(string Remote, ManifestKeyserver Keyserver)> _keyservers = [];
    private readonly List<ManifestLogin> _logins = [];
    private readonly List<string> _secrets = [];

    public ManifestBuilder AddRemote(string name, string uri, string? tokenVariable, bool insecure, bool use, string origin)
    {
        var token = string.IsNullOrEmpty(tokenVariable) ? null : Secret(tokenVariable, origin);
        _remotes.Add(new ManifestRemote(name, uri, token, insecure, use, [], origin));
        return this;
    }

    public ManifestBuilder AddKeyserver(string uri, string remote, int? order, bool insecure, string origin)
    {
        if (string.IsNullOrEmpty(remote))
        {
            throw new RemoteException(RemoteErrorCodes.ManifestInvalid, $"{origin}: a keyserver needs the name of its remote");
        }

        _keyservers.Add((remote, new ManifestKeyserver(uri, order, insecure, origin)));
        return this;
    }

    /// <param name="username">A literal username, or null to read <paramref name="usernameVariable"/>.</param>
    public ManifestBuilder AddLogin(string uri, string? username, string? usernameVariable, string? passwordVariable, bool insecure, string origin) =>
        AddLogin(uri, username, usernameVariable, passwordVariable, insecure, [], origin);

    /// <param name="trustRealms">Token realm hosts trusted for this login (<c>trustRealms:</c>, see Registries.RealmPolicy).</param>
    public ManifestBuilder AddLogin(string uri, string? username, string? usernameVariable, string? passwordVariable, bool insecure, IReadOnlyList<string> trustRealms, string origin)
    {
        // A value read from the environment is masked wherever it is printed, the user name too.
        var user = !string.IsNullOrEmpty(username) ? username : string.IsNullOrEmpty(usernameVariable) ? "" : Secret(usernameVariable, origin);
        if (string.IsNullOrEmpty(passwordVariable))
        {
            throw new RemoteException(RemoteErrorCodes.ManifestInvalid, $"{origin}: PasswordEnvironmentVariable is required");
        }

        _logins.Add(new ManifestLogin(uri, user, Secret(passwordVariable, origin), insecure, origin) { TrustRealms = trustRealms });
        return this;
    }

    /// <summary>Adds everything a manifest file declares.</summary>
    public ManifestBuilder Include(Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        _remotes.AddRange(manifest.Remotes);
        _logins.AddRange(manifest.Logins);
        _secrets.AddRange(manifest.Secrets);
        return this;
    }

    public Manifest Build()
    {
        var remotes = _remotes.Select(remote =>
        {
            var extra = _keyservers.Where(k => k.Remote == remote.Name).Select(k => k.Keyserver).ToList();
            return extra.Count == 0 ? remote : remote with { Keyservers = [.. remote.Keyservers, .. extra] };
        }).ToList();
        var orphan = _keyservers.FirstOrDefault(k => remotes.All(r => r.Name != k.Remote));
        if (orphan.Keyserver is not null)
        {
            throw new RemoteException(RemoteErrorCodes.ManifestInvalid, $"{orphan.Keyserver.Origin}: remote {orphan.Remote} is not declared");
        }

        return new Manifest(source, remotes, _logins) { Secrets = _secrets };
    }

    private string Secret(string variable, string origin)
    {
        var value = Value(variable, origin);
        _secrets.Add(value);
        return value;
    }

    private string Value(string variable, string origin) =>
        environment(variable) is { Length: > 0 } value
            ? value
            : throw new RemoteException(RemoteErrorCodes.ManifestVariableMissing, $"{origin}: environment variable {variable} is not set");
}

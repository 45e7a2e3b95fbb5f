namespace DotnetRemote.Core.Manifests;

/// <summary>
/// What a pipeline declares: remotes (with their keyservers) and logins. Values are already resolved; every
/// entry remembers where it was declared (<c>file:line</c>, or an MSBuild item) so errors point there.
/// </summary>
internal sealed record Manifest(string Source, IReadOnlyList<ManifestRemote> Remotes, IReadOnlyList<ManifestLogin> Logins)
{
    /// <summary>Every secret value resolved from the manifest, for CI log masking. Never print these.</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];
}

/// <param name="Token">The library token; null to leave any stored token alone.</param>
/// <param name="Use">Make it the active remote.</param>
internal sealed record ManifestRemote(string Name, string Uri, string? Token, bool Insecure, bool Use, IReadOnlyList<ManifestKeyserver> Keyservers, string Origin)
{
    /// <summary>System scope only: the one remote every user must use (<c>use --global --exclusive</c>).</summary>
    public bool Exclusive { get; init; }

    /// <summary><c>remove: true</c>: the remote must not exist (the only way to remove the built-in <c>DefaultRemote</c>).</summary>
    public bool Remove { get; init; }

    public override string ToString() => $"ManifestRemote {{ Name = {Name}, Uri = {Uri}, Insecure = {Insecure}, Use = {Use} }}";
}

/// <param name="Order">1-based position; entries without one follow in file order.</param>
internal sealed record ManifestKeyserver(string Uri, int? Order, bool Insecure, string Origin)
{
    /// <summary>System scope only: the endpoint's own keyserver, hidden as <c>remove-keyserver</c> hides it.</summary>
    public bool Skip { get; init; }
}

/// <param name="Uri"><c>docker://</c>, <c>oras://</c> or a keyserver's http(s) URL.</param>
internal sealed record ManifestLogin(string Uri, string Username, string Password, bool Insecure, string Origin)
{
    /// <summary>Token realm hosts trusted for this login (<c>trustRealms:</c>), see <see cref="Registries.RealmPolicy"/>.</summary>
    public IReadOnlyList<string> TrustRealms { get; init; } = [];

    public override string ToString() => $"ManifestLogin {{ Uri = {Uri}, Username = {Username}, Insecure = {Insecure}, TrustRealms = [{string.Join(", ", TrustRealms)}] }}";
}

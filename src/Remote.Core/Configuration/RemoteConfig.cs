using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Configuration;

/// <summary>
/// The content of a remote.yaml file. Only Apptainer's keys exist here: Apptainer rejects unknown keys,
/// so anything else this product needs lives in a side file.
/// </summary>
internal sealed class RemoteConfig
{
    /// <summary>The remote Apptainer's own default file declares (docs/compatibility.md#system-default).</summary>
    public const string DefaultRemoteName = "DefaultRemote";

    /// <summary>The URI of <see cref="DefaultRemoteName"/>.</summary>
    public const string DefaultCloudUri = "cloud.apptainer.org";

    /// <summary>Name of the default remote (key <c>Active</c>); empty when none.</summary>
    public string Active { get; set; } = "";

    /// <summary>Remotes by name. Compared ordinally: Apptainer's names are case-sensitive.</summary>
    public Dictionary<string, EndpointConfig> Remotes { get; } = new(StringComparer.Ordinal);

    /// <summary>Keyserver and OCI registry logins, in file order.</summary>
    public List<CredentialConfig> Credentials { get; } = [];

    public RemoteConfig Clone()
    {
        var copy = new RemoteConfig { Active = Active };
        foreach (var (name, endpoint) in Remotes)
        {
            copy.Remotes[name] = endpoint.Clone();
        }

        copy.Credentials.AddRange(Credentials.Select(c => c with { }));
        return copy;
    }

    /// <summary>The endpoint named <paramref name="name"/>, or the seed's "is not a remote" error.</summary>
    public EndpointConfig GetRemote(string name) =>
        Remotes.TryGetValue(name, out var endpoint)
            ? endpoint
            : throw new RemoteException(RemoteErrorCodes.RemoteNotFound, $"{name} is not a remote");

    /// <summary>The default remote's name and endpoint, or the seed's errors when there is none.</summary>
    public (string Name, EndpointConfig Endpoint) GetDefaultRemote()
    {
        if (Active.Length == 0)
        {
            throw NoDefaultRemote();
        }

        return (Active, GetRemote(Active));
    }

    /// <summary>The seed's error for a command that needs the default remote when none is set, naming the remotes there are.</summary>
    public RemoteException NoDefaultRemote() =>
        new(RemoteErrorCodes.NoDefaultRemote, $"no default endpoint set: use 'dotnet remote use <endpoint>', available endpoints are: {string.Join(", ", Remotes.Keys.Order(NaturalOrderComparer.Instance))}");
}

/// <summary>One remote endpoint (a value of <c>Remotes</c>).</summary>
internal sealed class EndpointConfig
{
    /// <summary>Host[:port][/path] without scheme, as Apptainer stores it (key <c>URI</c>).</summary>
    public string Uri { get; set; } = "";

    /// <summary>The library access token (key <c>Token</c>). A secret: never print it.</summary>
    public string Token { get; set; } = "";

    /// <summary>True for remotes from the system file (key <c>System</c>).</summary>
    public bool System { get; set; }

    public bool Exclusive { get; set; }

    /// <summary>Use http instead of https for this endpoint's services.</summary>
    public bool Insecure { get; set; }

    public List<KeyserverConfig> Keyservers { get; } = [];

    public EndpointConfig Clone()
    {
        var copy = new EndpointConfig { Uri = Uri, Token = Token, System = System, Exclusive = Exclusive, Insecure = Insecure };
        copy.Keyservers.AddRange(Keyservers.Select(k => k with { }));
        return copy;
    }
}

/// <summary>One keyserver of an endpoint (an item of <c>Keyservers</c>).</summary>
internal sealed record KeyserverConfig
{
    public string Uri { get; set; } = "";

    /// <summary>The endpoint's own keyserver, "removed" but kept so discovery does not bring it back.</summary>
    public bool Skip { get; set; }

    /// <summary>Added with add-keyserver (true) or the endpoint's own, discovered keyserver (false).</summary>
    public bool External { get; set; }

    /// <summary>Skip TLS certificate verification (it does not mean http).</summary>
    public bool Insecure { get; set; }
}

/// <summary>One login (an item of <c>Credentials</c>).</summary>
internal sealed record CredentialConfig
{
    /// <summary><c>docker://host[:port]</c>, <c>oras://…</c> or a keyserver's http(s) URL.</summary>
    public string Uri { get; set; } = "";

    /// <summary>Keyservers only: the whole <c>Authorization</c> header value. A secret: never print it.</summary>
    public string Auth { get; set; } = "";

    public bool Insecure { get; set; }
}

using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Context;

/// <summary>What every operation needs from its host: paths, identity, logging and the network.</summary>
internal sealed class RemoteContext
{
    public RemoteContext(RemotePaths paths, IRemoteLog? log = null, HttpMessageHandler? httpHandler = null, bool? isRoot = null, TimeProvider? time = null, Func<string, string?>? environment = null)
    {
        Paths = paths ?? throw new ArgumentNullException(nameof(paths));
        Log = log ?? NullRemoteLog.Instance;
        HttpHandler = httpHandler;
        IsRoot = isRoot ?? global::System.Environment.IsPrivilegedProcess;
        Time = time ?? TimeProvider.System;
        Environment = environment ?? global::System.Environment.GetEnvironmentVariable;
    }

    public RemotePaths Paths { get; }

    public IRemoteLog Log { get; }

    /// <summary>The HTTP stack; null means the default <see cref="SocketsHttpHandler"/>. Tests inject fakes here.</summary>
    public HttpMessageHandler? HttpHandler { get; }

    /// <summary>Whether the caller may edit the system file (Apptainer requires real uid 0).</summary>
    public bool IsRoot { get; }

    public TimeProvider Time { get; }

    /// <summary>Reads an environment variable (credential overrides such as <c>DOCKER_USERNAME</c>); injectable for tests.</summary>
    public Func<string, string?> Environment { get; }

    /// <summary>
    /// Resolves a host name to its addresses (the loopback rules of registry logins); tests inject a fake. A name that
    /// does not resolve throws, as <see cref="System.Net.Dns.GetHostAddressesAsync(string, CancellationToken)"/> does.
    /// </summary>
    public Func<string, CancellationToken, Task<System.Net.IPAddress[]>> ResolveHost { get; init; } = System.Net.Dns.GetHostAddressesAsync;

    private readonly HashSet<string> _warnings = new(StringComparer.Ordinal);

    /// <summary>True the first time <paramref name="key"/> is asked for: a warning about a file is printed once per command.</summary>
    internal bool WarnOnce(string key)
    {
        lock (_warnings)
        {
            return _warnings.Add(key);
        }
    }

    /// <summary>Throws the seed's "not root" error unless the caller is root.</summary>
    internal void RequireRoot(string what)
    {
        if (!IsRoot)
        {
            throw new RemoteException(RemoteErrorCodes.NotRoot, $"{what}: not root user");
        }
    }
}

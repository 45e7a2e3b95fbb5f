using System.Collections.Concurrent;
using System.Net;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Context;

/// <summary>
/// What every operation needs from its host: paths, identity, logging and the network. A host makes one per command
/// (the tool) or per task execution (MSBuild) and disposes it at the end: it is the unit of work, so the command reads
/// its config files once (<c>Configuration/ConfigSnapshot</c>) and talks to every server through one HTTP handler.
/// </summary>
internal sealed class RemoteContext : IDisposable
{
    public RemoteContext(RemotePaths paths, IRemoteLog? log = null, HttpMessageHandler? httpHandler = null, bool? isRoot = null, TimeProvider? time = null, Func<string, string?>? environment = null)
    {
        Paths = paths ?? throw new ArgumentNullException(nameof(paths));
        Log = log ?? NullRemoteLog.Instance;
        HttpHandler = httpHandler;
        IsRoot = isRoot ?? global::System.Environment.IsPrivilegedProcess;
        Time = time ?? TimeProvider.System;
        Environment = environment ?? global::System.Environment.GetEnvironmentVariable;
        _verifyingHandler = new(() => RemoteHttp.CreateHandler(insecureSkipVerify: false, ResolveOnceAsync));
        _insecureHandler = new(() => RemoteHttp.CreateHandler(insecureSkipVerify: true, ResolveOnceAsync));
    }

    public RemotePaths Paths { get; }

    public IRemoteLog Log { get; }

    /// <summary>The HTTP stack; null means the default <see cref="SocketsHttpHandler"/>. Tests inject fakes here.</summary>
    public HttpMessageHandler? HttpHandler { get; }

    private readonly Lazy<SocketsHttpHandler> _verifyingHandler;
    private readonly Lazy<SocketsHttpHandler> _insecureHandler;
    private readonly Dictionary<string, Task<IPAddress[]>> _addresses = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<Type, object> _shared = new();
    private bool _disposed;

    /// <summary>
    /// The handler every request of this context goes through: the injected one, else one <see cref="SocketsHttpHandler"/>
    /// per certificate setting, made on first use, so requests to one host share a connection (one TLS handshake).
    /// The context owns it; callers must not dispose it.
    /// </summary>
    internal HttpMessageHandler SharedHttpHandler(bool insecureSkipVerify)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return HttpHandler ?? _parent?.SharedHttpHandler(insecureSkipVerify) ?? (insecureSkipVerify ? _insecureHandler : _verifyingHandler).Value;
    }

    /// <summary>The context of another set of files (exec's scope) within this command: same log, identity, clock and HTTP handlers; its own config snapshot.</summary>
    internal RemoteContext WithPaths(RemotePaths paths) =>
        new(paths, Log, HttpHandler, IsRoot, Time, Environment) { _parent = this };

    /// <summary>Whose HTTP handlers a <see cref="WithPaths"/> context borrows (and does not dispose).</summary>
    private RemoteContext? _parent;

    /// <summary>
    /// One <typeparamref name="T"/> per context, made on first use: how a higher layer keeps per-command state (the
    /// config snapshot) on the context without this layer knowing its type.
    /// </summary>
    internal T Shared<T>()
        where T : class, new() => (T)_shared.GetOrAdd(typeof(T), static _ => new T());

    /// <summary>Whether the caller may edit the system file (Apptainer requires real uid 0).</summary>
    public bool IsRoot { get; }

    public TimeProvider Time { get; }

    /// <summary>Reads an environment variable (credential overrides such as <c>DOCKER_USERNAME</c>); injectable for tests.</summary>
    public Func<string, string?> Environment { get; }

    /// <summary>
    /// Resolves a host name to its addresses (the loopback rules of registry logins); tests inject a fake. A name that
    /// does not resolve throws, as <see cref="System.Net.Dns.GetHostAddressesAsync(string, CancellationToken)"/> does.
    /// </summary>
    public Func<string, CancellationToken, Task<IPAddress[]>> ResolveHost { get; init; } = Dns.GetHostAddressesAsync;

    /// <summary>
    /// <see cref="ResolveHost"/> once per name for the whole command. The rules that judge a host by its addresses
    /// (the loopback rule, the realm policy) and the connections of this context's HTTP handlers use the same answer,
    /// so a name that resolved to 127.0.0.1 when it was judged cannot be rebound to another machine before the
    /// credentials are sent (DNS rebinding).
    /// </summary>
    internal Task<IPAddress[]> ResolveOnceAsync(string host, CancellationToken cancellationToken)
    {
        if (_parent is { } parent)
        {
            return parent.ResolveOnceAsync(host, cancellationToken);
        }

        // The lookup itself is not tied to one caller's token: a later caller of the same name awaits the same answer.
        Task<IPAddress[]>? lookup;
        lock (_addresses)
        {
            if (!_addresses.TryGetValue(host, out lookup))
            {
                lookup = ResolveHost(host, CancellationToken.None);
                _addresses.Add(host, lookup);
            }
        }

        return lookup.WaitAsync(cancellationToken);
    }

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

    /// <summary>Closes the HTTP handlers this context made (an injected handler belongs to whoever injected it).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_verifyingHandler.IsValueCreated)
        {
            _verifyingHandler.Value.Dispose();
        }

        if (_insecureHandler.IsValueCreated)
        {
            _insecureHandler.Value.Dispose();
        }
    }
}

using System.Collections.Concurrent;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Testing;

/// <summary>Keeps the engine's INFO and WARNING lines, prefixed as the tool prints them.</summary>
internal sealed class RecordingLog : IRemoteLog
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public void Info(string message) => Lines.Enqueue("INFO:    " + message);

    public void Warning(string message) => Lines.Enqueue("WARNING: " + message);
}

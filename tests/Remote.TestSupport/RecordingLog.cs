using System.Collections.Concurrent;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Testing;

/// <summary>
/// Keeps the engine's INFO and WARNING lines: all of them in order, prefixed as the tool prints them
/// (<see cref="Lines"/>), and the bare messages of each kind (<see cref="Infos"/>, <see cref="Warnings"/>).
/// </summary>
internal sealed class RecordingLog : IRemoteLog
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ConcurrentQueue<string> Infos { get; } = new();

    public ConcurrentQueue<string> Warnings { get; } = new();

    public IEnumerable<string> All => Infos.Concat(Warnings);

    public void Info(string message)
    {
        Lines.Enqueue("INFO:    " + message);
        Infos.Enqueue(message);
    }

    public void Warning(string message)
    {
        Lines.Enqueue("WARNING: " + message);
        Warnings.Enqueue(message);
    }
}

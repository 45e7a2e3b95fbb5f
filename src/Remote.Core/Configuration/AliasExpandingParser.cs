using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace DotnetRemote.Core.Configuration;

/// <summary>
/// Replays the events of an anchored node wherever an alias names it, so readers see plain YAML, as go-yaml's decoder
/// does. Lazy: only anchored nodes are remembered, so a large file without anchors costs nothing extra. The replayed
/// total is capped, so nested aliases cannot blow up memory.
/// </summary>
internal sealed class AliasExpandingParser(IParser inner) : IParser
{
    private const int MaximumReplayedEvents = 1_000_000;
    private readonly Queue<ParsingEvent> _pending = new();
    private readonly Dictionary<AnchorName, List<ParsingEvent>> _anchors = [];
    private readonly List<(AnchorName Anchor, List<ParsingEvent> Events, int Depth)> _recording = [];
    private int _depth;
    private int _replayed;

    public ParsingEvent? Current { get; private set; }

    public bool MoveNext()
    {
        if (_pending.Count == 0)
        {
            if (!MoveNextOrThrowYamlError())
            {
                Current = null;
                return false;
            }

            if (inner.Current is AnchorAlias alias)
            {
                Replay(alias);
            }
            else
            {
                _pending.Enqueue(inner.Current!);
            }
        }

        Current = _pending.Dequeue();
        Record(Current);
        return true;
    }

    private void Replay(AnchorAlias alias)
    {
        if (!_anchors.TryGetValue(alias.Value, out var events))
        {
            throw new YamlException(alias.Start, alias.End, $"unknown anchor '{alias.Value}'");
        }

        _replayed += events.Count;
        if (_replayed > MaximumReplayedEvents)
        {
            throw new YamlException(alias.Start, alias.End, "the document is too large once its aliases are expanded");
        }

        foreach (var e in events)
        {
            _pending.Enqueue(e);
        }
    }

    /// <summary>Adds the event to every anchored node being read, and completes the ones it closes.</summary>
    private void Record(ParsingEvent e)
    {
        if (e is Scalar { Anchor.IsEmpty: false } anchoredScalar)
        {
            _anchors[anchoredScalar.Anchor] = [e];
        }
        else if (e is NodeEvent { Anchor.IsEmpty: false } anchoredCollection and (MappingStart or SequenceStart))
        {
            _recording.Add((anchoredCollection.Anchor, [], _depth));
        }

        if (e is MappingEnd or SequenceEnd)
        {
            _depth--;
        }

        foreach (var recording in _recording)
        {
            recording.Events.Add(e);
        }

        if (e is MappingStart or SequenceStart)
        {
            _depth++;
        }
        else if (e is MappingEnd or SequenceEnd)
        {
            for (var i = _recording.Count - 1; i >= 0; i--)
            {
                if (_recording[i].Depth == _depth)
                {
                    _anchors[_recording[i].Anchor] = _recording[i].Events;
                    _recording.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>
    /// YamlDotNet's scanner throws <see cref="InvalidOperationException"/> on some malformed input (an unclosed flow
    /// sequence); that is a syntax error of the file like any other, reported at the last node that parsed.
    /// </summary>
    private bool MoveNextOrThrowYamlError()
    {
        try
        {
            return inner.MoveNext();
        }
        catch (InvalidOperationException ex)
        {
            var mark = Current?.Start ?? Mark.Empty;
            throw new YamlException(mark, mark, "malformed YAML after this point", ex);
        }
    }
}

using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace DotnetRemote.Core.Configuration;

/// <summary>
/// Replays the events of an anchored node wherever an alias names it, so readers see plain YAML, as go-yaml's
/// decoder does. Expansion is capped, so a file of nested aliases cannot blow up memory.
/// </summary>
internal sealed class AliasExpandingParser : IParser
{
    private const int MaximumEvents = 200_000;
    private readonly List<ParsingEvent> _events = [];
    private int _index = -1;

    public AliasExpandingParser(IParser inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        var anchors = new Dictionary<AnchorName, (int Start, int End)>();
        var open = new Stack<(AnchorName Anchor, int Start)>();
        while (MoveNextOrThrowYamlError(inner))
        {
            var current = inner.Current!;
            if (current is AnchorAlias alias)
            {
                if (!anchors.TryGetValue(alias.Value, out var range))
                {
                    throw new YamlException(alias.Start, alias.End, $"unknown anchor '{alias.Value}'");
                }

                if (_events.Count + range.End - range.Start > MaximumEvents)
                {
                    throw new YamlException(alias.Start, alias.End, "the document is too large once its aliases are expanded");
                }

                _events.AddRange(_events.GetRange(range.Start, range.End - range.Start));
                continue;
            }

            _events.Add(current);
            switch (current)
            {
                case Scalar { Anchor.IsEmpty: false } scalar:
                    anchors[scalar.Anchor] = (_events.Count - 1, _events.Count);
                    break;
                case MappingStart mapping:
                    open.Push((mapping.Anchor, _events.Count - 1));
                    break;
                case SequenceStart sequence:
                    open.Push((sequence.Anchor, _events.Count - 1));
                    break;
                case MappingEnd or SequenceEnd:
                    var (anchor, start) = open.Pop();
                    if (!anchor.IsEmpty)
                    {
                        anchors[anchor] = (start, _events.Count);
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// YamlDotNet's scanner throws <see cref="InvalidOperationException"/> on some malformed input (an unclosed flow
    /// sequence); that is a syntax error of the file like any other, reported at the last node that parsed.
    /// </summary>
    private bool MoveNextOrThrowYamlError(IParser inner)
    {
        try
        {
            return inner.MoveNext();
        }
        catch (InvalidOperationException ex)
        {
            var mark = _events.Count > 0 ? _events[^1].Start : Mark.Empty;
            throw new YamlException(mark, mark, "malformed YAML after this point", ex);
        }
    }

    public ParsingEvent? Current => _index >= 0 && _index < _events.Count ? _events[_index] : null;

    public bool MoveNext() => ++_index < _events.Count;
}

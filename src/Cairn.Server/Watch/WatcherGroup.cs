using Google.Protobuf;

namespace Cairn.Server.Watch;

/// <summary>
/// A set of watchers indexed for "who watches this key": single-key watchers by key; range watchers grouped by
/// their distinct range, which are scanned (watchers in practice share a few prefixes, e.g. one per Kubernetes
/// resource). Not thread-safe: the <see cref="WatchableStore"/> lock guards it.
/// </summary>
internal sealed class WatcherGroup
{
    private readonly Dictionary<ByteString, HashSet<Watcher>> keys = [];
    private readonly Dictionary<(ByteString Key, ByteString End), HashSet<Watcher>> ranges = [];
    private readonly HashSet<Watcher> all = [];

    public int Count => all.Count;

    public HashSet<Watcher> Watchers => all;

    public void Add(Watcher w)
    {
        if (!all.Add(w))
        {
            return;
        }
        if (w.IsRange)
        {
            var range = (w.Key, w.End);
            if (!ranges.TryGetValue(range, out var set))
            {
                ranges[range] = set = [];
            }
            set.Add(w);
        }
        else
        {
            if (!keys.TryGetValue(w.Key, out var set))
            {
                keys[w.Key] = set = [];
            }
            set.Add(w);
        }
    }

    public bool Remove(Watcher w)
    {
        if (!all.Remove(w))
        {
            return false;
        }
        if (w.IsRange)
        {
            var range = (w.Key, w.End);
            if (ranges.TryGetValue(range, out var set) && set.Remove(w) && set.Count == 0)
            {
                ranges.Remove(range);
            }
        }
        else if (keys.TryGetValue(w.Key, out var set) && set.Remove(w) && set.Count == 0)
        {
            keys.Remove(w.Key);
        }
        return true;
    }

    /// <summary>Whether any watcher here watches <paramref name="key"/>.</summary>
    public bool Contains(ByteString key)
    {
        if (keys.ContainsKey(key))
        {
            return true;
        }
        foreach (var (range, set) in ranges)
        {
            if (InRange(key, range.Key, range.End))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Adds every watcher of <paramref name="key"/> to <paramref name="into"/>.</summary>
    public void Collect(ByteString key, List<Watcher> into)
    {
        if (keys.TryGetValue(key, out var exact))
        {
            into.AddRange(exact);
        }
        foreach (var (range, set) in ranges)
        {
            if (InRange(key, range.Key, range.End))
            {
                into.AddRange(set);
            }
        }
    }

    private static bool InRange(ByteString key, ByteString start, ByteString end)
    {
        var k = key.Span;
        return k.SequenceCompareTo(start.Span) >= 0 && (end.IsEmpty || k.SequenceCompareTo(end.Span) < 0);
    }
}

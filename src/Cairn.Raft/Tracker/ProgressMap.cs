using System;
using System.Collections;
using System.Collections.Generic;
using System.Text;
using Cairn.Raft.Quorum;

namespace Cairn.Raft.Tracker;

/// <summary>
/// The progress of every tracked peer by ID. Enumeration is always in ascending ID order, so anything derived from
/// it (messages, output, hashes) is deterministic. Reads and enumeration do not allocate once the ID order is cached.
/// As an <see cref="IAckedIndexer"/>, a peer's acknowledged index is its <see cref="Progress.Match"/>.
/// </summary>
public sealed class ProgressMap : IReadOnlyCollection<KeyValuePair<ulong, Progress>>, IAckedIndexer
{
    private readonly Dictionary<ulong, Progress> _map = [];
    private ulong[]? _sortedIds;

    public int Count => _map.Count;

    /// <summary>The progress of <paramref name="id"/>; throws when the peer is not tracked.</summary>
    public Progress this[ulong id]
    {
        get => _map[id];
        set
        {
            if (!_map.ContainsKey(id))
            {
                _sortedIds = null;
            }

            _map[id] = value;
        }
    }

    /// <summary>The tracked IDs in ascending order.</summary>
    public ReadOnlySpan<ulong> Ids => SortedIds();

    public bool ContainsKey(ulong id) => _map.ContainsKey(id);

    public bool TryGetValue(ulong id, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Progress progress) =>
        _map.TryGetValue(id, out progress);

    /// <summary>The progress of <paramref name="id"/>, or null when the peer is not tracked.</summary>
    public Progress? Get(ulong id) => _map.GetValueOrDefault(id);

    public bool Remove(ulong id)
    {
        if (!_map.Remove(id))
        {
            return false;
        }

        _sortedIds = null;
        return true;
    }

    bool IAckedIndexer.TryGetAckedIndex(ulong voterId, out ulong index)
    {
        if (_map.TryGetValue(voterId, out Progress? pr))
        {
            index = pr.Match;
            return true;
        }

        index = 0;
        return false;
    }

    /// <summary>A map of shallow copies (see <see cref="Progress.ShallowCopy"/>).</summary>
    public ProgressMap ShallowCopy()
    {
        var copy = new ProgressMap();
        foreach (var (id, pr) in _map)
        {
            copy._map[id] = pr.ShallowCopy();
        }

        return copy;
    }

    /// <summary>A map of deep copies (see <see cref="Progress.Clone"/>).</summary>
    public ProgressMap Clone()
    {
        var copy = new ProgressMap();
        foreach (var (id, pr) in _map)
        {
            copy._map[id] = pr.Clone();
        }

        return copy;
    }

    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<ulong, Progress>> IEnumerable<KeyValuePair<ulong, Progress>>.GetEnumerator() =>
        GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>One line per peer in ID order: "1: StateReplicate match=5 next=6".</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var (id, pr) in this)
        {
            sb.Append(id).Append(": ").Append(pr).Append('\n');
        }

        return sb.ToString();
    }

    private ulong[] SortedIds()
    {
        if (_sortedIds is null)
        {
            var ids = new ulong[_map.Count];
            _map.Keys.CopyTo(ids, 0);
            Array.Sort(ids);
            _sortedIds = ids;
        }

        return _sortedIds;
    }

    /// <summary>Enumerates in ascending ID order. Mutating the set of IDs while enumerating is not supported.</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<ulong, Progress>>
    {
        private readonly ProgressMap _owner;
        private readonly ulong[] _ids;
        private int _i;

        internal Enumerator(ProgressMap owner)
        {
            _owner = owner;
            _ids = owner.SortedIds();
            _i = -1;
        }

        public readonly KeyValuePair<ulong, Progress> Current => new(_ids[_i], _owner._map[_ids[_i]]);

        readonly object IEnumerator.Current => Current;

        public bool MoveNext() => ++_i < _ids.Length;

        public void Reset() => _i = -1;

        public readonly void Dispose()
        {
        }
    }
}

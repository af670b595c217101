using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Cairn.Raft.Quorum;

/// <summary>
/// A set of voter IDs that decides by simple majority. Enumeration order is unspecified; use <see cref="Slice"/>
/// for the sorted order that every output and every decision in this library is based on.
/// </summary>
public sealed class MajorityConfig : IReadOnlyCollection<ulong>
{
    private readonly HashSet<ulong> _ids;

    public MajorityConfig() => _ids = [];

    public MajorityConfig(IEnumerable<ulong> ids) => _ids = [.. ids];

    public int Count => _ids.Count;

    public bool Contains(ulong id) => _ids.Contains(id);

    /// <summary>Adds <paramref name="id"/>; returns false when it was already present.</summary>
    public bool Add(ulong id) => _ids.Add(id);

    /// <summary>Removes <paramref name="id"/>; returns false when it was absent.</summary>
    public bool Remove(ulong id) => _ids.Remove(id);

    public void Clear() => _ids.Clear();

    public MajorityConfig Clone() => new(_ids);

    /// <summary>The voter IDs in ascending order.</summary>
    public ulong[] Slice()
    {
        var ids = new ulong[_ids.Count];
        _ids.CopyTo(ids);
        Array.Sort(ids);
        return ids;
    }

    /// <summary>
    /// The largest index acknowledged by a majority of the voters. An empty configuration returns
    /// <see cref="QuorumIndex.Infinite"/> so that it never constrains a joint configuration. Voters without a known
    /// index count as having acknowledged index 0.
    /// </summary>
    public ulong CommittedIndex(IAckedIndexer acked)
    {
        int n = _ids.Count;
        if (n == 0)
        {
            return QuorumIndex.Infinite;
        }

        // Small clusters are the norm: keep the scratch space on the stack.
        Span<ulong> sorted = n <= 16 ? stackalloc ulong[n] : new ulong[n];
        int i = 0;
        foreach (ulong id in _ids)
        {
            sorted[i++] = acked.TryGetAckedIndex(id, out ulong idx) ? idx : 0;
        }

        sorted.Sort();
        // Ascending order: the element at n - (n/2 + 1) is acknowledged by itself and every voter above it,
        // which is exactly a majority (n/2 + 1 voters).
        return sorted[n - (n / 2 + 1)];
    }

    /// <summary>
    /// Tallies <paramref name="votes"/> (voter ID → granted) against this configuration. Votes from IDs outside the
    /// configuration are ignored. An empty configuration wins every vote, for the same reason it commits everything.
    /// </summary>
    public VoteResult VoteResult(IReadOnlyDictionary<ulong, bool> votes)
    {
        if (_ids.Count == 0)
        {
            return Quorum.VoteResult.Won;
        }

        int yes = 0;
        int missing = 0;
        foreach (ulong id in _ids)
        {
            if (!votes.TryGetValue(id, out bool granted))
            {
                missing++;
            }
            else if (granted)
            {
                yes++;
            }
        }

        int quorum = _ids.Count / 2 + 1;
        if (yes >= quorum)
        {
            return Quorum.VoteResult.Won;
        }

        return yes + missing >= quorum ? Quorum.VoteResult.Pending : Quorum.VoteResult.Lost;
    }

    /// <summary>The sorted IDs in parentheses, e.g. "(1 2 3)"; "()" when empty.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("(");
        ulong[] ids = Slice();
        for (int i = 0; i < ids.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }

            sb.Append(ids[i].ToString(CultureInfo.InvariantCulture));
        }

        return sb.Append(')').ToString();
    }

    /// <summary>
    /// A multi-line picture of the acknowledged indexes, one row per voter in ID order. The bar of x's before '>'
    /// counts the voters with a strictly smaller index, so the committed index is the one of the voter whose bar
    /// reaches the quorum boundary; '?' marks a voter with no known index.
    /// </summary>
    public string Describe(IAckedIndexer acked)
    {
        int n = _ids.Count;
        if (n == 0)
        {
            return "<empty majority quorum>";
        }

        var rows = new (ulong Id, ulong Index, bool Known, int Bar)[n];
        int r = 0;
        foreach (ulong id in Slice())
        {
            bool known = acked.TryGetAckedIndex(id, out ulong idx);
            rows[r++] = (id, known ? idx : 0, known, 0);
        }

        // Order by (index, id) to compute each row's bar: the number of rows with a strictly smaller index.
        var byIndex = new int[n];
        for (int i = 0; i < n; i++)
        {
            byIndex[i] = i;
        }

        Array.Sort(byIndex, (a, b) => rows[a].Index != rows[b].Index
            ? rows[a].Index.CompareTo(rows[b].Index)
            : rows[a].Id.CompareTo(rows[b].Id));
        for (int i = 1; i < n; i++)
        {
            int bar = rows[byIndex[i - 1]].Index < rows[byIndex[i]].Index ? i : rows[byIndex[i - 1]].Bar;
            rows[byIndex[i]].Bar = bar;
        }

        var sb = new StringBuilder();
        sb.Append(' ', n).Append("    idx\n");
        foreach (var row in rows)
        {
            if (!row.Known)
            {
                sb.Append('?').Append(' ', n);
            }
            else
            {
                sb.Append('x', row.Bar).Append('>').Append(' ', n - row.Bar);
            }

            sb.Append(CultureInfo.InvariantCulture, $" {row.Index,5}    (id={row.Id})\n");
        }

        return sb.ToString();
    }

    public IEnumerator<ulong> GetEnumerator() => _ids.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

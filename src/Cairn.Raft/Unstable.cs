using System;
using System.Collections.Generic;
using Cairn.Raft.Raftpb;

namespace Cairn.Raft;

/// <summary>
/// The part of the log not yet in stable storage (etcd-io/raft's log_unstable.go): an incoming snapshot and the
/// entries after it. Entry i sits at position i - Offset. Offset may be below the storage's last index, in which
/// case appending these entries to storage truncates (overwrites) its tail.
/// </summary>
internal sealed class Unstable
{
    private readonly IRaftLogger _logger;

    public Unstable(ulong offset, IRaftLogger logger)
    {
        Offset = offset;
        _logger = logger;
    }

    /// <summary>An incoming snapshot, not yet persisted.</summary>
    public Snapshot? Snapshot { get; private set; }

    /// <summary>Entries not yet persisted; the first has index <see cref="Offset"/>.</summary>
    public List<Entry> Entries { get; private set; } = [];

    public ulong Offset { get; private set; }

    /// <summary>The first index, known only when a snapshot is pending.</summary>
    public bool MaybeFirstIndex(out ulong index)
    {
        if (Snapshot is not null)
        {
            index = Snapshot.Metadata.Index + 1;
            return true;
        }
        index = 0;
        return false;
    }

    /// <summary>The last index, known when there are unstable entries or a pending snapshot.</summary>
    public bool MaybeLastIndex(out ulong index)
    {
        if (Entries.Count > 0)
        {
            index = Offset + (ulong)Entries.Count - 1;
            return true;
        }
        if (Snapshot is not null)
        {
            index = Snapshot.Metadata.Index;
            return true;
        }
        index = 0;
        return false;
    }

    public bool MaybeTerm(ulong index, out ulong term)
    {
        term = 0;
        if (index < Offset)
        {
            if (Snapshot is not null && Snapshot.Metadata.Index == index)
            {
                term = Snapshot.Metadata.Term;
                return true;
            }
            return false;
        }
        if (!MaybeLastIndex(out ulong last) || index > last)
        {
            return false;
        }
        term = Entries[(int)(index - Offset)].Term;
        return true;
    }

    /// <summary>Entries up to (index, term) reached stable storage. Ignored when the entry was since replaced
    /// (its term differs) or lies in a pending snapshot.</summary>
    public void StableTo(ulong index, ulong term)
    {
        if (!MaybeTerm(index, out ulong gt))
        {
            return;
        }
        if (gt == term && index >= Offset)
        {
            Entries.RemoveRange(0, (int)(index + 1 - Offset));
            Offset = index + 1;
        }
    }

    public void StableSnapTo(ulong index)
    {
        if (Snapshot is not null && Snapshot.Metadata.Index == index)
        {
            Snapshot = null;
        }
    }

    public void Restore(Snapshot snapshot)
    {
        Offset = snapshot.Metadata.Index + 1;
        Entries = [];
        Snapshot = snapshot;
    }

    /// <summary>Appends entries, first dropping any existing entries at or after the first new index.</summary>
    public void TruncateAndAppend(IReadOnlyList<Entry> entries)
    {
        ulong after = entries[0].Index;
        if (after == Offset + (ulong)Entries.Count)
        {
            Entries.AddRange(entries);
        }
        else if (after <= Offset)
        {
            _logger.Info($"replace the unstable entries from index {after}");
            Offset = after;
            Entries = [.. entries];
        }
        else
        {
            _logger.Info($"truncate the unstable entries before index {after}");
            Entries.RemoveRange((int)(after - Offset), Entries.Count - (int)(after - Offset));
            Entries.AddRange(entries);
        }
    }

    /// <summary>A copy of the entries in [lo, hi).</summary>
    public List<Entry> Slice(ulong lo, ulong hi)
    {
        MustCheckOutOfBounds(lo, hi);
        return Entries.GetRange((int)(lo - Offset), (int)(hi - lo));
    }

    private void MustCheckOutOfBounds(ulong lo, ulong hi)
    {
        if (lo > hi)
        {
            throw new InvalidOperationException($"invalid unstable.slice {lo} > {hi}");
        }
        ulong upper = Offset + (ulong)Entries.Count;
        if (lo < Offset || hi > upper)
        {
            throw new InvalidOperationException($"unstable.slice[{lo},{hi}) out of bound [{Offset},{upper}]");
        }
    }
}

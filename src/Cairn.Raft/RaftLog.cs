using System;
using System.Collections.Generic;
using Cairn.Raft.Raftpb;

namespace Cairn.Raft;

/// <summary>
/// The node's view of the log (etcd-io/raft's log.go): stable entries in <see cref="Storage"/> followed by the
/// <see cref="Unstable"/> tail. Invariant: Applied &lt;= Committed &lt;= LastIndex().
/// </summary>
internal sealed class RaftLog
{
    private readonly IRaftLogger _logger;

    public RaftLog(IRaftStorage storage, IRaftLogger logger, ulong maxNextEntsSize)
    {
        Storage = storage;
        _logger = logger;
        MaxNextEntsSize = maxNextEntsSize;
        ulong first = storage.FirstIndex();
        ulong last = storage.LastIndex();
        Unstable = new Unstable(last + 1, logger);
        // Everything up to the snapshot is committed and applied by definition.
        Committed = first - 1;
        Applied = first - 1;
    }

    public IRaftStorage Storage { get; }

    public Unstable Unstable { get; }

    /// <summary>Highest index known to be stored on a quorum.</summary>
    public ulong Committed { get; private set; }

    /// <summary>Highest index the application has applied.</summary>
    public ulong Applied { get; private set; }

    /// <summary>Cap on the size of committed entries handed out per Ready.</summary>
    public ulong MaxNextEntsSize { get; }

    public override string ToString() =>
        $"committed={Committed}, applied={Applied}, unstable.offset={Unstable.Offset}, len(unstable.Entries)={Unstable.Entries.Count}";

    /// <summary>Appends entries received from a leader after (index, logTerm) if the log matches there.
    /// Returns false on a mismatch; otherwise the index of the last new entry.</summary>
    public bool MaybeAppend(ulong index, ulong logTerm, ulong committed, IReadOnlyList<Entry> entries, out ulong lastNewIndex)
    {
        lastNewIndex = 0;
        if (!MatchTerm(index, logTerm))
        {
            return false;
        }
        lastNewIndex = index + (ulong)entries.Count;
        ulong conflict = FindConflict(entries);
        if (conflict != 0)
        {
            if (conflict <= Committed)
            {
                throw new InvalidOperationException($"entry {conflict} conflict with committed entry [committed({Committed})]");
            }
            int start = (int)(conflict - (index + 1));
            var tail = new List<Entry>(entries.Count - start);
            for (int i = start; i < entries.Count; i++)
            {
                tail.Add(entries[i]);
            }
            Append(tail);
        }
        CommitTo(Math.Min(committed, lastNewIndex));
        return true;
    }

    public ulong Append(IReadOnlyList<Entry> entries)
    {
        if (entries.Count == 0)
        {
            return LastIndex();
        }
        ulong after = entries[0].Index - 1;
        if (after < Committed)
        {
            throw new InvalidOperationException($"after({after}) is out of range [committed({Committed})]");
        }
        Unstable.TruncateAndAppend(entries);
        return LastIndex();
    }

    /// <summary>The index of the first entry whose term differs from ours (or that we lack), or 0 when every
    /// given entry is already in the log.</summary>
    public ulong FindConflict(IReadOnlyList<Entry> entries)
    {
        foreach (var e in entries)
        {
            if (!MatchTerm(e.Index, e.Term))
            {
                if (e.Index <= LastIndex())
                {
                    Term(e.Index, out ulong existing);
                    _logger.Info($"found conflict at index {e.Index} [existing term: {existing}, conflicting term: {e.Term}]");
                }
                return e.Index;
            }
        }
        return 0;
    }

    /// <summary>The largest index at or below <paramref name="index"/> whose term is at most
    /// <paramref name="term"/>, with that term. Used to skip whole terms when a follower rejects an append.</summary>
    public (ulong Index, ulong Term) FindConflictByTerm(ulong index, ulong term)
    {
        for (; index > 0; index--)
        {
            if (Term(index, out ulong ourTerm) != RaftError.None)
            {
                return (index, 0);
            }
            if (ourTerm <= term)
            {
                return (index, ourTerm);
            }
        }
        return (0, 0);
    }

    public List<Entry> UnstableEntries() => [.. Unstable.Entries];

    /// <summary>Committed entries not yet applied, capped by <see cref="MaxNextEntsSize"/>.</summary>
    public IReadOnlyList<Entry> NextEnts()
    {
        ulong off = Math.Max(Applied + 1, FirstIndex());
        if (Committed + 1 > off)
        {
            var err = Slice(off, Committed + 1, MaxNextEntsSize, out var entries);
            if (err != RaftError.None)
            {
                throw new InvalidOperationException($"unexpected error when getting unapplied entries ({err})");
            }
            return entries;
        }
        return Array.Empty<Entry>();
    }

    public bool HasNextEnts() => Committed + 1 > Math.Max(Applied + 1, FirstIndex());

    public bool HasPendingSnapshot() => Unstable.Snapshot is not null && !Util.IsEmptySnap(Unstable.Snapshot);

    public RaftError Snapshot(out Snapshot snapshot)
    {
        if (Unstable.Snapshot is not null)
        {
            snapshot = Unstable.Snapshot;
            return RaftError.None;
        }
        return Storage.Snapshot(out snapshot);
    }

    public ulong FirstIndex() => Unstable.MaybeFirstIndex(out ulong i) ? i : Storage.FirstIndex();

    public ulong LastIndex() => Unstable.MaybeLastIndex(out ulong i) ? i : Storage.LastIndex();

    public void CommitTo(ulong toCommit)
    {
        // Never decrease the commit index.
        if (Committed < toCommit)
        {
            if (LastIndex() < toCommit)
            {
                throw new InvalidOperationException(
                    $"tocommit({toCommit}) is out of range [lastIndex({LastIndex()})]. Was the raft log corrupted, truncated, or lost?");
            }
            Committed = toCommit;
        }
    }

    public void AppliedTo(ulong index)
    {
        if (index == 0)
        {
            return;
        }
        if (Committed < index || index < Applied)
        {
            throw new InvalidOperationException($"applied({index}) is out of range [prevApplied({Applied}), committed({Committed})]");
        }
        Applied = index;
    }

    public void StableTo(ulong index, ulong term) => Unstable.StableTo(index, term);

    public void StableSnapTo(ulong index) => Unstable.StableSnapTo(index);

    public ulong LastTerm()
    {
        var err = Term(LastIndex(), out ulong term);
        if (err != RaftError.None)
        {
            throw new InvalidOperationException($"unexpected error when getting the last term ({err})");
        }
        return term;
    }

    /// <summary>Term of entry <paramref name="index"/>, for index in [FirstIndex()-1, LastIndex()] (the term of the
    /// compacted entry just before the first is kept for log matching). <see cref="RaftError.Compacted"/> below
    /// that range and <see cref="RaftError.Unavailable"/> above it: an unknown term must never match anything.</summary>
    public RaftError Term(ulong index, out ulong term)
    {
        // The unstable part first: an index found there is in range without asking storage.
        if (Unstable.MaybeTerm(index, out term))
        {
            return RaftError.None;
        }
        term = 0;
        if (index + 1 < FirstIndex())
        {
            return RaftError.Compacted;
        }
        if (index > LastIndex())
        {
            return RaftError.Unavailable;
        }
        var err = Storage.Term(index, out term);
        return err switch
        {
            RaftError.None or RaftError.Compacted or RaftError.Unavailable => err,
            _ => throw new InvalidOperationException($"unexpected storage error {err}"),
        };
    }

    /// <summary>The term, or 0 when the entry is outside the log (compacted or not yet there).</summary>
    public ulong ZeroTermOnOutOfBounds(ulong index)
    {
        var err = Term(index, out ulong term);
        return err switch
        {
            RaftError.None => term,
            RaftError.Compacted or RaftError.Unavailable => 0,
            _ => throw new InvalidOperationException($"unexpected error ({err})"),
        };
    }

    /// <summary>Entries from <paramref name="index"/> to the end, capped by <paramref name="maxSize"/>.</summary>
    public RaftError Entries(ulong index, ulong maxSize, out IReadOnlyList<Entry> entries)
    {
        if (index > LastIndex())
        {
            entries = Array.Empty<Entry>();
            return RaftError.None;
        }
        return Slice(index, LastIndex() + 1, maxSize, out entries);
    }

    /// <summary>Every entry in the log. Retries if compaction races with the read.</summary>
    public IReadOnlyList<Entry> AllEntries()
    {
        while (true)
        {
            var err = Entries(FirstIndex(), ulong.MaxValue, out var entries);
            if (err == RaftError.None)
            {
                return entries;
            }
            if (err != RaftError.Compacted)
            {
                throw new InvalidOperationException($"unexpected error ({err})");
            }
        }
    }

    /// <summary>§5.4.1: a log with (lastIndex, term) is at least as up to date as ours when its last term is
    /// greater, or equal with an index at least as large.</summary>
    public bool IsUpToDate(ulong lastIndex, ulong term) =>
        term > LastTerm() || (term == LastTerm() && lastIndex >= LastIndex());

    public bool MatchTerm(ulong index, ulong term) =>
        Term(index, out ulong t) == RaftError.None && t == term;

    /// <summary>Commits up to <paramref name="maxIndex"/> only if that entry is from <paramref name="term"/>
    /// (§5.4.2: a leader commits entries from earlier terms only by committing one of its own).</summary>
    public bool MaybeCommit(ulong maxIndex, ulong term)
    {
        if (maxIndex > Committed && ZeroTermOnOutOfBounds(maxIndex) == term)
        {
            CommitTo(maxIndex);
            return true;
        }
        return false;
    }

    public void Restore(Snapshot snapshot)
    {
        _logger.Info($"log [{this}] starts to restore snapshot [index: {snapshot.Metadata.Index}, term: {snapshot.Metadata.Term}]");
        Committed = snapshot.Metadata.Index;
        Unstable.Restore(snapshot);
    }

    /// <summary>Entries in [lo, hi) capped by <paramref name="maxSize"/>, stitched from storage and the unstable
    /// tail. <see cref="RaftError.Compacted"/> when lo precedes the first index.</summary>
    public RaftError Slice(ulong lo, ulong hi, ulong maxSize, out IReadOnlyList<Entry> entries)
    {
        entries = Array.Empty<Entry>();
        var err = MustCheckOutOfBounds(lo, hi);
        if (err != RaftError.None)
        {
            return err;
        }
        if (lo == hi)
        {
            return RaftError.None;
        }
        List<Entry>? result = null;
        if (lo < Unstable.Offset)
        {
            ulong storedHi = Math.Min(hi, Unstable.Offset);
            err = Storage.Entries(lo, storedHi, maxSize, out var stored);
            if (err == RaftError.Compacted)
            {
                return err;
            }
            if (err == RaftError.Unavailable)
            {
                throw new InvalidOperationException($"entries[{lo}:{storedHi}) is unavailable from storage");
            }
            if (err != RaftError.None)
            {
                throw new InvalidOperationException($"unexpected storage error {err}");
            }
            // The size limit cut the stored part short: the unstable part cannot follow.
            if ((ulong)stored.Count < storedHi - lo)
            {
                entries = stored;
                return RaftError.None;
            }
            result = new List<Entry>(stored);
        }
        if (hi > Unstable.Offset)
        {
            var unstable = Unstable.Slice(Math.Max(lo, Unstable.Offset), hi);
            if (result is null)
            {
                result = unstable;
            }
            else
            {
                result.AddRange(unstable);
            }
        }
        entries = Util.LimitSize(result!, maxSize);
        return RaftError.None;
    }

    private RaftError MustCheckOutOfBounds(ulong lo, ulong hi)
    {
        if (lo > hi)
        {
            throw new InvalidOperationException($"invalid slice {lo} > {hi}");
        }
        ulong first = FirstIndex();
        if (lo < first)
        {
            return RaftError.Compacted;
        }
        ulong length = LastIndex() + 1 - first;
        if (hi > first + length)
        {
            throw new InvalidOperationException($"slice[{lo},{hi}) out of bound [{first},{LastIndex()}]");
        }
        return RaftError.None;
    }
}

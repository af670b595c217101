using System;
using System.Collections.Generic;
using System.Threading;
using Cairn.Raft.Raftpb;

namespace Cairn.Raft;

/// <summary>
/// Read access to the stable (persisted) part of the log, as the Raft core sees it.
/// Contract (etcd-io/raft's Storage):
/// <list type="bullet">
/// <item>The caller appends <see cref="Ready.Entries"/> and records <see cref="Ready.HardState"/> and
/// <see cref="Ready.Snapshot"/> in its storage before calling <see cref="RawNode.Advance"/>.</item>
/// <item>Entries at or below the snapshot index are compacted; asking for them yields <see cref="RaftError.Compacted"/>.</item>
/// <item>Methods must not be called concurrently with writes unless the implementation synchronizes them
/// (<see cref="MemoryStorage"/> does).</item>
/// </list>
/// </summary>
public interface IRaftStorage
{
    /// <summary>The saved HardState and ConfState, read once when a node starts.</summary>
    (HardState HardState, ConfState ConfState) InitialState();

    /// <summary>Entries in [lo, hi). At least one entry is returned when any exist; after the first, entries stop
    /// before their total serialized size exceeds <paramref name="maxSize"/>.
    /// Errors: <see cref="RaftError.Compacted"/> when lo is at or below the snapshot index,
    /// <see cref="RaftError.Unavailable"/> when the log holds no entries past the snapshot.</summary>
    RaftError Entries(ulong lo, ulong hi, ulong maxSize, out IReadOnlyList<Entry> entries);

    /// <summary>Term of entry i, for i in [FirstIndex()-1, LastIndex()]. The term of FirstIndex()-1 is kept
    /// for log matching even though that entry itself is compacted.</summary>
    RaftError Term(ulong index, out ulong term);

    /// <summary>Index of the last entry in the log.</summary>
    ulong LastIndex();

    /// <summary>Index of the first entry that may be available through <see cref="Entries"/>
    /// (older ones are in the snapshot).</summary>
    ulong FirstIndex();

    /// <summary>The most recent snapshot. <see cref="RaftError.SnapshotTemporarilyUnavailable"/> tells the leader to
    /// retry later; the node whose progress is waiting for it stays in probe state until then.</summary>
    RaftError Snapshot(out Snapshot snapshot);
}

/// <summary>
/// An in-memory <see cref="IRaftStorage"/>, the usual companion of a WAL: the WAL persists, this serves reads.
/// Thread-safe: the caller may append from its ready loop while the core reads.
/// </summary>
public sealed class MemoryStorage : IRaftStorage
{
    private readonly Lock _lock = new();
    private HardState _hardState = new();
    private Snapshot _snapshot = NewEmptySnapshot();

    // _entries[0] is a dummy carrying the snapshot's index and term; real entries follow it.
    private readonly List<Entry> _entries = [new Entry()];

    public (HardState HardState, ConfState ConfState) InitialState()
    {
        lock (_lock)
        {
            return (_hardState.Clone(), _snapshot.Metadata.ConfState.Clone());
        }
    }

    /// <summary>Records the current HardState (after it is persisted elsewhere).</summary>
    public void SetHardState(HardState hardState)
    {
        lock (_lock)
        {
            _hardState = hardState.Clone();
        }
    }

    public RaftError Entries(ulong lo, ulong hi, ulong maxSize, out IReadOnlyList<Entry> entries)
    {
        lock (_lock)
        {
            entries = Array.Empty<Entry>();
            ulong offset = _entries[0].Index;
            if (lo <= offset)
            {
                return RaftError.Compacted;
            }
            if (hi > LastIndexLocked() + 1)
            {
                throw new InvalidOperationException($"entries' hi({hi}) is out of bound lastindex({LastIndexLocked()})");
            }
            if (_entries.Count == 1)
            {
                return RaftError.Unavailable;
            }
            var slice = _entries.GetRange((int)(lo - offset), (int)(hi - lo));
            entries = Util.LimitSize(slice, maxSize);
            return RaftError.None;
        }
    }

    public RaftError Term(ulong index, out ulong term)
    {
        lock (_lock)
        {
            term = 0;
            ulong offset = _entries[0].Index;
            if (index < offset)
            {
                return RaftError.Compacted;
            }
            if (index - offset >= (ulong)_entries.Count)
            {
                return RaftError.Unavailable;
            }
            term = _entries[(int)(index - offset)].Term;
            return RaftError.None;
        }
    }

    public ulong LastIndex()
    {
        lock (_lock)
        {
            return LastIndexLocked();
        }
    }

    public ulong FirstIndex()
    {
        lock (_lock)
        {
            return _entries[0].Index + 1;
        }
    }

    public RaftError Snapshot(out Snapshot snapshot)
    {
        lock (_lock)
        {
            snapshot = _snapshot;
            return RaftError.None;
        }
    }

    /// <summary>Replaces the storage's contents with a received snapshot (a follower installing
    /// <see cref="Ready.Snapshot"/>). Returns <see cref="RaftError.SnapOutOfDate"/> for an older snapshot.</summary>
    public RaftError ApplySnapshot(Snapshot snapshot)
    {
        lock (_lock)
        {
            if (_snapshot.Metadata.Index >= snapshot.Metadata.Index)
            {
                return RaftError.SnapOutOfDate;
            }
            _snapshot = snapshot;
            _entries.Clear();
            _entries.Add(new Entry { Index = snapshot.Metadata.Index, Term = snapshot.Metadata.Term });
            return RaftError.None;
        }
    }

    /// <summary>Makes a snapshot at applied index <paramref name="index"/> carrying the application's
    /// <paramref name="data"/>; <paramref name="confState"/> defaults to the current one. Compacting the log is a
    /// separate step (<see cref="Compact"/>).</summary>
    public RaftError CreateSnapshot(ulong index, ConfState? confState, Google.Protobuf.ByteString data, out Snapshot snapshot)
    {
        lock (_lock)
        {
            snapshot = _snapshot;
            if (index <= _snapshot.Metadata.Index)
            {
                return RaftError.SnapOutOfDate;
            }
            ulong offset = _entries[0].Index;
            if (index > LastIndexLocked())
            {
                throw new InvalidOperationException($"snapshot {index} is out of bound lastindex({LastIndexLocked()})");
            }
            var metadata = new SnapshotMetadata
            {
                Index = index,
                Term = _entries[(int)(index - offset)].Term,
                ConfState = (confState ?? _snapshot.Metadata.ConfState).Clone(),
            };
            _snapshot = new Snapshot { Data = data, Metadata = metadata };
            snapshot = _snapshot;
            return RaftError.None;
        }
    }

    /// <summary>Discards entries before <paramref name="compactIndex"/>; the entry at it becomes the dummy entry.
    /// The application must not compact past its applied index.</summary>
    public RaftError Compact(ulong compactIndex)
    {
        lock (_lock)
        {
            ulong offset = _entries[0].Index;
            if (compactIndex <= offset)
            {
                return RaftError.Compacted;
            }
            if (compactIndex > LastIndexLocked())
            {
                throw new InvalidOperationException($"compact {compactIndex} is out of bound lastindex({LastIndexLocked()})");
            }
            int i = (int)(compactIndex - offset);
            var dummy = new Entry { Index = _entries[i].Index, Term = _entries[i].Term };
            _entries.RemoveRange(0, i + 1);
            _entries.Insert(0, dummy);
            return RaftError.None;
        }
    }

    /// <summary>Appends entries (already persisted by the caller). Entries that overlap the existing log replace
    /// it from the first overlapping index; entries at or below the snapshot index are ignored.
    /// The entries must be contiguous with the log.</summary>
    public void Append(IReadOnlyList<Entry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }
        lock (_lock)
        {
            ulong first = _entries[0].Index + 1;
            ulong last = entries[0].Index + (ulong)entries.Count - 1;
            if (last < first)
            {
                return; // everything is already compacted
            }
            int skip = first > entries[0].Index ? (int)(first - entries[0].Index) : 0;
            ulong offset = entries[skip].Index - _entries[0].Index;
            if ((ulong)_entries.Count > offset)
            {
                _entries.RemoveRange((int)offset, _entries.Count - (int)offset);
            }
            else if ((ulong)_entries.Count < offset)
            {
                throw new InvalidOperationException(
                    $"missing log entry [last: {LastIndexLocked()}, append at: {entries[skip].Index}]");
            }
            for (int k = skip; k < entries.Count; k++)
            {
                _entries.Add(entries[k]);
            }
        }
    }

    /// <summary>Sets the configuration of an empty storage without a snapshot, so that a node created on it
    /// starts as a member of <paramref name="confState"/> with its log at index 0. For tests and tools; a real
    /// cluster starts through <see cref="RawNode.Bootstrap"/>.</summary>
    internal void InitConfState(ConfState confState)
    {
        lock (_lock)
        {
            _snapshot.Metadata.ConfState = confState.Clone();
        }
    }

    private ulong LastIndexLocked() => _entries[0].Index + (ulong)_entries.Count - 1;

    private static Snapshot NewEmptySnapshot() =>
        new() { Metadata = new SnapshotMetadata { ConfState = new ConfState() } };
}

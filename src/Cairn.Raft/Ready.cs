using System;
using System.Collections.Generic;
using Cairn.Raft.Raftpb;

namespace Cairn.Raft;

/// <summary>The role a node plays.</summary>
public enum StateType
{
    Follower = 0,
    Candidate = 1,
    Leader = 2,
    PreCandidate = 3,
}

/// <summary>Volatile state worth telling the application about (who leads, our role). Never persisted.</summary>
public sealed record SoftState(ulong Lead, StateType RaftState);

/// <summary>
/// Everything a node needs from its host at one point: what to persist, what to send and what to apply.
/// <para>The contract, in order (etcd-io/raft's Ready):</para>
/// <list type="number">
/// <item>Persist <see cref="Snapshot"/> (when not empty), append <see cref="Entries"/> and save
/// <see cref="HardState"/> (when not empty) to stable storage, fsyncing when <see cref="MustSync"/> is true.
/// This must finish BEFORE any of <see cref="Messages"/> is sent: a vote or an append acknowledgement promises
/// the state is durable.</item>
/// <item>Send <see cref="Messages"/>.</item>
/// <item>Apply <see cref="CommittedEntries"/> in order (conf changes through <see cref="RawNode.ApplyConfChange"/>),
/// and serve <see cref="ReadStates"/> once their index is applied.</item>
/// <item>Call <see cref="RawNode.Advance"/> with this Ready before asking for the next one.</item>
/// </list>
/// </summary>
public sealed class Ready
{
    /// <summary>New leader/role, or null when unchanged since the previous Ready.</summary>
    public SoftState? SoftState { get; init; }

    /// <summary>The state to persist before sending messages, or null when unchanged.</summary>
    public HardState? HardState { get; init; }

    /// <summary>Reads confirmed since the previous Ready.</summary>
    public IReadOnlyList<ReadState> ReadStates { get; init; } = Array.Empty<ReadState>();

    /// <summary>Entries to append to stable storage before sending messages.</summary>
    public IReadOnlyList<Entry> Entries { get; init; } = Array.Empty<Entry>();

    /// <summary>A snapshot to persist (and install in the state machine), or null.</summary>
    public Snapshot? Snapshot { get; init; }

    /// <summary>Committed entries to apply; already persisted, or persisted as part of this Ready.</summary>
    public IReadOnlyList<Entry> CommittedEntries { get; init; } = Array.Empty<Entry>();

    /// <summary>Messages to send after the entries, HardState and snapshot are durable. A MsgSnap must be
    /// followed by <see cref="RawNode.ReportSnapshot"/> with the outcome.</summary>
    public IReadOnlyList<Message> Messages { get; init; } = Array.Empty<Message>();

    /// <summary>True when the HardState's term or vote changed, or entries or a snapshot were added: the write must
    /// be synced to disk. A commit-index-only change may be written lazily.</summary>
    public bool MustSync { get; init; }

    /// <summary>True when this Ready holds nothing to do.</summary>
    public bool IsEmpty =>
        SoftState is null && HardState is null && Snapshot is null && Entries.Count == 0 &&
        CommittedEntries.Count == 0 && Messages.Count == 0 && ReadStates.Count == 0;

    /// <summary>The index the application has applied once it processes this Ready.</summary>
    internal ulong AppliedCursor()
    {
        if (CommittedEntries.Count > 0)
        {
            return CommittedEntries[^1].Index;
        }
        return Snapshot?.Metadata?.Index ?? 0;
    }
}

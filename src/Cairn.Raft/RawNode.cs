using System;
using System.Collections.Generic;
using Cairn.Raft.Raftpb;
using Google.Protobuf;

namespace Cairn.Raft;

/// <summary>The outcome of sending a snapshot, reported through <see cref="RawNode.ReportSnapshot"/>.</summary>
public enum SnapshotStatus
{
    Finish = 1,
    Failure = 2,
}

/// <summary>A member of a new cluster, for <see cref="RawNode.Bootstrap"/>. <see cref="Context"/> travels in the
/// bootstrap ConfChange (etcd puts the member's attributes there).</summary>
public sealed record Peer(ulong Id, ByteString Context)
{
    public Peer(ulong id)
        : this(id, ByteString.Empty)
    {
    }
}

/// <summary>
/// The Raft node API (etcd-io/raft's RawNode): a single-threaded, synchronous wrapper around the state machine.
/// The caller drives it:
/// <list type="bullet">
/// <item>calls <see cref="Tick"/> at a fixed interval (time exists only as ticks);</item>
/// <item>feeds messages from peers to <see cref="Step"/> and client requests to <see cref="Propose"/>,
/// <see cref="ProposeConfChange"/> and <see cref="ReadIndex"/>;</item>
/// <item>whenever <see cref="HasReady"/> is true, takes a <see cref="Cairn.Raft.Ready"/>, handles it in the order its
/// documentation prescribes (persist, then send, then apply) and calls <see cref="Advance"/>.</item>
/// </list>
/// Not thread-safe: every call must come from one thread (or be serialized by the caller).
/// </summary>
public sealed class RawNode
{
    private readonly Raft _raft;
    private SoftState _prevSoftState;
    private HardState _prevHardState;

    // The Ready handed out and not yet advanced; a second one would repeat its committed entries.
    private Ready? _outstanding;

    /// <summary>Creates a node from <paramref name="config"/>; it restores its state from
    /// <see cref="Config.Storage"/> (empty storage: a new node with no configuration, see
    /// <see cref="Bootstrap"/>). Throws <see cref="ArgumentException"/> for an invalid config.</summary>
    public RawNode(Config config)
    {
        _raft = new Raft(config);
        _prevSoftState = _raft.SoftState();
        _prevHardState = _raft.HardState();
    }

    internal Raft Raft => _raft;

    /// <summary>
    /// Initializes a node with empty storage as a member of a new cluster of <paramref name="peers"/>: one
    /// committed ConfChangeAddNode entry per peer at term 1, already applied to the configuration. The entries and
    /// the HardState come out in the first Ready and must be persisted like any other; applying them again
    /// through <see cref="ApplyConfChange"/> is harmless. Throws <see cref="InvalidOperationException"/> when
    /// storage is not empty or <paramref name="peers"/> is.
    /// </summary>
    public void Bootstrap(IReadOnlyList<Peer> peers)
    {
        if (peers.Count == 0)
        {
            throw new InvalidOperationException("must provide at least one peer to Bootstrap");
        }
        if (_raft.RaftLog.Storage.LastIndex() != 0)
        {
            throw new InvalidOperationException("can't bootstrap a nonempty Storage");
        }
        // Nothing is persisted yet: start from an empty HardState so the first Ready carries the real one.
        _prevHardState = new HardState();
        _raft.BecomeFollower(1, Raft.None);
        var entries = new List<Entry>(peers.Count);
        for (int i = 0; i < peers.Count; i++)
        {
            var cc = new Raftpb.ConfChange
            {
                Type = ConfChangeType.ConfChangeAddNode,
                NodeId = peers[i].Id,
                Context = peers[i].Context,
            };
            entries.Add(new Entry
            {
                Type = EntryType.EntryConfChange,
                Term = 1,
                Index = (ulong)i + 1,
                Data = cc.ToByteString(),
            });
        }
        _raft.RaftLog.Append(entries);
        _raft.RaftLog.CommitTo((ulong)entries.Count);
        foreach (var peer in peers)
        {
            var cc = new Raftpb.ConfChange { Type = ConfChangeType.ConfChangeAddNode, NodeId = peer.Id };
            _raft.ApplyConfChange(cc.AsV2());
        }
    }

    /// <summary>Advances the logical clock: election timeouts and heartbeats are counted in ticks.</summary>
    public void Tick() => _raft.Tick();

    /// <summary>Advances the election clock only, without heartbeats (for quiesced groups).</summary>
    public void TickQuiesced() => _raft.TickQuiesced();

    /// <summary>Starts an election now (a pre-election first when PreVote is on).</summary>
    public RaftError Campaign() => _raft.Step(new Message { Type = MessageType.MsgHup });

    /// <summary>Proposes <paramref name="data"/> for the log. <see cref="RaftError.ProposalDropped"/> when there
    /// is no leader to take it (see the error's documentation); success only means it was accepted for
    /// replication, not that it will commit.</summary>
    public RaftError Propose(ByteString data)
    {
        var m = new Message { Type = MessageType.MsgProp, From = _raft.Id };
        m.Entries.Add(new Entry { Data = data });
        return _raft.Step(m);
    }

    /// <summary>Proposes a configuration change (V1 or V2). Like any proposal it may be dropped; the leader also
    /// turns it into a no-op entry when another change is still unapplied or the change does not fit the joint
    /// state. Apply it, once committed, through <see cref="ApplyConfChange"/>.</summary>
    public RaftError ProposeConfChange(IConfChange cc)
    {
        var m = new Message { Type = MessageType.MsgProp };
        m.Entries.Add(new Entry { Type = cc.EntryType, Data = ConfChanges.Marshal(cc) });
        return _raft.Step(m);
    }

    /// <summary>Applies a committed configuration change and returns the new configuration, which the caller
    /// stores with its snapshots. Must be called for every committed conf change entry, in log order.</summary>
    public ConfState ApplyConfChange(IConfChange cc) => _raft.ApplyConfChange(cc.AsV2());

    /// <summary>Feeds a message received from a peer. Local message types are refused
    /// (<see cref="RaftError.StepLocalMsg"/>), as are responses from peers not in the configuration
    /// (<see cref="RaftError.StepPeerNotFound"/>).</summary>
    public RaftError Step(Message m)
    {
        if (Util.IsLocalMsg(m.Type))
        {
            return RaftError.StepLocalMsg;
        }
        if (_raft.Trk.Progress.ContainsKey(m.From) || !Util.IsResponseMsg(m.Type))
        {
            return _raft.Step(m);
        }
        return RaftError.StepPeerNotFound;
    }

    /// <summary>Collects what the caller must persist, send and apply. Process it (see <see cref="Cairn.Raft.Ready"/>),
    /// then call <see cref="Advance"/> before the next call to Ready (calling Ready twice throws). Meanwhile the node
    /// may still be ticked, stepped and proposed to; what that produces goes into the next Ready.</summary>
    public Ready Ready()
    {
        if (_outstanding is not null)
        {
            throw new InvalidOperationException("Ready called again before Advance");
        }
        var r = _raft;
        var entries = r.RaftLog.UnstableEntries();
        var snapshot = r.RaftLog.Unstable.Snapshot;
        bool hardChanged = HardStateChanged();
        var ready = new Ready
        {
            Entries = entries,
            CommittedEntries = r.RaftLog.NextEnts(),
            Messages = r.Msgs.Count == 0 ? Array.Empty<Message>() : r.TakeMessages(),
            SoftState = SoftStateChanged() ? r.SoftState() : null,
            HardState = hardChanged ? r.HardState() : null,
            Snapshot = snapshot,
            ReadStates = r.ReadStates.Count == 0 ? Array.Empty<ReadState>() : r.TakeReadStates(),
            // Term and vote are promises to other nodes, and entries or a snapshot may already be acknowledged:
            // all must survive a crash. A commit index can be recovered.
            MustSync = entries.Count > 0 || snapshot is not null || r.Term != _prevHardState.Term || r.Vote != _prevHardState.Vote,
        };
        if (ready.SoftState is not null)
        {
            _prevSoftState = ready.SoftState;
        }
        _outstanding = ready;
        return ready;
    }

    /// <summary>True when <see cref="Ready"/> has something to do.</summary>
    public bool HasReady()
    {
        var r = _raft;
        if (SoftStateChanged() || HardStateChanged())
        {
            return true;
        }
        if (r.RaftLog.HasPendingSnapshot())
        {
            return true;
        }
        if (r.Msgs.Count > 0 || r.RaftLog.Unstable.Entries.Count > 0 || r.RaftLog.HasNextEnts())
        {
            return true;
        }
        return r.ReadStates.Count > 0;
    }

    /// <summary>Tells the node that <paramref name="ready"/> has been processed: its entries, HardState and
    /// snapshot are durable, its messages sent and its committed entries applied.</summary>
    public void Advance(Ready ready)
    {
        if (!ReferenceEquals(ready, _outstanding))
        {
            throw new InvalidOperationException("Advance called with a Ready that is not the outstanding one");
        }
        _outstanding = null;
        if (ready.HardState is not null && !Util.IsEmptyHardState(ready.HardState))
        {
            _prevHardState = ready.HardState;
        }
        _raft.Advance(ready);
    }

    // Compared field by field: HasReady runs on every loop iteration and must not allocate.
    private bool SoftStateChanged() => _raft.Lead != _prevSoftState.Lead || _raft.State != _prevSoftState.RaftState;

    private bool HardStateChanged() =>
        _raft.Term != _prevHardState.Term || _raft.Vote != _prevHardState.Vote || _raft.RaftLog.Committed != _prevHardState.Commit;

    public Status Status() => Cairn.Raft.Status.Of(_raft);

    public BasicStatus BasicStatus() => Cairn.Raft.Status.BasicOf(_raft);

    /// <summary>The transport failed to deliver to <paramref name="id"/>: the leader stops streaming to it
    /// optimistically and probes instead.</summary>
    public void ReportUnreachable(ulong id) =>
        _raft.Step(new Message { Type = MessageType.MsgUnreachable, From = id });

    /// <summary>Reports the outcome of sending a snapshot (a MsgSnap in Ready.Messages) to <paramref name="id"/>.
    /// On failure the leader retries later; on success it resumes appending once the follower answers.</summary>
    public void ReportSnapshot(ulong id, SnapshotStatus status) =>
        _raft.Step(new Message { Type = MessageType.MsgSnapStatus, From = id, Reject = status == SnapshotStatus.Failure });

    /// <summary>Asks the leader to hand leadership to <paramref name="transferee"/> (§3.10 of the thesis): it
    /// brings the transferee's log up to date, then tells it to campaign (MsgTimeoutNow). Proposals are dropped
    /// meanwhile; the transfer is abandoned after an election timeout.</summary>
    public void TransferLeader(ulong transferee) =>
        _raft.Step(new Message { Type = MessageType.MsgTransferLeader, From = transferee });

    /// <summary>Requests a read index (§6.4); the answer arrives as a <see cref="ReadState"/> carrying
    /// <paramref name="requestContext"/>, which must be unique per request. Dropped silently when there is no
    /// leader; the caller retries on timeout.</summary>
    public void ReadIndex(ByteString requestContext)
    {
        var m = new Message { Type = MessageType.MsgReadIndex };
        m.Entries.Add(new Entry { Data = requestContext });
        _raft.Step(m);
    }
}

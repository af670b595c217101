using System;
using System.Collections.Generic;
using Cairn.Raft.Confchange;
using Cairn.Raft.Raftpb;
using Cairn.Raft.Tracker;

namespace Cairn.Raft;

/// <summary>
/// The Raft state machine of one node (etcd-io/raft's raft.go). It is driven entirely by its caller through
/// <see cref="Tick"/> and <see cref="Step"/>, and it produces messages (<see cref="Msgs"/>), read states and log
/// changes that <see cref="RawNode"/> packages as a <see cref="Ready"/>. Each role is a pair of functions swapped
/// on every transition: a tick function (<see cref="TickElection"/> or <see cref="TickHeartbeat"/>) and a step
/// function (<see cref="StepFollower"/>, <see cref="StepCandidate"/> or <see cref="StepLeader"/>).
/// <para>Split by concern: this file holds state and role transitions; Raft.Step.cs the message dispatch and
/// voting; Raft.Leader.cs, Raft.Candidate.cs and Raft.Follower.cs the role step functions; Raft.Replication.cs
/// appends, heartbeats and snapshots sent; Raft.ReadIndex.cs reads; Raft.ConfChange.cs membership.</para>
/// </summary>
internal sealed partial class Raft
{
    /// <summary>The ID meaning "nobody" (no leader, no vote).</summary>
    public const ulong None = 0;

    private readonly IRaftLogger _logger;
    private readonly Random _random;
    private readonly ulong _maxMsgSize;
    private readonly ulong _maxUncommittedSize;
    private readonly int _heartbeatTimeout;
    private readonly int _electionTimeout;
    private readonly bool _checkQuorum;
    private readonly bool _preVote;
    private readonly bool _disableProposalForwarding;
    private readonly ReadOnlyOption _readOnlyOption;

    // Swapped on every role change.
    private Action _tick;
    private Func<Message, RaftError> _step;

    // Payload bytes appended by this leader and not yet committed (MaxUncommittedEntriesSize).
    private ulong _uncommittedSize;
    private ReadOnly _readOnly;

    // Read requests received before this leader committed an entry of its term; answered once it has.
    private List<Message> _pendingReadIndexMessages = [];

    // Ticks since the last election timeout reset (followers/candidates) or the last CheckQuorum (leaders).
    private int _electionElapsed;
    private int _heartbeatElapsed;

    // A value in [electionTimeout, 2*electionTimeout), redrawn whenever the node resets to a new term.
    private int _randomizedElectionTimeout;

    public Raft(Config config)
    {
        config.Validate();
        _logger = config.Logger;
        _random = new Random(config.Seed);
        Id = config.Id;
        RaftLog = new RaftLog(config.Storage, _logger, config.EffectiveMaxCommittedSizePerReady);
        _maxMsgSize = config.MaxSizePerMsg;
        _maxUncommittedSize = config.EffectiveMaxUncommittedEntriesSize;
        _heartbeatTimeout = config.HeartbeatTick;
        _electionTimeout = config.ElectionTick;
        _checkQuorum = config.CheckQuorum;
        _preVote = config.PreVote;
        _disableProposalForwarding = config.DisableProposalForwarding;
        _readOnlyOption = config.ReadOnlyOption;
        _readOnly = new ReadOnly(_readOnlyOption);
        Trk = new ProgressTracker(config.MaxInflightMsgs, config.MaxInflightBytes);
        _tick = TickElection;
        _step = StepFollower;

        var (hardState, confState) = config.Storage.InitialState();
        var (cfg, progress) = Changer.Restore(new Changer(Trk, RaftLog.LastIndex()), confState);
        AssertConfStatesEquivalent(confState, SwitchToConfig(cfg, progress));

        if (!Util.IsEmptyHardState(hardState))
        {
            LoadState(hardState);
        }
        if (config.Applied > 0)
        {
            RaftLog.AppliedTo(config.Applied);
        }
        BecomeFollower(Term, None);

        _logger.Info($"newRaft {Id:x} [peers: {Trk.Config}, term: {Term}, commit: {RaftLog.Committed}, " +
                     $"applied: {RaftLog.Applied}, lastindex: {RaftLog.LastIndex()}, lastterm: {RaftLog.LastTerm()}]");
    }

    public ulong Id { get; }

    /// <summary>Current term (persisted in HardState).</summary>
    public ulong Term { get; private set; }

    /// <summary>Who this node voted for in <see cref="Term"/> (persisted in HardState).</summary>
    public ulong Vote { get; private set; }

    public RaftLog RaftLog { get; }

    public ProgressTracker Trk { get; private set; }

    public StateType State { get; private set; }

    /// <summary>True when this node is a learner in the current configuration.</summary>
    public bool IsLearner { get; private set; }

    /// <summary>The known leader of <see cref="Term"/>, or <see cref="None"/>.</summary>
    public ulong Lead { get; private set; }

    /// <summary>The target of an ongoing leadership transfer, or <see cref="None"/>.</summary>
    public ulong LeadTransferee { get; private set; }

    /// <summary>The log index of the latest conf change this leader proposed; no new conf change is accepted
    /// until the applied index passes it (one change at a time).</summary>
    public ulong PendingConfIndex { get; private set; }

    /// <summary>Outgoing messages, drained by <see cref="RawNode"/> into <see cref="Ready.Messages"/>.</summary>
    public List<Message> Msgs { get; private set; } = [];

    /// <summary>Confirmed read-index requests, drained into <see cref="Ready.ReadStates"/>.</summary>
    public List<ReadState> ReadStates { get; private set; } = [];

    public int ElectionElapsed => _electionElapsed;

    public int RandomizedElectionTimeout => _randomizedElectionTimeout;

    public SoftState SoftState() => new(Lead, State);

    public HardState HardState() => new() { Term = Term, Vote = Vote, Commit = RaftLog.Committed };

    /// <summary>Advances the logical clock by one tick.</summary>
    public void Tick() => _tick();

    /// <summary>Advances only the election clock (no heartbeats, no elections triggered).</summary>
    public void TickQuiesced() => _electionElapsed++;

    /// <summary>Hands the accumulated messages to the caller.</summary>
    public List<Message> TakeMessages()
    {
        var msgs = Msgs;
        Msgs = [];
        return msgs;
    }

    public List<ReadState> TakeReadStates()
    {
        var rs = ReadStates;
        ReadStates = [];
        return rs;
    }

    public void BecomeFollower(ulong term, ulong lead)
    {
        _step = StepFollower;
        Reset(term);
        _tick = TickElection;
        Lead = lead;
        State = StateType.Follower;
        _logger.Info($"{Id:x} became follower at term {Term}");
    }

    public void BecomeCandidate()
    {
        if (State == StateType.Leader)
        {
            throw new InvalidOperationException("invalid transition [leader -> candidate]");
        }
        _step = StepCandidate;
        Reset(Term + 1);
        _tick = TickElection;
        Vote = Id;
        State = StateType.Candidate;
        _logger.Info($"{Id:x} became candidate at term {Term}");
    }

    /// <summary>Enters the pre-election (§9.6 of the thesis): neither the term nor the vote changes, so a node
    /// that cannot win does not disturb the cluster.</summary>
    public void BecomePreCandidate()
    {
        if (State == StateType.Leader)
        {
            throw new InvalidOperationException("invalid transition [leader -> pre-candidate]");
        }
        _step = StepCandidate;
        Trk.ResetVotes();
        _tick = TickElection;
        Lead = None;
        State = StateType.PreCandidate;
        _logger.Info($"{Id:x} became pre-candidate at term {Term}");
    }

    public void BecomeLeader()
    {
        if (State == StateType.Follower)
        {
            throw new InvalidOperationException("invalid transition [follower -> leader]");
        }
        _step = StepLeader;
        Reset(Term);
        _tick = TickHeartbeat;
        Lead = Id;
        State = StateType.Leader;
        // The leader's own progress is always replicating and active.
        var self = Trk.Progress[Id];
        self.BecomeReplicate();
        self.RecentActive = true;

        // Conservatively treat every uncommitted entry as a possible conf change: no new conf change is accepted
        // until they are all applied.
        PendingConfIndex = RaftLog.LastIndex();

        // An empty entry of the new term: committing it commits everything before it (§5.4.2) and tells the
        // leader its commit index (§8).
        if (!AppendEntry([new Entry()]))
        {
            throw new InvalidOperationException("empty entry was dropped");
        }
        _logger.Info($"{Id:x} became leader at term {Term}");
    }

    private void Reset(ulong term)
    {
        if (Term != term)
        {
            Term = term;
            Vote = None;
        }
        Lead = None;
        _electionElapsed = 0;
        _heartbeatElapsed = 0;
        ResetRandomizedElectionTimeout();
        AbortLeaderTransfer();
        Trk.ResetVotes();
        ulong lastIndex = RaftLog.LastIndex();
        foreach (ulong id in Trk.Progress.Ids)
        {
            var old = Trk.Progress[id];
            Trk.Progress[id] = new Progress(new Inflights(Trk.MaxInflight, Trk.MaxInflightBytes))
            {
                Match = id == Id ? lastIndex : 0,
                Next = lastIndex + 1,
                IsLearner = old.IsLearner,
            };
        }
        PendingConfIndex = 0;
        _uncommittedSize = 0;
        _readOnly = new ReadOnly(_readOnlyOption);
        _pendingReadIndexMessages = [];
    }

    private void ResetRandomizedElectionTimeout() =>
        _randomizedElectionTimeout = _electionTimeout + _random.Next(_electionTimeout);

    /// <summary>True once the randomized election timeout has elapsed.</summary>
    public bool PastElectionTimeout() => _electionElapsed >= _randomizedElectionTimeout;

    /// <summary>Followers, candidates: campaign when the election timeout passes without word from a leader.</summary>
    private void TickElection()
    {
        _electionElapsed++;
        if (Promotable() && PastElectionTimeout())
        {
            _electionElapsed = 0;
            Step(new Message { From = Id, Type = MessageType.MsgHup });
        }
    }

    /// <summary>Leaders: send heartbeats, and every election timeout check that a quorum is still there.</summary>
    private void TickHeartbeat()
    {
        _heartbeatElapsed++;
        _electionElapsed++;

        if (_electionElapsed >= _electionTimeout)
        {
            _electionElapsed = 0;
            if (_checkQuorum)
            {
                Step(new Message { From = Id, Type = MessageType.MsgCheckQuorum });
            }
            // A transfer that did not finish within an election timeout is abandoned.
            if (State == StateType.Leader && LeadTransferee != None)
            {
                _logger.Info($"{Id:x} [term {Term}] abort transferring leadership to {LeadTransferee:x} after an election timeout");
                AbortLeaderTransfer();
            }
        }

        if (State != StateType.Leader)
        {
            return;
        }

        if (_heartbeatElapsed >= _heartbeatTimeout)
        {
            _heartbeatElapsed = 0;
            Step(new Message { From = Id, Type = MessageType.MsgBeat });
        }
    }

    /// <summary>Whether this node may become leader: it is a voter and is not installing a snapshot.</summary>
    public bool Promotable()
    {
        var pr = Trk.Progress.Get(Id);
        return pr is not null && !pr.IsLearner && !RaftLog.HasPendingSnapshot();
    }

    /// <summary>Appends entries proposed to this leader, stamping term and index. Returns false (dropping them)
    /// when they would exceed the uncommitted-size limit.</summary>
    private bool AppendEntry(IList<Entry> entries)
    {
        ulong lastIndex = RaftLog.LastIndex();
        for (int i = 0; i < entries.Count; i++)
        {
            entries[i].Term = Term;
            entries[i].Index = lastIndex + 1 + (ulong)i;
        }
        if (!IncreaseUncommittedSize(entries))
        {
            _logger.Warning($"{Id:x} appending new entries to log would exceed uncommitted entry size limit; dropping proposal");
            return false;
        }
        lastIndex = RaftLog.Append((IReadOnlyList<Entry>)entries);
        // The leader's own append counts toward the quorum at once: the caller persists these entries before it
        // applies anything committed with them (Ready contract), so the count cannot get ahead of the disk.
        Trk.Progress.Get(Id)?.MaybeUpdate(lastIndex);
        MaybeCommit();
        return true;
    }

    /// <summary>Advances the commit index to what a quorum has matched, if that entry is from this term.</summary>
    private bool MaybeCommit() => RaftLog.MaybeCommit(Trk.Committed(), Term);

    private bool IncreaseUncommittedSize(IList<Entry> entries)
    {
        ulong size = 0;
        foreach (var e in entries)
        {
            size += Util.PayloadSize(e);
        }
        // An empty tail accepts any proposal, and empty entries (a new leader's entry, auto-leave) always fit.
        if (_uncommittedSize > 0 && size > 0 && _uncommittedSize + size > _maxUncommittedSize)
        {
            return false;
        }
        _uncommittedSize += size;
        return true;
    }

    /// <summary>Entries were committed: their payloads no longer count against the uncommitted limit.</summary>
    public void ReduceUncommittedSize(IReadOnlyList<Entry> committed)
    {
        if (State != StateType.Leader)
        {
            return;
        }
        ulong size = Util.PayloadsSize(committed);
        _uncommittedSize = size > _uncommittedSize ? 0 : _uncommittedSize - size;
    }

    private void LoadState(HardState state)
    {
        if (state.Commit < RaftLog.Committed || state.Commit > RaftLog.LastIndex())
        {
            throw new InvalidOperationException(
                $"{Id:x} state.commit {state.Commit} is out of range [{RaftLog.Committed}, {RaftLog.LastIndex()}]");
        }
        RaftLog.CommitTo(state.Commit);
        Term = state.Term;
        Vote = state.Vote;
    }

    /// <summary>Called once the caller has processed a Ready: entries and snapshot are stable, committed entries
    /// applied. A leader then leaves an auto-leave joint configuration as soon as it is applied.</summary>
    public void Advance(Ready ready)
    {
        ReduceUncommittedSize(ready.CommittedEntries);
        ulong newApplied = ready.AppliedCursor();
        if (newApplied > 0)
        {
            ulong oldApplied = RaftLog.Applied;
            RaftLog.AppliedTo(newApplied);
            if (Trk.Config.AutoLeave && oldApplied <= PendingConfIndex && newApplied >= PendingConfIndex &&
                State == StateType.Leader)
            {
                // An empty ConfChangeV2 leaves the joint configuration; being empty it can never be refused.
                if (!AppendEntry([new Entry { Type = EntryType.EntryConfChangeV2 }]))
                {
                    throw new InvalidOperationException("refused un-refusable auto-leaving ConfChangeV2");
                }
                PendingConfIndex = RaftLog.LastIndex();
                _logger.Info($"initiating automatic transition out of joint configuration {Trk.Config}");
                BcastAppend();
            }
        }
        if (ready.Entries.Count > 0)
        {
            var last = ready.Entries[^1];
            RaftLog.StableTo(last.Index, last.Term);
        }
        if (!Util.IsEmptySnap(ready.Snapshot))
        {
            RaftLog.StableSnapTo(ready.Snapshot!.Metadata.Index);
        }
    }
}

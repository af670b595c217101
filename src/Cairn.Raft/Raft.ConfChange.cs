using System;
using Cairn.Raft.Confchange;
using Cairn.Raft.Raftpb;
using Cairn.Raft.Tracker;

namespace Cairn.Raft;

internal sealed partial class Raft
{
    /// <summary>
    /// Applies a committed configuration change (the caller does this when it applies the entry) and returns the
    /// resulting configuration. An empty V2 change leaves a joint configuration; a change that names an explicit
    /// joint transition or several nodes enters one; anything else is a simple one-node change.
    /// </summary>
    public ConfState ApplyConfChange(ConfChangeV2 cc)
    {
        var changer = new Changer(Trk, RaftLog.LastIndex());
        (TrackerConfig Config, ProgressMap Progress) result;
        if (cc.LeaveJoint())
        {
            result = changer.LeaveJoint().Unwrap();
        }
        else if (cc.EnterJoint(out bool autoLeave))
        {
            result = changer.EnterJoint(autoLeave, cc.Changes).Unwrap();
        }
        else
        {
            result = changer.Simple(cc.Changes).Unwrap();
        }
        return SwitchToConfig(result.Config, result.Progress);
    }

    /// <summary>
    /// Makes <paramref name="config"/> the active configuration. A leader then commits what the new quorum allows
    /// and probes new peers at once; a leader transfer to a peer that is no longer a voter is abandoned.
    /// </summary>
    private ConfState SwitchToConfig(TrackerConfig config, ProgressMap progress)
    {
        Trk.Config = config;
        Trk.Progress = progress;
        _logger.Info($"{Id:x} switched to configuration {Trk.Config}");
        var cs = Trk.ConfState();
        var self = Trk.Progress.Get(Id);
        IsLearner = self is not null && self.IsLearner;

        if ((self is null || IsLearner) && State == StateType.Leader)
        {
            // This leader was removed (or demoted). It keeps serving the current term without counting itself,
            // refuses new proposals, and stops when a new leader appears or CheckQuorum removes it.
            return cs;
        }
        if (State != StateType.Leader || cs.Voters.Count == 0)
        {
            return cs;
        }
        if (MaybeCommit())
        {
            // The new quorum commits more: tell everyone.
            BcastAppend();
        }
        else
        {
            // Probe new peers now rather than at the next heartbeat or proposal.
            foreach (ulong id in Trk.Progress.Ids)
            {
                if (id != Id)
                {
                    MaybeSendAppend(id, sendIfEmpty: false);
                }
            }
        }
        if (LeadTransferee != None && !Trk.Config.Voters.Contains(LeadTransferee))
        {
            AbortLeaderTransfer();
        }
        return cs;
    }

    /// <summary>
    /// Installs a snapshot received from the leader: the log is replaced and the configuration restored from the
    /// snapshot's ConfState. Returns false when the snapshot is ignored (it is not newer than our commit index,
    /// our log already contains it, or it does not include us).
    /// </summary>
    private bool Restore(Snapshot snapshot)
    {
        var meta = snapshot.Metadata;
        if (meta.Index <= RaftLog.Committed)
        {
            return false;
        }
        if (State != StateType.Follower)
        {
            // Defense in depth: only a follower installs snapshots. A leader or candidate that somehow got here
            // moves to a new term as a follower rather than keep leading with a replaced log.
            _logger.Warning($"{Id:x} attempted to restore snapshot as leader; should never happen");
            BecomeFollower(Term + 1, None);
            return false;
        }
        var cs = meta.ConfState ?? new ConfState();
        bool found = cs.Voters.Contains(Id) || cs.Learners.Contains(Id) || cs.VotersOutgoing.Contains(Id);
        if (!found)
        {
            // LearnersNext need not be checked: such a node is also an outgoing voter.
            _logger.Warning($"{Id:x} attempted to restore snapshot but it is not in the ConfState {Util.DescribeConfState(cs)}; should never happen");
            return false;
        }
        if (RaftLog.MatchTerm(meta.Index, meta.Term))
        {
            // Our log already holds the snapshot's last entry: just fast-forward the commit index.
            _logger.Info($"{Id:x} [commit: {RaftLog.Committed}, lastindex: {RaftLog.LastIndex()}, lastterm: {RaftLog.LastTerm()}] " +
                         $"fast-forwarded commit to snapshot [index: {meta.Index}, term: {meta.Term}]");
            RaftLog.CommitTo(meta.Index);
            return false;
        }

        RaftLog.Restore(snapshot);
        // Rebuild the configuration and progress from the snapshot.
        Trk = new ProgressTracker(Trk.MaxInflight, Trk.MaxInflightBytes);
        var (config, progress) = Changer.Restore(new Changer(Trk, RaftLog.LastIndex()), cs);
        AssertConfStatesEquivalent(cs, SwitchToConfig(config, progress));
        _logger.Info($"{Id:x} [commit: {RaftLog.Committed}, lastindex: {RaftLog.LastIndex()}, lastterm: {RaftLog.LastTerm()}] " +
                     $"restored snapshot [index: {meta.Index}, term: {meta.Term}]");
        return true;
    }

    private static void AssertConfStatesEquivalent(ConfState expected, ConfState actual)
    {
        if (!expected.Equivalent(actual))
        {
            throw new InvalidOperationException(
                $"ConfStates not equivalent after sorting: {Util.DescribeConfState(expected)} vs {Util.DescribeConfState(actual)}");
        }
    }
}

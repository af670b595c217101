using System;
using Cairn.Raft.Quorum;
using Cairn.Raft.Raftpb;
using Cairn.Raft.Tracker;

namespace Cairn.Raft;

internal sealed partial class Raft
{
    /// <summary>The leader's step function.</summary>
    private RaftError StepLeader(Message m)
    {
        // Messages that need no progress of the sender.
        switch (m.Type)
        {
            case MessageType.MsgBeat:
                BcastHeartbeat();
                return RaftError.None;
            case MessageType.MsgCheckQuorum:
                if (!Trk.QuorumActive())
                {
                    _logger.Warning($"{Id:x} stepped down to follower since quorum is not active");
                    BecomeFollower(Term, None);
                }
                // Everyone but us must prove they are alive again before the next check.
                foreach (var (id, pr) in Trk.Progress)
                {
                    if (id != Id)
                    {
                        pr.RecentActive = false;
                    }
                }
                return RaftError.None;
            case MessageType.MsgProp:
                return HandleProposal(m);
            case MessageType.MsgReadIndex:
                HandleReadIndexAsLeader(m);
                return RaftError.None;
        }

        // Everything else is a response or request from a tracked peer.
        var progress = Trk.Progress.Get(m.From);
        if (progress is null)
        {
            if (_logger.IsDebugEnabled)
            {
                _logger.Debug($"{Id:x} no progress available for {m.From:x}");
            }
            return RaftError.None;
        }
        switch (m.Type)
        {
            case MessageType.MsgAppResp:
                HandleAppendResponse(m, progress);
                break;
            case MessageType.MsgHeartbeatResp:
                HandleHeartbeatResponse(m, progress);
                break;
            case MessageType.MsgSnapStatus:
                if (progress.State != ProgressState.Snapshot)
                {
                    return RaftError.None;
                }
                if (m.Reject)
                {
                    // The snapshot did not arrive: forget it and probe again.
                    progress.PendingSnapshot = 0;
                }
                progress.BecomeProbe();
                if (_logger.IsDebugEnabled)
                {
                    _logger.Debug($"{Id:x} snapshot {(m.Reject ? "failed" : "succeeded")}, resumed sending replication messages to {m.From:x} [{progress}]");
                }
                // After success wait for the follower's append response before appending again; after failure,
                // wait for a heartbeat interval before retrying.
                progress.MsgAppFlowPaused = true;
                break;
            case MessageType.MsgUnreachable:
                // An optimistic append to an unreachable peer was probably lost: fall back to probing.
                if (progress.State == ProgressState.Replicate)
                {
                    progress.BecomeProbe();
                }
                if (_logger.IsDebugEnabled)
                {
                    _logger.Debug($"{Id:x} failed to send message to {m.From:x} because it is unreachable [{progress}]");
                }
                break;
            case MessageType.MsgTransferLeader:
                HandleTransferLeader(m, progress);
                break;
        }
        return RaftError.None;
    }

    private RaftError HandleProposal(Message m)
    {
        if (m.Entries.Count == 0)
        {
            throw new InvalidOperationException($"{Id:x} stepped empty MsgProp");
        }
        if (!Trk.Progress.ContainsKey(Id))
        {
            // This leader was removed from the configuration while leading: it must not append any more.
            return RaftError.ProposalDropped;
        }
        if (LeadTransferee != None)
        {
            if (_logger.IsDebugEnabled)
            {
                _logger.Debug($"{Id:x} [term {Term}] transfer leadership to {LeadTransferee:x} is in progress; dropping proposal");
            }
            return RaftError.ProposalDropped;
        }

        for (int i = 0; i < m.Entries.Count; i++)
        {
            var e = m.Entries[i];
            IConfChange? cc = e.Type switch
            {
                EntryType.EntryConfChange => Raftpb.ConfChange.Parser.ParseFrom(e.Data),
                EntryType.EntryConfChangeV2 => ConfChangeV2.Parser.ParseFrom(e.Data),
                _ => null,
            };
            if (cc is null)
            {
                continue;
            }
            bool alreadyPending = PendingConfIndex > RaftLog.Applied;
            bool alreadyJoint = Trk.Config.Voters.IsJoint;
            bool wantsLeaveJoint = cc.AsV2().Changes.Count == 0;

            string? refused = null;
            if (alreadyPending)
            {
                refused = $"possible unapplied conf change at index {PendingConfIndex} (applied to {RaftLog.Applied})";
            }
            else if (alreadyJoint && !wantsLeaveJoint)
            {
                refused = "must transition out of joint config first";
            }
            else if (!alreadyJoint && wantsLeaveJoint)
            {
                refused = "not in joint state; refusing empty conf change";
            }

            if (refused is not null)
            {
                // The entry keeps its slot but becomes a no-op, so the proposer sees it commit without effect.
                _logger.Info($"{Id:x} ignoring conf change {Util.DescribeConfChangeV2(cc.AsV2())} at config {Trk.Config}: {refused}");
                m.Entries[i] = new Entry { Type = EntryType.EntryNormal };
            }
            else
            {
                PendingConfIndex = RaftLog.LastIndex() + (ulong)i + 1;
            }
        }

        // Fresh entries: the proposal's may be shared with its sender (an in-memory transport, a duplicated
        // message), and appending stamps term and index on them.
        var entries = new Entry[m.Entries.Count];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = new Entry { Type = m.Entries[i].Type, Data = m.Entries[i].Data };
        }
        if (!AppendEntry(entries))
        {
            return RaftError.ProposalDropped;
        }
        BcastAppend();
        return RaftError.None;
    }

    private void HandleAppendResponse(Message m, Progress pr)
    {
        pr.RecentActive = true;
        if (m.Reject)
        {
            if (_logger.IsDebugEnabled)
            {
                _logger.Debug($"{Id:x} received MsgAppResp(rejected, hint: (index {m.RejectHint}, term {m.LogTerm})) from {m.From:x} for index {m.Index}");
            }
            // The follower's hint names the last index where its log may match ours, and that entry's term.
            // Skip back over all of our entries with a larger term: none of them can match (§5.3 optimization).
            ulong nextProbeIndex = m.RejectHint;
            if (m.LogTerm > 0)
            {
                nextProbeIndex = RaftLog.FindConflictByTerm(m.RejectHint, m.LogTerm).Index;
            }
            if (pr.MaybeDecrTo(m.Index, nextProbeIndex))
            {
                if (_logger.IsDebugEnabled)
                {
                    _logger.Debug($"{Id:x} decreased progress of {m.From:x} to [{pr}]");
                }
                if (pr.State == ProgressState.Replicate)
                {
                    pr.BecomeProbe();
                }
                SendAppend(m.From);
            }
            return;
        }

        if (!pr.MaybeUpdate(m.Index) && !(pr.Match == m.Index && pr.State == ProgressState.Probe))
        {
            return;
        }
        switch (pr.State)
        {
            case ProgressState.Probe:
                pr.BecomeReplicate();
                break;
            case ProgressState.Snapshot when pr.Match + 1 >= RaftLog.FirstIndex():
                // The follower caught up past our compaction point (through the snapshot or otherwise): the log
                // can carry it from here. Probe first so Next is reset from Match, then replicate.
                if (_logger.IsDebugEnabled)
                {
                    _logger.Debug($"{Id:x} recovered from needing snapshot, resumed sending replication messages to {m.From:x} [{pr}]");
                }
                pr.BecomeProbe();
                pr.BecomeReplicate();
                break;
            case ProgressState.Replicate:
                pr.Inflights.FreeLE(m.Index);
                break;
        }

        if (MaybeCommit())
        {
            // An entry of this term committed: pending reads can be answered, and everyone learns the commit.
            ReleasePendingReadIndexMessages();
            BcastAppend();
        }
        else if (pr.CanBumpCommit(RaftLog.Committed))
        {
            // The follower may not know the latest commit index; tell it now rather than at the next heartbeat.
            SendAppend(m.From);
        }
        // Acknowledgements may have opened the flow-control window: send as much as it allows, without empty
        // messages.
        while (MaybeSendAppend(m.From, sendIfEmpty: false))
        {
        }
        // A transfer target that has caught up is told to campaign at once.
        if (m.From == LeadTransferee && pr.Match == RaftLog.LastIndex())
        {
            _logger.Info($"{Id:x} sent MsgTimeoutNow to {m.From:x} after received MsgAppResp");
            SendTimeoutNow(m.From);
        }
    }

    private void HandleHeartbeatResponse(Message m, Progress pr)
    {
        pr.RecentActive = true;
        pr.MsgAppFlowPaused = false;
        // The heartbeat response proves the follower is reachable. Send an append even when the inflight window is
        // full (it goes out empty then): should every append in the window have been lost, its response frees the
        // window. A caught-up follower in probe state gets one too, so that it can return to replicating.
        if (pr.Match < RaftLog.LastIndex() || pr.State == ProgressState.Probe)
        {
            SendAppend(m.From);
        }

        if (_readOnly.Option != ReadOnlyOption.Safe || m.Context.IsEmpty)
        {
            return;
        }
        var acks = _readOnly.RecvAck(m.From, m.Context);
        if (acks is null || Trk.Config.Voters.VoteResult(acks) != VoteResult.Won)
        {
            return;
        }
        // A quorum confirmed our leadership after these reads arrived: answer them, oldest first.
        foreach (var rs in _readOnly.Advance(m))
        {
            RespondToReadIndexRequest(rs.Request, rs.Index);
        }
    }

    private void HandleTransferLeader(Message m, Progress pr)
    {
        if (pr.IsLearner)
        {
            if (_logger.IsDebugEnabled)
            {
                _logger.Debug($"{Id:x} is learner. Ignored transferring leadership");
            }
            return;
        }
        ulong transferee = m.From;
        if (LeadTransferee != None)
        {
            if (LeadTransferee == transferee)
            {
                _logger.Info($"{Id:x} [term {Term}] transfer leadership to {transferee:x} is in progress, ignores request to same node");
                return;
            }
            AbortLeaderTransfer();
            _logger.Info($"{Id:x} [term {Term}] abort previous transferring leadership to {LeadTransferee:x}");
        }
        if (transferee == Id)
        {
            if (_logger.IsDebugEnabled)
            {
                _logger.Debug($"{Id:x} is already leader. Ignored transferring leadership to self");
            }
            return;
        }
        _logger.Info($"{Id:x} [term {Term}] starts to transfer leadership to {transferee:x}");
        // The transfer must finish within an election timeout; proposals are refused meanwhile.
        _electionElapsed = 0;
        LeadTransferee = transferee;
        if (pr.Match == RaftLog.LastIndex())
        {
            SendTimeoutNow(transferee);
            _logger.Info($"{Id:x} sends MsgTimeoutNow to {transferee:x} immediately as {transferee:x} already has up-to-date log");
        }
        else
        {
            SendAppend(transferee);
        }
    }

    private void SendTimeoutNow(ulong to) => Send(new Message { To = to, Type = MessageType.MsgTimeoutNow });

    private void AbortLeaderTransfer() => LeadTransferee = None;
}

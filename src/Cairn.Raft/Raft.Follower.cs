using Cairn.Raft.Raftpb;

namespace Cairn.Raft;

internal sealed partial class Raft
{
    /// <summary>The follower's step function.</summary>
    private RaftError StepFollower(Message m)
    {
        switch (m.Type)
        {
            case MessageType.MsgProp:
                if (Lead == None)
                {
                    _logger.Info($"{Id:x} no leader at term {Term}; dropping proposal");
                    return RaftError.ProposalDropped;
                }
                if (_disableProposalForwarding)
                {
                    _logger.Info($"{Id:x} not forwarding to leader {Lead:x} at term {Term}; dropping proposal");
                    return RaftError.ProposalDropped;
                }
                m.To = Lead;
                Send(m);
                break;
            case MessageType.MsgApp:
                _electionElapsed = 0;
                Lead = m.From;
                HandleAppendEntries(m);
                break;
            case MessageType.MsgHeartbeat:
                _electionElapsed = 0;
                Lead = m.From;
                HandleHeartbeat(m);
                break;
            case MessageType.MsgSnap:
                _electionElapsed = 0;
                Lead = m.From;
                HandleSnapshot(m);
                break;
            case MessageType.MsgTransferLeader:
                if (Lead == None)
                {
                    _logger.Info($"{Id:x} no leader at term {Term}; dropping leader transfer msg");
                    return RaftError.None;
                }
                m.To = Lead;
                Send(m);
                break;
            case MessageType.MsgTimeoutNow:
                // The leader hands over: campaign at once. Transfers skip PreVote; the leader vouches for us.
                _logger.Info($"{Id:x} [term {Term}] received MsgTimeoutNow from {m.From:x} and starts an election to get leadership.");
                Hup(CampaignType.Transfer);
                break;
            case MessageType.MsgReadIndex:
                if (Lead == None)
                {
                    _logger.Info($"{Id:x} no leader at term {Term}; dropping index reading msg");
                    return RaftError.None;
                }
                m.To = Lead;
                Send(m);
                break;
            case MessageType.MsgReadIndexResp:
                if (m.Entries.Count != 1)
                {
                    _logger.Error($"{Id:x} invalid format of MsgReadIndexResp from {m.From:x}, entries count: {m.Entries.Count}");
                    return RaftError.None;
                }
                ReadStates.Add(new ReadState(m.Index, m.Entries[0].Data));
                break;
        }
        return RaftError.None;
    }

    /// <summary>§5.3: accept entries that follow a matching (index, term); otherwise reject with a hint.</summary>
    private void HandleAppendEntries(Message m)
    {
        if (m.Index < RaftLog.Committed)
        {
            // Everything up to our commit index is settled; tell the leader where we are.
            Send(new Message { To = m.From, Type = MessageType.MsgAppResp, Index = RaftLog.Committed });
            return;
        }
        if (RaftLog.MaybeAppend(m.Index, m.LogTerm, m.Commit, m.Entries, out ulong lastNewIndex))
        {
            Send(new Message { To = m.From, Type = MessageType.MsgAppResp, Index = lastNewIndex });
            return;
        }
        if (_logger.IsDebugEnabled)
        {
            _logger.Debug($"{Id:x} [logterm: {RaftLog.ZeroTermOnOutOfBounds(m.Index)}, index: {m.Index}] rejected MsgApp [logterm: {m.LogTerm}, index: {m.Index}] from {m.From:x}");
        }
        // Hint the largest index at which our logs may agree: the last of our entries at or below m.Index whose
        // term is at most m.LogTerm. The leader skips back past every term that cannot match.
        ulong hintIndex = System.Math.Min(m.Index, RaftLog.LastIndex());
        var (index, term) = RaftLog.FindConflictByTerm(hintIndex, m.LogTerm);
        Send(new Message
        {
            To = m.From,
            Type = MessageType.MsgAppResp,
            Index = m.Index,
            Reject = true,
            RejectHint = index,
            LogTerm = term,
        });
    }

    private void HandleHeartbeat(Message m)
    {
        // The leader sends min(our match, its commit), so this never passes our log.
        RaftLog.CommitTo(m.Commit);
        Send(new Message { To = m.From, Type = MessageType.MsgHeartbeatResp, Context = m.Context });
    }

    private void HandleSnapshot(Message m)
    {
        if (Util.IsEmptySnap(m.Snapshot))
        {
            _logger.Warning($"{Id:x} ignored MsgSnap from {m.From:x} without a snapshot");
            Send(new Message { To = m.From, Type = MessageType.MsgAppResp, Index = RaftLog.Committed });
            return;
        }
        var meta = m.Snapshot.Metadata;
        if (Restore(m.Snapshot))
        {
            _logger.Info($"{Id:x} [commit: {RaftLog.Committed}] restored snapshot [index: {meta.Index}, term: {meta.Term}]");
            Send(new Message { To = m.From, Type = MessageType.MsgAppResp, Index = RaftLog.LastIndex() });
        }
        else
        {
            _logger.Info($"{Id:x} [commit: {RaftLog.Committed}] ignored snapshot [index: {meta.Index}, term: {meta.Term}]");
            Send(new Message { To = m.From, Type = MessageType.MsgAppResp, Index = RaftLog.Committed });
        }
    }
}

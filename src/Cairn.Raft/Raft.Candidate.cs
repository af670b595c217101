using Cairn.Raft.Quorum;
using Cairn.Raft.Raftpb;

namespace Cairn.Raft;

internal sealed partial class Raft
{
    /// <summary>The step function of candidates and pre-candidates.</summary>
    private RaftError StepCandidate(Message m)
    {
        // Only votes of our own kind count: a pre-candidate ignores stale MsgVoteResp and vice versa.
        var myVoteRespType = State == StateType.PreCandidate ? MessageType.MsgPreVoteResp : MessageType.MsgVoteResp;
        switch (m.Type)
        {
            case MessageType.MsgProp:
                _logger.Info($"{Id:x} no leader at term {Term}; dropping proposal");
                return RaftError.ProposalDropped;
            case MessageType.MsgApp:
                // §5.2: an append from a leader of our term (or newer) means the election is lost.
                BecomeFollower(m.Term, m.From);
                HandleAppendEntries(m);
                break;
            case MessageType.MsgHeartbeat:
                BecomeFollower(m.Term, m.From);
                HandleHeartbeat(m);
                break;
            case MessageType.MsgSnap:
                BecomeFollower(m.Term, m.From);
                HandleSnapshot(m);
                break;
            case MessageType.MsgTimeoutNow:
                if (_logger.IsDebugEnabled)
                {
                    _logger.Debug($"{Id:x} [term {Term} state {State}] ignored MsgTimeoutNow from {m.From:x}");
                }
                break;
            default:
                if (m.Type == myVoteRespType)
                {
                    switch (Poll(m.From, m.Type, !m.Reject))
                    {
                        case VoteResult.Won:
                            if (State == StateType.PreCandidate)
                            {
                                Campaign(CampaignType.Election);
                            }
                            else
                            {
                                BecomeLeader();
                                BcastAppend();
                            }
                            break;
                        case VoteResult.Lost:
                            // A pre-vote rejection may carry a future term we never adopted: keep our own.
                            BecomeFollower(Term, None);
                            break;
                    }
                }
                break;
        }
        return RaftError.None;
    }
}

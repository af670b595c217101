using System;
using Cairn.Raft.Quorum;
using Cairn.Raft.Raftpb;
using Google.Protobuf;

namespace Cairn.Raft;

/// <summary>How an election is started.</summary>
internal enum CampaignType
{
    /// <summary>A pre-election (PreVote): probe whether a real election could be won, without a new term.</summary>
    PreElection,

    /// <summary>A normal election (§5.2).</summary>
    Election,

    /// <summary>A leader transfer: the old leader asked us to run now (MsgTimeoutNow); voters ignore their lease.</summary>
    Transfer,
}

internal sealed partial class Raft
{
    /// <summary>The context of a transfer campaign's vote requests, which lets them override a voter's lease.</summary>
    internal static readonly ByteString CampaignTransferContext = ByteString.CopyFromUtf8("CampaignTransfer");

    /// <summary>
    /// Handles one message: first the term rules every role shares (§5.1: adopt a newer term, reject an older one;
    /// §5.2: grant at most one vote per term; §5.4.1: only to an up-to-date candidate), then the role's step
    /// function. Local messages (MsgHup, MsgBeat, MsgProp, ...) carry term 0.
    /// </summary>
    public RaftError Step(Message m)
    {
        if (m.Term == 0)
        {
            // Local message.
        }
        else if (m.Term > Term)
        {
            if (m.Type is MessageType.MsgVote or MessageType.MsgPreVote)
            {
                bool force = m.Context.Equals(CampaignTransferContext);
                bool inLease = _checkQuorum && Lead != None && _electionElapsed < _electionTimeout;
                if (!force && inLease)
                {
                    // We heard from a leader within the minimum election timeout: do not let a partitioned or
                    // removed node depose it (thesis §4.2.3).
                    _logger.Info($"{Id:x} [logterm: {RaftLog.LastTerm()}, index: {RaftLog.LastIndex()}, vote: {Vote:x}] " +
                                 $"ignored {m.Type} from {m.From:x} at term {Term}: lease is not expired " +
                                 $"(remaining ticks: {_electionTimeout - _electionElapsed})");
                    return RaftError.None;
                }
            }
            if (m.Type == MessageType.MsgPreVote)
            {
                // Never change our term in response to a PreVote.
            }
            else if (m.Type == MessageType.MsgPreVoteResp && !m.Reject)
            {
                // A pre-vote grant carries the term we would campaign at; only a real election changes our term,
                // and a rejection carries the voter's actual (newer) term, handled below.
            }
            else
            {
                _logger.Info($"{Id:x} [term: {Term}] received a {m.Type} message with higher term from {m.From:x} [term: {m.Term}]");
                bool fromLeader = m.Type is MessageType.MsgApp or MessageType.MsgHeartbeat or MessageType.MsgSnap;
                BecomeFollower(m.Term, fromLeader ? m.From : None);
            }
        }
        else if (m.Term < Term)
        {
            if ((_checkQuorum || _preVote) && m.Type is MessageType.MsgHeartbeat or MessageType.MsgApp)
            {
                // A stale leader (likely partitioned away) keeps sending. With CheckQuorum or PreVote it would
                // never learn of the new term from our votes, so tell it with a response at our term.
                Send(new Message { To = m.From, Type = MessageType.MsgAppResp });
            }
            else if (m.Type == MessageType.MsgPreVote)
            {
                // Reject so that the pre-candidate learns about the newer term and stops.
                Send(new Message { To = m.From, Term = Term, Type = MessageType.MsgPreVoteResp, Reject = true });
            }
            else
            {
                _logger.Info($"{Id:x} [term: {Term}] ignored a {m.Type} message with lower term from {m.From:x} [term: {m.Term}]");
            }
            return RaftError.None;
        }

        switch (m.Type)
        {
            case MessageType.MsgHup:
                Hup(_preVote ? CampaignType.PreElection : CampaignType.Election);
                return RaftError.None;
            case MessageType.MsgVote:
            case MessageType.MsgPreVote:
                HandleVoteRequest(m);
                return RaftError.None;
            default:
                return _step(m);
        }
    }

    /// <summary>§5.2, §5.4.1: grant a vote when we have not voted for someone else this term (a pre-vote for a
    /// future term is always allowed) and the candidate's log is at least as up to date as ours.</summary>
    private void HandleVoteRequest(Message m)
    {
        bool canVote = Vote == m.From ||
                       (Vote == None && Lead == None) ||
                       (m.Type == MessageType.MsgPreVote && m.Term > Term);
        if (canVote && RaftLog.IsUpToDate(m.Index, m.LogTerm))
        {
            _logger.Info($"{Id:x} [logterm: {RaftLog.LastTerm()}, index: {RaftLog.LastIndex()}, vote: {Vote:x}] " +
                         $"cast {m.Type} for {m.From:x} [logterm: {m.LogTerm}, index: {m.Index}] at term {Term}");
            // The response carries the request's term: for a pre-vote that is a future term we do not adopt.
            Send(new Message { To = m.From, Term = m.Term, Type = Util.VoteRespMsgType(m.Type) });
            if (m.Type == MessageType.MsgVote)
            {
                // Only real votes are recorded, and they reset the election timer.
                _electionElapsed = 0;
                Vote = m.From;
            }
        }
        else
        {
            _logger.Info($"{Id:x} [logterm: {RaftLog.LastTerm()}, index: {RaftLog.LastIndex()}, vote: {Vote:x}] " +
                         $"rejected {m.Type} from {m.From:x} [logterm: {m.LogTerm}, index: {m.Index}] at term {Term}");
            Send(new Message { To = m.From, Term = Term, Type = Util.VoteRespMsgType(m.Type), Reject = true });
        }
    }

    /// <summary>Starts an election unless this node leads already, may not lead, or has committed conf changes
    /// it has not applied yet (it might not be a voter once they apply).</summary>
    private void Hup(CampaignType type)
    {
        if (State == StateType.Leader)
        {
            if (_logger.IsDebugEnabled)
            {
                _logger.Debug($"{Id:x} ignoring MsgHup because already leader");
            }
            return;
        }
        if (!Promotable())
        {
            _logger.Warning($"{Id:x} is unpromotable and can not campaign");
            return;
        }
        if (HasUnappliedConfChanges())
        {
            _logger.Warning($"{Id:x} cannot campaign at term {Term} since there are still pending configuration changes to apply");
            return;
        }
        _logger.Info($"{Id:x} is starting a new election at term {Term}");
        Campaign(type);
    }

    private bool HasUnappliedConfChanges()
    {
        if (RaftLog.Applied >= RaftLog.Committed)
        {
            return false;
        }
        // Scan the committed but unapplied entries in pages, so a long backlog is not loaded at once.
        ulong lo = RaftLog.Applied + 1;
        ulong hi = RaftLog.Committed + 1;
        while (lo < hi)
        {
            var err = RaftLog.Slice(lo, hi, Math.Max(_maxMsgSize, 1), out var entries);
            if (err != RaftError.None)
            {
                throw new InvalidOperationException($"error getting unapplied entries ({err})");
            }
            foreach (var e in entries)
            {
                if (e.Type is EntryType.EntryConfChange or EntryType.EntryConfChangeV2)
                {
                    return true;
                }
            }
            lo += (ulong)entries.Count;
        }
        return false;
    }

    /// <summary>Becomes (pre-)candidate, votes for itself and asks every other voter, in ID order.</summary>
    private void Campaign(CampaignType type)
    {
        ulong term;
        MessageType voteMsg;
        if (type == CampaignType.PreElection)
        {
            BecomePreCandidate();
            voteMsg = MessageType.MsgPreVote;
            // Pre-vote requests carry the term we would move to, without moving to it.
            term = Term + 1;
        }
        else
        {
            BecomeCandidate();
            voteMsg = MessageType.MsgVote;
            term = Term;
        }

        // Our own vote is persisted with the HardState before any request leaves (Ready contract).
        if (Poll(Id, Util.VoteRespMsgType(voteMsg), true) == VoteResult.Won)
        {
            // A single-voter cluster wins at once.
            if (type == CampaignType.PreElection)
            {
                Campaign(CampaignType.Election);
            }
            else
            {
                BecomeLeader();
            }
            return;
        }

        foreach (ulong id in Trk.Config.Voters.Ids().Slice())
        {
            if (id == Id)
            {
                continue;
            }
            _logger.Info($"{Id:x} [logterm: {RaftLog.LastTerm()}, index: {RaftLog.LastIndex()}] sent {voteMsg} request to {id:x} at term {Term}");
            Send(new Message
            {
                Term = term,
                To = id,
                Type = voteMsg,
                Index = RaftLog.LastIndex(),
                LogTerm = RaftLog.LastTerm(),
                Context = type == CampaignType.Transfer ? CampaignTransferContext : ByteString.Empty,
            });
        }
    }

    /// <summary>Records a (pre-)vote and tallies the election.</summary>
    private VoteResult Poll(ulong id, MessageType type, bool granted)
    {
        _logger.Info(granted
            ? $"{Id:x} received {type} from {id:x} at term {Term}"
            : $"{Id:x} received {type} rejection from {id:x} at term {Term}");
        Trk.RecordVote(id, granted);
        var (yes, no, result) = Trk.TallyVotes();
        _logger.Info($"{Id:x} has received {yes} {type} votes and {no} vote rejections");
        return result;
    }

    /// <summary>Queues a message for the caller to send. Stamps From and, except for (pre-)votes and their
    /// responses (which set their own) and proposals/read requests (term 0 when forwarded), the current term.</summary>
    private void Send(Message m)
    {
        if (m.From == None)
        {
            m.From = Id;
        }
        if (m.Type is MessageType.MsgVote or MessageType.MsgVoteResp or MessageType.MsgPreVote or MessageType.MsgPreVoteResp)
        {
            if (m.Term == 0)
            {
                // A (pre-)vote and its response always name the term campaigned for.
                throw new InvalidOperationException($"term should be set when sending {m.Type}");
            }
        }
        else
        {
            if (m.Term != 0)
            {
                throw new InvalidOperationException($"term should not be set when sending {m.Type} (was {m.Term})");
            }
            // Proposals and read requests forwarded to the leader stay local messages (term 0).
            if (m.Type is not MessageType.MsgProp and not MessageType.MsgReadIndex)
            {
                m.Term = Term;
            }
        }
        Msgs.Add(m);
    }
}

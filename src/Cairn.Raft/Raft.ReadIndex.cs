using Cairn.Raft.Raftpb;

namespace Cairn.Raft;

internal sealed partial class Raft
{
    /// <summary>
    /// §6.4 read index on the leader: the read may be served once the state machine reaches the commit index as
    /// of now, provided we are still the leader. ReadOnlySafe proves that with a heartbeat round acknowledged by
    /// a quorum; ReadOnlyLeaseBased trusts the CheckQuorum lease.
    /// </summary>
    private void HandleReadIndexAsLeader(Message m)
    {
        // Alone among the voters, we are trivially still the leader.
        if (Trk.IsSingleton())
        {
            RespondToReadIndexRequest(m, RaftLog.Committed);
            return;
        }
        // Until an entry of this term commits, our commit index may lag the previous leader's (§6.4 step 1):
        // hold the request until then.
        if (!CommittedEntryInCurrentTerm())
        {
            _pendingReadIndexMessages.Add(m);
            return;
        }
        SendReadIndexResponse(m);
    }

    private void SendReadIndexResponse(Message m)
    {
        switch (_readOnly.Option)
        {
            case ReadOnlyOption.Safe:
                _readOnly.AddRequest(RaftLog.Committed, m);
                // The leader acknowledges its own request.
                _readOnly.RecvAck(Id, m.Entries[0].Data);
                BcastHeartbeatWithCtx(m.Entries[0].Data);
                break;
            case ReadOnlyOption.LeaseBased:
                RespondToReadIndexRequest(m, RaftLog.Committed);
                break;
        }
    }

    /// <summary>Answers held read requests once this leader has committed an entry of its term.</summary>
    private void ReleasePendingReadIndexMessages()
    {
        if (_pendingReadIndexMessages.Count == 0)
        {
            return;
        }
        if (!CommittedEntryInCurrentTerm())
        {
            _logger.Error("pending MsgReadIndex should be released only after first commit in current term");
            return;
        }
        var pending = _pendingReadIndexMessages;
        _pendingReadIndexMessages = [];
        foreach (var m in pending)
        {
            SendReadIndexResponse(m);
        }
    }

    private bool CommittedEntryInCurrentTerm() => RaftLog.ZeroTermOnOutOfBounds(RaftLog.Committed) == Term;

    /// <summary>A local request becomes a ReadState; a follower's gets a MsgReadIndexResp.</summary>
    private void RespondToReadIndexRequest(Message request, ulong readIndex)
    {
        if (request.From == None || request.From == Id)
        {
            ReadStates.Add(new ReadState(readIndex, request.Entries[0].Data));
            return;
        }
        var resp = new Message { Type = MessageType.MsgReadIndexResp, To = request.From, Index = readIndex };
        resp.Entries.AddRange(request.Entries);
        Send(resp);
    }
}

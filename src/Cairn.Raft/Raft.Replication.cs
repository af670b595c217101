using System;
using Cairn.Raft.Raftpb;
using Cairn.Raft.Tracker;
using Google.Protobuf;

namespace Cairn.Raft;

internal sealed partial class Raft
{
    /// <summary>Sends an append (possibly empty, to carry the commit index) to <paramref name="to"/>, or a
    /// snapshot when the entries it needs are compacted.</summary>
    private void SendAppend(ulong to) => MaybeSendAppend(to, sendIfEmpty: true);

    /// <summary>
    /// Sends to <paramref name="to"/> the entries from its Next, at most MaxSizePerMsg bytes, unless its progress
    /// is paused (probe awaiting an answer, full inflight window, snapshot pending). Returns whether a message
    /// was sent. Appends update the progress: in replicate state Next advances optimistically and the message
    /// enters the inflight window bounded by MaxInflightMsgs and MaxInflightBytes.
    /// </summary>
    private bool MaybeSendAppend(ulong to, bool sendIfEmpty)
    {
        var pr = Trk.Progress[to];
        if (pr.IsPaused)
        {
            return false;
        }

        ulong prevIndex = pr.Next - 1;
        if (RaftLog.Term(prevIndex, out ulong prevTerm) != RaftError.None)
        {
            // The entry before Next is compacted: only a snapshot can catch the follower up.
            return MaybeSendSnapshot(to, pr);
        }

        System.Collections.Generic.IReadOnlyList<Entry> entries = Array.Empty<Entry>();
        // With a full window only empty appends go out: they carry the commit index and, should every message in
        // the window have been lost, their answer lets the window recover.
        if (pr.State != ProgressState.Replicate || !pr.Inflights.Full)
        {
            if (RaftLog.Entries(pr.Next, _maxMsgSize, out entries) != RaftError.None)
            {
                return MaybeSendSnapshot(to, pr);
            }
        }
        if (entries.Count == 0 && !sendIfEmpty)
        {
            return false;
        }

        var m = new Message
        {
            To = to,
            Type = MessageType.MsgApp,
            Index = prevIndex,
            LogTerm = prevTerm,
            Commit = RaftLog.Committed,
        };
        m.Entries.AddRange(entries);
        Send(m);
        pr.SentEntries(entries.Count, Util.PayloadsSize(entries));
        pr.SentCommit(RaftLog.Committed);
        return true;
    }

    /// <summary>Sends the latest snapshot to a follower that needs it, if it is recently active and storage can
    /// produce one now. The follower's progress waits in snapshot state until it answers or the transfer is
    /// reported through <see cref="RawNode.ReportSnapshot"/>.</summary>
    private bool MaybeSendSnapshot(ulong to, Progress pr)
    {
        if (!pr.RecentActive)
        {
            if (_logger.IsDebugEnabled)
            {
                _logger.Debug($"ignore sending snapshot to {to:x} since it is not recently active");
            }
            return false;
        }
        var err = RaftLog.Snapshot(out var snapshot);
        if (err == RaftError.SnapshotTemporarilyUnavailable)
        {
            if (_logger.IsDebugEnabled)
            {
                _logger.Debug($"{Id:x} failed to send snapshot to {to:x} because snapshot is temporarily unavailable");
            }
            return false;
        }
        if (err != RaftError.None)
        {
            throw new InvalidOperationException($"unexpected snapshot error {err}");
        }
        if (Util.IsEmptySnap(snapshot))
        {
            throw new InvalidOperationException("need non-empty snapshot");
        }
        ulong index = snapshot.Metadata.Index;
        if (_logger.IsDebugEnabled)
        {
            _logger.Debug($"{Id:x} [firstindex: {RaftLog.FirstIndex()}, commit: {RaftLog.Committed}] sent snapshot[index: {index}, term: {snapshot.Metadata.Term}] to {to:x} [{pr}]");
        }
        pr.BecomeSnapshot(index);
        Send(new Message { To = to, Type = MessageType.MsgSnap, Snapshot = snapshot });
        return true;
    }

    /// <summary>Sends appends to every peer, in ID order.</summary>
    private void BcastAppend()
    {
        foreach (ulong id in Trk.Progress.Ids)
        {
            if (id != Id)
            {
                SendAppend(id);
            }
        }
    }

    /// <summary>Heartbeats to every peer; they carry the newest pending read request's context (ReadOnlySafe).</summary>
    private void BcastHeartbeat() => BcastHeartbeatWithCtx(_readOnly.LastPendingRequestCtx());

    private void BcastHeartbeatWithCtx(ByteString context)
    {
        foreach (ulong id in Trk.Progress.Ids)
        {
            if (id != Id)
            {
                SendHeartbeat(id, context);
            }
        }
    }

    /// <summary>A heartbeat carries commit = min(follower's match, our commit): the follower may not have our
    /// entries up to the commit index yet, and must never commit past its log.</summary>
    private void SendHeartbeat(ulong to, ByteString context)
    {
        var pr = Trk.Progress[to];
        ulong commit = Math.Min(pr.Match, RaftLog.Committed);
        Send(new Message { To = to, Type = MessageType.MsgHeartbeat, Commit = commit, Context = context });
        pr.SentCommit(commit);
    }
}

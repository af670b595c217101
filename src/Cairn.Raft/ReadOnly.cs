using System;
using System.Collections.Generic;
using Cairn.Raft.Raftpb;
using Google.Protobuf;

namespace Cairn.Raft;

/// <summary>The answer to a read-index request: reads that reflect every write up to <see cref="Index"/> are
/// linearizable once the node has applied that index. <see cref="RequestCtx"/> is the caller's request ID.</summary>
public sealed record ReadState(ulong Index, ByteString RequestCtx);

/// <summary>A pending read-only request awaiting heartbeat acknowledgements from a quorum.</summary>
internal sealed class ReadIndexStatus
{
    public ReadIndexStatus(Message request, ulong index)
    {
        Request = request;
        Index = index;
    }

    public Message Request { get; }

    /// <summary>The leader's commit index when the request arrived.</summary>
    public ulong Index { get; }

    /// <summary>IDs that acknowledged the heartbeat carrying this request's context (always true). Only membership
    /// matters, never enumeration order.</summary>
    public Dictionary<ulong, bool> Acks { get; } = [];
}

/// <summary>
/// The leader's queue of read-only requests (etcd-io/raft's read_only.go). Requests are confirmed in arrival
/// order: an acknowledgement for a later request confirms every earlier one.
/// </summary>
internal sealed class ReadOnly
{
    // Keyed by request context (ByteString compares and hashes by content); lookups only, never enumerated.
    private readonly Dictionary<ByteString, ReadIndexStatus> _pending = [];
    private readonly List<ByteString> _queue = [];

    public ReadOnly(ReadOnlyOption option)
    {
        Option = option;
    }

    public ReadOnlyOption Option { get; }

    public int PendingCount => _queue.Count;

    /// <summary>Queues a request whose context is its first entry's data, at commit <paramref name="index"/>.</summary>
    public void AddRequest(ulong index, Message m)
    {
        var ctx = m.Entries[0].Data;
        if (_pending.ContainsKey(ctx))
        {
            return;
        }
        _pending[ctx] = new ReadIndexStatus(m, index);
        _queue.Add(ctx);
    }

    /// <summary>Records a heartbeat acknowledgement and returns who has acknowledged the request so far.</summary>
    public IReadOnlyDictionary<ulong, bool>? RecvAck(ulong id, ByteString context)
    {
        if (!_pending.TryGetValue(context, out var rs))
        {
            return null;
        }
        rs.Acks[id] = true;
        return rs.Acks;
    }

    /// <summary>Dequeues the request with <paramref name="context"/> and every request before it.</summary>
    public List<ReadIndexStatus> Advance(Message m)
    {
        var ctx = m.Context;
        int found = _queue.IndexOf(ctx);
        if (found < 0)
        {
            return [];
        }
        var result = new List<ReadIndexStatus>(found + 1);
        for (int i = 0; i <= found; i++)
        {
            var key = _queue[i];
            if (!_pending.Remove(key, out var rs))
            {
                throw new InvalidOperationException("cannot find corresponding read state from pending map");
            }
            result.Add(rs);
        }
        _queue.RemoveRange(0, found + 1);
        return result;
    }

    /// <summary>Context of the newest pending request, carried by heartbeats; empty when none.</summary>
    public ByteString LastPendingRequestCtx() => _queue.Count == 0 ? ByteString.Empty : _queue[^1];
}

using System.Buffers.Binary;
using Cairn.Api.Errors;
using Cairn.Raft;
using Google.Protobuf;

namespace Cairn.Server.Raft;

/// <summary>
/// Linearizable reads (etcd's linearizableReadLoop): readers queue up, one ReadIndex goes out for all of them,
/// and each is released once this member has applied up to the read index the leader confirmed.
/// </summary>
internal sealed partial class RaftNode
{
    private readonly List<TaskCompletionSource<ulong>> pendingReads = [];
    // Confirmed reads are released by whichever thread moves the applied index: the applier or the loop.
    private readonly List<(ulong Index, TaskCompletionSource<ulong> Waiter)> confirmedReads = [];
    private readonly Lock confirmedGate = new();
    private List<TaskCompletionSource<ulong>>? inflightReads;
    private ulong inflightReadId;
    private ulong nextReadId;
    private int inflightReadTicks;

    /// <summary>Completes once this member has applied everything committed before the call (a read may then be
    /// served locally). Fails with "no leader" when there is none.</summary>
    public Task<ulong> ReadIndexAsync()
    {
        var tcs = new TaskCompletionSource<ulong>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new RaftEvent.ReadIndex(tcs));
        return tcs.Task;
    }

    private void IssueReadIndex()
    {
        if (inflightReads is not null || pendingReads.Count == 0)
        {
            return;
        }
        if (LeaderId == 0)
        {
            foreach (var r in pendingReads)
            {
                r.TrySetException(EtcdErrors.NoLeader.ToException());
            }
            pendingReads.Clear();
            return;
        }
        inflightReads = [.. pendingReads];
        pendingReads.Clear();
        inflightReadTicks = 0;
        inflightReadId = ++nextReadId;
        var ctx = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(ctx, inflightReadId);
        node.ReadIndex(UnsafeByteOperations.UnsafeWrap(ctx));
    }

    private void OnReadState(ReadState rs)
    {
        if (inflightReads is null || rs.RequestCtx.Length != 8
            || BinaryPrimitives.ReadUInt64BigEndian(rs.RequestCtx.Span) != inflightReadId)
        {
            return;
        }
        lock (confirmedGate)
        {
            foreach (var r in inflightReads)
            {
                confirmedReads.Add((rs.Index, r));
            }
        }
        inflightReads = null;
        CompleteReads();
    }

    private void CompleteReads()
    {
        lock (confirmedGate)
        {
            if (confirmedReads.Count == 0)
            {
                return;
            }
            var applied = Volatile.Read(ref appliedIndex);
            confirmedReads.RemoveAll(r =>
            {
                if (r.Index > applied)
                {
                    return false;
                }
                r.Waiter.TrySetResult(r.Index);
                return true;
            });
        }
    }

    /// <summary>A ReadIndex can be lost with a message: after an election timeout without an answer, ask again.</summary>
    private void RetryStaleReadIndex()
    {
        if (inflightReads is not null && ++inflightReadTicks > host.ElectionMs / Math.Max(1, host.HeartbeatMs))
        {
            OnLeaderChanged();
        }
    }

    /// <summary>A ReadIndex in flight under the old leader may never be answered: ask again.</summary>
    private void OnLeaderChanged()
    {
        if (inflightReads is not null)
        {
            pendingReads.InsertRange(0, inflightReads);
            inflightReads = null;
        }
    }

    private void FailReads(EtcdError error)
    {
        lock (confirmedGate)
        {
            foreach (var r in pendingReads.Concat(inflightReads ?? []).Concat(confirmedReads.Select(c => c.Waiter)))
            {
                r.TrySetException(error.ToException());
            }
            pendingReads.Clear();
            confirmedReads.Clear();
            inflightReads = null;
        }
    }
}

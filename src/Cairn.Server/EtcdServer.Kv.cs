using Cairn.Api.Cairnpb;
using Cairn.Api.Errors;
using Cairn.Api.Etcdserverpb;
using Cairn.Server.Apply;
using Cairn.Server.Raft;
using Google.Protobuf;

namespace Cairn.Server;

/// <summary>The KV requests: writes go through consensus; reads are local, after a ReadIndex unless serializable.</summary>
public sealed partial class EtcdServer
{
    public async Task<RangeResponse> RangeAsync(RangeRequest r, CancellationToken ct)
    {
        TxnChecks.CheckRange(r);
        if (!r.Serializable)
        {
            await LinearizableReadAsync(ct).ConfigureAwait(false);
        }
        return applier.Range(r);
    }

    public async Task<PutResponse> PutAsync(PutRequest r, CancellationToken ct)
    {
        TxnChecks.CheckPut(r);
        var result = await ProposeAsync(new InternalRaftRequest { Put = r }, ct).ConfigureAwait(false);
        return (PutResponse)result.Response!;
    }

    public async Task<DeleteRangeResponse> DeleteRangeAsync(DeleteRangeRequest r, CancellationToken ct)
    {
        TxnChecks.CheckDeleteRange(r);
        var result = await ProposeAsync(new InternalRaftRequest { DeleteRange = r }, ct).ConfigureAwait(false);
        return (DeleteRangeResponse)result.Response!;
    }

    /// <summary>A read-only txn is served locally, like a Range; any other goes through consensus.</summary>
    public async Task<TxnResponse> TxnAsync(TxnRequest r, CancellationToken ct)
    {
        TxnChecks.CheckTxn(r, config.MaxTxnOps);
        if (KvApplier.IsReadOnly(r))
        {
            if (!IsSerializable(r))
            {
                await LinearizableReadAsync(ct).ConfigureAwait(false);
            }
            return applier.Txn(r);
        }
        var result = await ProposeAsync(new InternalRaftRequest { Txn = r }, ct).ConfigureAwait(false);
        return (TxnResponse)result.Response!;
    }

    /// <summary>With physical, replies once the backend has really deleted the compacted revisions.</summary>
    public async Task<CompactionResponse> CompactAsync(CompactionRequest r, CancellationToken ct)
    {
        var result = await ProposeAsync(new InternalRaftRequest { Compaction = r }, ct).ConfigureAwait(false);
        if (r.Physical && result.Physical is { } physical)
        {
            await physical.WaitAsync(ct).ConfigureAwait(false);
        }
        return (CompactionResponse)result.Response!;
    }

    public (uint Hash, long Revision, long CompactRevision) HashKV(long revision) => store.HashByRev(revision);

    /// <summary>A read-only txn is serializable when every range in it is (etcd's isTxnSerializable).</summary>
    private static bool IsSerializable(TxnRequest r) =>
        r.Success.Concat(r.Failure).All(op => op.RequestCase switch
        {
            RequestOp.RequestOneofCase.RequestRange => op.RequestRange.Serializable,
            RequestOp.RequestOneofCase.RequestTxn => IsSerializable(op.RequestTxn),
            _ => true,
        });

    /// <summary>Waits until this member has applied everything committed when the read began (ReadIndex).</summary>
    private async Task LinearizableReadAsync(CancellationToken ct)
    {
        try
        {
            await raft.ReadIndexAsync().WaitAsync(requestTimeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw (raft.LeaderId == 0 ? EtcdErrors.NoLeader : EtcdErrors.Timeout).ToException();
        }
    }

    /// <summary>
    /// Proposes one envelope and waits for this member to apply it. The marshalled envelope may not exceed
    /// --max-request-bytes; a request not applied within the request timeout gets "request timed out".
    /// </summary>
    private async Task<ApplyResult> ProposeAsync(InternalRaftRequest request, CancellationToken ct)
    {
        var id = ids.Next();
        request.Version = InternalRaftRequest.CurrentVersion;
        request.Header = new RequestHeader { ID = id };
        var data = request.ToByteArray();
        if (data.Length > config.MaxRequestBytes)
        {
            throw EtcdErrors.RequestTooLarge.ToException();
        }
        if (raft.LeaderId == 0)
        {
            throw EtcdErrors.NoLeader.ToException();
        }
        var wait = waits.Register(id);
        raft.Propose(id, data);
        ApplyResult result;
        try
        {
            result = await wait.WaitAsync(requestTimeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            waits.Cancel(id);
            throw (raft.LeaderId == 0 ? EtcdErrors.TimeoutDueToLeaderFail : EtcdErrors.Timeout).ToException();
        }
        if (result.Error is { } error)
        {
            throw error;
        }
        return result;
    }
}

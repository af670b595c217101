using Cairn.Api.Errors;
using Cairn.Api.Etcdserverpb;
using Cairn.Api.Mvccpb;
using Cairn.Storage.Mvcc;

namespace Cairn.Server.Apply;

/// <summary>
/// Applies KV requests to MVCC with etcd's semantics (etcdserver/apply.go, applierV3backend). Writes run on the
/// apply loop only; reads (Range, read-only Txn) may run on any thread. Response headers carry only the revision;
/// the gRPC layer fills cluster_id, member_id and raft_term.
/// </summary>
internal sealed class KvApplier(MvccStore store, Func<long, bool> leaseExists)
{
    public RangeResponse Range(RangeRequest r)
    {
        using var txn = store.Read();
        return Range(txn, r);
    }

    public PutResponse Put(PutRequest p)
    {
        if (p.Lease != 0 && !leaseExists(p.Lease))
        {
            throw EtcdErrors.LeaseNotFound.ToException();
        }
        using var txn = store.Write();
        var resp = Put(txn, p);
        txn.End();
        return resp;
    }

    public DeleteRangeResponse DeleteRange(DeleteRangeRequest dr)
    {
        using var txn = store.Write();
        var resp = DeleteRange(txn, dr);
        txn.End();
        return resp;
    }

    /// <summary>
    /// Compares pick a path through the txn (nested txns included) against the state before it runs; puts and
    /// ranges on that path are checked; then the ops run in one write txn, so one revision covers the whole txn and
    /// later ops see earlier writes. A read-only txn runs on a read view and does not go through consensus.
    /// </summary>
    public TxnResponse Txn(TxnRequest rt)
    {
        var isWrite = !IsReadOnly(rt);
        List<bool> path;
        using (var check = store.Read())
        {
            path = TxnCompare.ToPath(check, rt);
            if (isWrite)
            {
                CheckPath(rt, path, 0, op => CheckPut(check, op));
            }
            CheckPath(rt, path, 0, op => CheckRange(check, op));
        }

        var resp = NewTxnResponse(rt, path, 0, out _);
        using ITxnRead txn = isWrite ? store.Write() : store.Read();
        ApplyTxn(txn, rt, path, 0, resp);
        var rev = txn.Rev;
        if (txn is ITxnWrite w)
        {
            if (w.Changes.Count != 0)
            {
                rev++;
            }
            w.End();
        }
        resp.Header.Revision = rev;
        return resp;
    }

    public static bool IsReadOnly(TxnRequest rt) =>
        rt.Success.Concat(rt.Failure).All(op => op.RequestCase switch
        {
            RequestOp.RequestOneofCase.RequestPut or RequestOp.RequestOneofCase.RequestDeleteRange => false,
            RequestOp.RequestOneofCase.RequestTxn => IsReadOnly(op.RequestTxn),
            _ => true,
        });

    /// <summary>
    /// With a sort or any min/max filter, etcd reads the whole range, filters, sorts, then truncates to limit;
    /// otherwise it reads limit+1 to learn whether there is more. count is the full count at that revision, and
    /// header.revision is the store's current revision, not the one asked for.
    /// </summary>
    private static RangeResponse Range(ITxnRead txn, RangeRequest r)
    {
        var limit = r.Limit;
        if (r.SortOrder != RangeRequest.Types.SortOrder.None || r.MinModRevision != 0 || r.MaxModRevision != 0
            || r.MinCreateRevision != 0 || r.MaxCreateRevision != 0)
        {
            limit = 0;
        }
        if (limit > 0)
        {
            limit++;
        }
        var rr = txn.Range(r.Key.Span, r.RangeEnd.Span, new RangeOptions { Limit = limit, Rev = r.Revision, Count = r.CountOnly });
        IEnumerable<KeyValue> kvs = rr.Kvs;
        if (r.MaxModRevision != 0)
        {
            kvs = kvs.Where(kv => kv.ModRevision <= r.MaxModRevision);
        }
        if (r.MinModRevision != 0)
        {
            kvs = kvs.Where(kv => kv.ModRevision >= r.MinModRevision);
        }
        if (r.MaxCreateRevision != 0)
        {
            kvs = kvs.Where(kv => kv.CreateRevision <= r.MaxCreateRevision);
        }
        if (r.MinCreateRevision != 0)
        {
            kvs = kvs.Where(kv => kv.CreateRevision >= r.MinCreateRevision);
        }
        var list = kvs.ToList();
        RangeSort.Apply(list, r.SortTarget, r.SortOrder);

        var resp = new RangeResponse { Header = new ResponseHeader { Revision = rr.Rev }, Count = rr.Count };
        if (r.Limit > 0 && list.Count > r.Limit)
        {
            list.RemoveRange((int)r.Limit, list.Count - (int)r.Limit);
            resp.More = true;
        }
        foreach (var kv in list)
        {
            resp.Kvs.Add(r.KeysOnly ? WithoutValue(kv) : kv);
        }
        return resp;
    }

    private static KeyValue WithoutValue(KeyValue kv)
    {
        var copy = kv.Clone();
        copy.Value = Google.Protobuf.ByteString.Empty;
        return copy;
    }

    /// <summary>ignore_value and ignore_lease need the key to exist; prev_kv returns what was there.</summary>
    private static PutResponse Put(ITxnWrite txn, PutRequest p)
    {
        var resp = new PutResponse { Header = new ResponseHeader() };
        RangeResult? rr = null;
        if (p.IgnoreValue || p.IgnoreLease || p.PrevKv)
        {
            rr = txn.Range(p.Key.Span, default, new RangeOptions());
        }
        if ((p.IgnoreValue || p.IgnoreLease) && (rr is null || rr.Kvs.Count == 0))
        {
            throw EtcdErrors.KeyNotFound.ToException();
        }
        var value = p.IgnoreValue ? rr!.Kvs[0].Value : p.Value;
        var lease = p.IgnoreLease ? rr!.Kvs[0].Lease : p.Lease;
        if (p.PrevKv && rr is { Kvs.Count: > 0 })
        {
            resp.PrevKv = rr.Kvs[0];
        }
        resp.Header.Revision = txn.Put(p.Key, value, lease);
        return resp;
    }

    private static DeleteRangeResponse DeleteRange(ITxnWrite txn, DeleteRangeRequest dr)
    {
        var resp = new DeleteRangeResponse { Header = new ResponseHeader() };
        if (dr.PrevKv)
        {
            resp.PrevKvs.AddRange(txn.Range(dr.Key.Span, dr.RangeEnd.Span, new RangeOptions()).Kvs);
        }
        var (deleted, rev) = txn.DeleteRange(dr.Key.Span, dr.RangeEnd.Span);
        resp.Deleted = deleted;
        resp.Header.Revision = rev;
        return resp;
    }

    private void CheckPut(ITxnRead view, RequestOp op)
    {
        if (op.RequestCase != RequestOp.RequestOneofCase.RequestPut)
        {
            return;
        }
        var p = op.RequestPut;
        if ((p.IgnoreValue || p.IgnoreLease) && view.Range(p.Key.Span, default, new RangeOptions()).Kvs.Count == 0)
        {
            throw EtcdErrors.KeyNotFound.ToException();
        }
        if (p.Lease != 0 && !leaseExists(p.Lease))
        {
            throw EtcdErrors.LeaseNotFound.ToException();
        }
    }

    private static void CheckRange(ITxnRead view, RequestOp op)
    {
        if (op.RequestCase != RequestOp.RequestOneofCase.RequestRange || op.RequestRange.Revision == 0)
        {
            return;
        }
        var rev = op.RequestRange.Revision;
        if (rev > view.Rev)
        {
            throw EtcdErrors.FutureRev.ToException();
        }
        if (rev < view.FirstRev)
        {
            throw EtcdErrors.Compacted.ToException();
        }
    }

    /// <summary>Visits the ops on the chosen path; returns how many path entries the txn consumed.</summary>
    private static int CheckPath(TxnRequest rt, List<bool> path, int at, Action<RequestOp> check)
    {
        var consumed = 1;
        foreach (var op in path[at] ? rt.Success : rt.Failure)
        {
            check(op);
            if (op.RequestCase == RequestOp.RequestOneofCase.RequestTxn)
            {
                consumed += CheckPath(op.RequestTxn, path, at + consumed, check);
            }
        }
        return consumed;
    }

    /// <summary>The response skeleton: nested txn responses carry an empty header, as in etcd.</summary>
    private static TxnResponse NewTxnResponse(TxnRequest rt, List<bool> path, int at, out int consumed)
    {
        var resp = new TxnResponse { Succeeded = path[at], Header = new ResponseHeader() };
        consumed = 1;
        foreach (var op in path[at] ? rt.Success : rt.Failure)
        {
            var r = new ResponseOp();
            switch (op.RequestCase)
            {
                case RequestOp.RequestOneofCase.RequestRange: r.ResponseRange = new RangeResponse(); break;
                case RequestOp.RequestOneofCase.RequestPut: r.ResponsePut = new PutResponse(); break;
                case RequestOp.RequestOneofCase.RequestDeleteRange: r.ResponseDeleteRange = new DeleteRangeResponse(); break;
                case RequestOp.RequestOneofCase.RequestTxn:
                    r.ResponseTxn = NewTxnResponse(op.RequestTxn, path, at + consumed, out var nested);
                    consumed += nested;
                    break;
            }
            resp.Responses.Add(r);
        }
        return resp;
    }

    private static int ApplyTxn(ITxnRead txn, TxnRequest rt, List<bool> path, int at, TxnResponse resp)
    {
        var consumed = 1;
        var ops = path[at] ? rt.Success : rt.Failure;
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            var r = resp.Responses[i];
            switch (op.RequestCase)
            {
                case RequestOp.RequestOneofCase.RequestRange: r.ResponseRange = Range(txn, op.RequestRange); break;
                case RequestOp.RequestOneofCase.RequestPut: r.ResponsePut = Put((ITxnWrite)txn, op.RequestPut); break;
                case RequestOp.RequestOneofCase.RequestDeleteRange:
                    r.ResponseDeleteRange = DeleteRange((ITxnWrite)txn, op.RequestDeleteRange);
                    break;
                case RequestOp.RequestOneofCase.RequestTxn:
                    consumed += ApplyTxn(txn, op.RequestTxn, path, at + consumed, r.ResponseTxn);
                    break;
            }
        }
        return consumed;
    }
}

using Cairn.Api.Errors;
using Cairn.Api.Etcdserverpb;
using Google.Protobuf;

namespace Cairn.Server.Apply;

/// <summary>
/// Request validation done before a request is proposed, as etcd's v3rpc layer does it (checkRangeRequest,
/// checkPutRequest, checkTxnRequest, checkIntervals). Throws the matching row of <see cref="EtcdErrors"/>.
/// </summary>
internal static class TxnChecks
{
    public static void CheckRange(RangeRequest r)
    {
        if (r.Key.IsEmpty)
        {
            throw EtcdErrors.EmptyKey.ToException();
        }
    }

    public static void CheckPut(PutRequest r)
    {
        if (r.Key.IsEmpty)
        {
            throw EtcdErrors.EmptyKey.ToException();
        }
        if (r.IgnoreValue && !r.Value.IsEmpty)
        {
            throw EtcdErrors.ValueProvided.ToException();
        }
        if (r.IgnoreLease && r.Lease != 0)
        {
            throw EtcdErrors.LeaseProvided.ToException();
        }
    }

    public static void CheckDeleteRange(DeleteRangeRequest r)
    {
        if (r.Key.IsEmpty)
        {
            throw EtcdErrors.EmptyKey.ToException();
        }
    }

    /// <summary>
    /// The op limit applies to max(len(compare), len(success), len(failure)); a nested txn gets what its parent
    /// leaves (the limit less the parent's count), as etcd's checkTxnRequest passes maxTxnOps-opc down. An op with
    /// no request set is refused with "key not found", as in etcd's checkRequestOp. Then puts and deletes of one
    /// branch must not overlap (see <see cref="CheckIntervals"/>).
    /// </summary>
    public static void CheckTxn(TxnRequest r, int maxTxnOps)
    {
        CheckTxnOps(r, maxTxnOps);
        CheckIntervals(r.Success);
        CheckIntervals(r.Failure);
    }

    private static void CheckTxnOps(TxnRequest r, int maxTxnOps)
    {
        var opc = Math.Max(r.Compare.Count, Math.Max(r.Success.Count, r.Failure.Count));
        if (opc > maxTxnOps)
        {
            throw EtcdErrors.TooManyOps.ToException();
        }
        foreach (var c in r.Compare)
        {
            if (c.Key.IsEmpty)
            {
                throw EtcdErrors.EmptyKey.ToException();
            }
        }
        foreach (var op in r.Success.Concat(r.Failure))
        {
            switch (op.RequestCase)
            {
                case RequestOp.RequestOneofCase.RequestRange: CheckRange(op.RequestRange); break;
                case RequestOp.RequestOneofCase.RequestPut: CheckPut(op.RequestPut); break;
                case RequestOp.RequestOneofCase.RequestDeleteRange: CheckDeleteRange(op.RequestDeleteRange); break;
                case RequestOp.RequestOneofCase.RequestTxn: CheckTxnOps(op.RequestTxn, maxTxnOps - opc); break;
                default: throw EtcdErrors.KeyNotFound.ToException();
            }
        }
    }

    /// <summary>
    /// etcd's duplicate-key rule: within one branch (nested txns included), a key may be put at most once, and no
    /// put may fall inside a delete range of the same branch. The success and failure branches of a nested txn are
    /// exclusive, so the same key may be put in both. Overlapping deletes are allowed.
    /// </summary>
    private static (HashSet<ByteString> Puts, List<AffineInterval> Dels) CheckIntervals(IEnumerable<RequestOp> reqs)
    {
        var ops = reqs as IList<RequestOp> ?? reqs.ToList();
        var dels = new List<AffineInterval>();
        foreach (var op in ops)
        {
            if (op.RequestCase == RequestOp.RequestOneofCase.RequestDeleteRange)
            {
                var d = op.RequestDeleteRange;
                dels.Add(d.RangeEnd.IsEmpty ? AffineInterval.Point(d.Key) : new AffineInterval(d.Key, d.RangeEnd));
            }
        }

        var puts = new HashSet<ByteString>();
        foreach (var op in ops)
        {
            if (op.RequestCase != RequestOp.RequestOneofCase.RequestTxn)
            {
                continue;
            }
            var (putsThen, delsThen) = CheckIntervals(op.RequestTxn.Success);
            var (putsElse, delsElse) = CheckIntervals(op.RequestTxn.Failure);
            foreach (var k in putsThen)
            {
                if (puts.Contains(k) || Intersects(dels, k))
                {
                    throw EtcdErrors.DuplicateKey.ToException();
                }
                puts.Add(k);
            }
            foreach (var k in putsElse)
            {
                if ((puts.Contains(k) && !putsThen.Contains(k)) || Intersects(dels, k))
                {
                    throw EtcdErrors.DuplicateKey.ToException();
                }
                puts.Add(k);
            }
            dels.AddRange(delsThen);
            dels.AddRange(delsElse);
        }

        foreach (var op in ops)
        {
            if (op.RequestCase != RequestOp.RequestOneofCase.RequestPut)
            {
                continue;
            }
            var k = op.RequestPut.Key;
            if (puts.Contains(k) || Intersects(dels, k))
            {
                throw EtcdErrors.DuplicateKey.ToException();
            }
            puts.Add(k);
        }
        return (puts, dels);
    }

    private static bool Intersects(List<AffineInterval> dels, ByteString key)
    {
        foreach (var d in dels)
        {
            if (d.Contains(key.Span))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>[Begin, End) where an empty End sorts after every key, as etcd's StringAffineComparable.</summary>
    private readonly record struct AffineInterval(ByteString Begin, ByteString End)
    {
        public static AffineInterval Point(ByteString key) =>
            new(key, ByteString.CopyFrom([.. key.Span, 0]));

        /// <summary>Whether the point interval [key, key+"\0") overlaps this one: Begin &lt;= key &lt; End.</summary>
        public bool Contains(ReadOnlySpan<byte> key) =>
            Begin.Span.SequenceCompareTo(key) <= 0 && (End.IsEmpty || key.SequenceCompareTo(End.Span) < 0);
    }
}

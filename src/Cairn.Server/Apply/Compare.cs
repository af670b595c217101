using Cairn.Api.Etcdserverpb;
using Cairn.Api.Mvccpb;
using Cairn.Storage.Mvcc;

namespace Cairn.Server.Apply;

/// <summary>Txn compare evaluation, with etcd's rules (etcdserver/apply.go applyCompare, compareKV).</summary>
internal static class TxnCompare
{
    private static readonly KeyValue Missing = new();

    /// <summary>
    /// Which branch each txn takes, outer first, then nested txns of the chosen branch depth-first. Every compare,
    /// nested ones included, is evaluated against the state before the txn runs.
    /// </summary>
    public static List<bool> ToPath(ITxnRead view, TxnRequest rt)
    {
        var path = new List<bool>();
        AppendPath(view, rt, path);
        return path;
    }

    private static void AppendPath(ITxnRead view, TxnRequest rt, List<bool> path)
    {
        var succeeded = rt.Compare.All(c => Evaluate(view, c));
        path.Add(succeeded);
        foreach (var op in succeeded ? rt.Success : rt.Failure)
        {
            if (op.RequestCase == RequestOp.RequestOneofCase.RequestTxn)
            {
                AppendPath(view, op.RequestTxn, path);
            }
        }
    }

    /// <summary>
    /// With a range_end every key in the range must satisfy the compare. A missing key compares as zero for
    /// VERSION, CREATE, MOD and LEASE; a VALUE compare on a missing key is always false.
    /// </summary>
    private static bool Evaluate(ITxnRead view, Compare c)
    {
        RangeResult rr;
        try
        {
            rr = view.Range(c.Key.Span, c.RangeEnd.Span, new RangeOptions());
        }
        catch (Cairn.Api.Errors.EtcdException)
        {
            return false;
        }
        if (rr.Kvs.Count == 0)
        {
            return c.Target != Compare.Types.CompareTarget.Value && CompareKv(c, Missing);
        }
        foreach (var kv in rr.Kvs)
        {
            if (!CompareKv(c, kv))
            {
                return false;
            }
        }
        return true;
    }

    private static bool CompareKv(Compare c, KeyValue kv)
    {
        // A target whose union holds another case compares against zero/empty, as in etcd.
        var result = c.Target switch
        {
            Compare.Types.CompareTarget.Value => kv.Value.Span.SequenceCompareTo(
                c.TargetUnionCase == Compare.TargetUnionOneofCase.Value ? c.Value.Span : default),
            Compare.Types.CompareTarget.Create => kv.CreateRevision.CompareTo(
                c.TargetUnionCase == Compare.TargetUnionOneofCase.CreateRevision ? c.CreateRevision : 0),
            Compare.Types.CompareTarget.Mod => kv.ModRevision.CompareTo(
                c.TargetUnionCase == Compare.TargetUnionOneofCase.ModRevision ? c.ModRevision : 0),
            Compare.Types.CompareTarget.Version => kv.Version.CompareTo(
                c.TargetUnionCase == Compare.TargetUnionOneofCase.Version ? c.Version : 0),
            Compare.Types.CompareTarget.Lease => kv.Lease.CompareTo(
                c.TargetUnionCase == Compare.TargetUnionOneofCase.Lease ? c.Lease : 0),
            _ => 0,
        };
        return c.Result switch
        {
            Compare.Types.CompareResult.Equal => result == 0,
            Compare.Types.CompareResult.NotEqual => result != 0,
            Compare.Types.CompareResult.Greater => result > 0,
            Compare.Types.CompareResult.Less => result < 0,
            _ => true,
        };
    }
}

using Cairn.Api.Etcdserverpb;
using Cairn.Api.Mvccpb;

namespace Cairn.Server.Apply;

/// <summary>Range sorting as etcd does it: a target other than KEY with order NONE sorts ascending.</summary>
internal static class RangeSort
{
    public static void Apply(List<KeyValue> kvs, RangeRequest.Types.SortTarget target, RangeRequest.Types.SortOrder order)
    {
        if (target != RangeRequest.Types.SortTarget.Key && order == RangeRequest.Types.SortOrder.None)
        {
            order = RangeRequest.Types.SortOrder.Ascend;
        }
        if (order == RangeRequest.Types.SortOrder.None)
        {
            return;
        }
        Comparison<KeyValue> compare = target switch
        {
            RangeRequest.Types.SortTarget.Version => (a, b) => a.Version.CompareTo(b.Version),
            RangeRequest.Types.SortTarget.Create => (a, b) => a.CreateRevision.CompareTo(b.CreateRevision),
            RangeRequest.Types.SortTarget.Mod => (a, b) => a.ModRevision.CompareTo(b.ModRevision),
            RangeRequest.Types.SortTarget.Value => (a, b) => a.Value.Span.SequenceCompareTo(b.Value.Span),
            _ => (a, b) => a.Key.Span.SequenceCompareTo(b.Key.Span),
        };
        // Stable, so ties keep key order (the order MVCC returns them in).
        var sorted = order == RangeRequest.Types.SortOrder.Descend
            ? kvs.Order(Comparer<KeyValue>.Create((a, b) => compare(b, a))).ToList()
            : kvs.Order(Comparer<KeyValue>.Create(compare)).ToList();
        kvs.Clear();
        kvs.AddRange(sorted);
    }
}

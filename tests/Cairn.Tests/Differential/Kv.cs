using Cairn.Api.Etcdserverpb;
using Google.Protobuf;
using static Cairn.Api.Etcdserverpb.Compare.Types;

namespace Cairn.Tests.Differential;

/// <summary>Terse builders for KV requests, so scenarios read like the etcd calls they make.</summary>
internal static class Kv
{
    /// <summary>The single 0x00 byte: as range_end it means "every key ≥ key"; as key and range_end, all keys.</summary>
    public static readonly ByteString Zero = ByteString.CopyFrom(0);

    public static ByteString B(string text) => ByteString.CopyFromUtf8(text);

    public static ByteString Bytes(params byte[] bytes) => ByteString.CopyFrom(bytes);

    /// <summary>The range_end that covers every key starting with <paramref name="prefix"/> (clientv3's GetPrefixRangeEnd).</summary>
    public static ByteString PrefixEnd(string prefix)
    {
        var end = System.Text.Encoding.UTF8.GetBytes(prefix);
        for (var i = end.Length - 1; i >= 0; i--)
        {
            if (end[i] < 0xff)
            {
                end[i]++;
                return ByteString.CopyFrom(end.AsSpan(0, i + 1));
            }
        }

        return Zero;
    }

    public static RangeRequest Get(string key, string? end = null) =>
        new() { Key = B(key), RangeEnd = end is null ? ByteString.Empty : B(end) };

    public static RangeRequest Get(ByteString key, ByteString end) => new() { Key = key, RangeEnd = end };

    /// <summary>Every key in the store.</summary>
    public static RangeRequest All() => new() { Key = Zero, RangeEnd = Zero };

    public static PutRequest Put(string key, string value) => new() { Key = B(key), Value = B(value) };

    public static PutRequest Put(ByteString key, string value) => new() { Key = key, Value = B(value) };

    public static DeleteRangeRequest Del(string key, string? end = null, bool prevKv = false) =>
        new() { Key = B(key), RangeEnd = end is null ? ByteString.Empty : B(end), PrevKv = prevKv };

    public static RequestOp Op(RangeRequest r) => new() { RequestRange = r };

    public static RequestOp Op(PutRequest r) => new() { RequestPut = r };

    public static RequestOp Op(DeleteRangeRequest r) => new() { RequestDeleteRange = r };

    public static RequestOp Op(TxnRequest r) => new() { RequestTxn = r };

    public static TxnRequest Txn(IEnumerable<Compare> compares, IEnumerable<RequestOp> success, IEnumerable<RequestOp>? failure = null)
    {
        var txn = new TxnRequest();
        txn.Compare.AddRange(compares);
        txn.Success.AddRange(success);
        txn.Failure.AddRange(failure ?? []);
        return txn;
    }

    public static Compare Version(string key, CompareResult result, long version, string? end = null) =>
        new() { Key = B(key), RangeEnd = End(end), Target = CompareTarget.Version, Result = result, Version = version };

    public static Compare Create(string key, CompareResult result, long revision, string? end = null) =>
        new() { Key = B(key), RangeEnd = End(end), Target = CompareTarget.Create, Result = result, CreateRevision = revision };

    public static Compare Mod(string key, CompareResult result, long revision, string? end = null) =>
        new() { Key = B(key), RangeEnd = End(end), Target = CompareTarget.Mod, Result = result, ModRevision = revision };

    public static Compare Value(string key, CompareResult result, string value, string? end = null) =>
        new() { Key = B(key), RangeEnd = End(end), Target = CompareTarget.Value, Result = result, Value = B(value) };

    public static Compare Lease(string key, CompareResult result, long lease, string? end = null) =>
        new() { Key = B(key), RangeEnd = End(end), Target = CompareTarget.Lease, Result = result, Lease = lease };

    /// <summary>A range_end given as text, where "\0" means the single zero byte.</summary>
    private static ByteString End(string? end) => end switch
    {
        null => ByteString.Empty,
        "\0" => Zero,
        _ => B(end),
    };
}

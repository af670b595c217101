using System.Text;
using Cairn.Api.Etcdserverpb;
using Google.Protobuf;

namespace Cairn.Server.Tests;

/// <summary>Terse builders for KV requests, so a txn reads like the etcdctl session it stands for.</summary>
internal static class Ops
{
    public static ByteString B(string s) => ByteString.CopyFrom(Encoding.UTF8.GetBytes(s));

    public static string S(ByteString b) => b.ToStringUtf8();

    public static RequestOp Put(string key, string value = "v") =>
        new() { RequestPut = new PutRequest { Key = B(key), Value = B(value) } };

    public static RequestOp Put(PutRequest put) => new() { RequestPut = put };

    public static RequestOp Del(string key, string end = "") =>
        new() { RequestDeleteRange = new DeleteRangeRequest { Key = B(key), RangeEnd = B(end) } };

    public static RequestOp Get(string key, string end = "") =>
        new() { RequestRange = new RangeRequest { Key = B(key), RangeEnd = B(end) } };

    public static RequestOp Get(RangeRequest range) => new() { RequestRange = range };

    public static RequestOp Nested(TxnRequest txn) => new() { RequestTxn = txn };

    /// <summary>A txn with the given branches and compares (none: the success branch runs).</summary>
    public static TxnRequest Txn(IEnumerable<RequestOp>? success = null, IEnumerable<RequestOp>? failure = null, IEnumerable<Compare>? compare = null)
    {
        var txn = new TxnRequest();
        txn.Success.AddRange(success ?? []);
        txn.Failure.AddRange(failure ?? []);
        txn.Compare.AddRange(compare ?? []);
        return txn;
    }

    /// <summary>A compare that is false on any state: value("\xff-never") equals "x".</summary>
    public static Compare Never() => new()
    {
        Key = B("\u00ff-never"),
        Target = Compare.Types.CompareTarget.Value,
        Result = Compare.Types.CompareResult.Equal,
        Value = B("x"),
    };

    public static Compare VersionIs(string key, long version, string end = "") => new()
    {
        Key = B(key),
        RangeEnd = B(end),
        Target = Compare.Types.CompareTarget.Version,
        Result = Compare.Types.CompareResult.Equal,
        Version = version,
    };

    public static Compare ValueIs(string key, string value) => new()
    {
        Key = B(key),
        Target = Compare.Types.CompareTarget.Value,
        Result = Compare.Types.CompareResult.Equal,
        Value = B(value),
    };
}

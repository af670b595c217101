using Cairn.Api.Etcdserverpb;
using Cairn.Testing;
using Google.Protobuf;
using Grpc.Core;
using static Cairn.Api.Etcdserverpb.Compare.Types;
using static Cairn.Tests.Differential.Kv;

namespace Cairn.Tests.Differential;

/// <summary>Txn writes against etcd 3.4.23 and the server under test: read-after-write, nesting, op limits and duplicates.</summary>
[Collection("Processes")]
public sealed class TxnTests : DifferentialTest
{
    [Fact(Timeout = Hang.Default)]
    public async Task Txn_ReadsAfterWrites_SeeThemAndOneRevisionCoversTheTxn()
    {
        await Seed();

        var response = await D.Txn(Txn(
            [Version("a", CompareResult.Equal, 2)],
            [
                Op(new PutRequest { Key = B("n1"), Value = B("x"), PrevKv = true }),
                Op(new PutRequest { Key = B("a"), Value = B("111"), PrevKv = true }),
                Op(Get("a")),
                Op(Get("n", "o")),
                Op(Del("b", prevKv: true)),
                Op(Get("b")),
                Op(new RangeRequest { Key = Zero, RangeEnd = Zero, CountOnly = true }),
                Op(new RangeRequest { Key = Zero, RangeEnd = Zero, SortTarget = RangeRequest.Types.SortTarget.Mod, SortOrder = RangeRequest.Types.SortOrder.Descend, Limit = 3 }),
                Op(new RangeRequest { Key = B("a"), Revision = 5 }),
            ])).Ok();
        await D.Range(All()).Ok();

        Assert.True(response.Succeeded);
        Assert.Equal(SeededRevision + 1, response.Header.Revision);
        Assert.Equal("111", response.Responses[2].ResponseRange.Kvs[0].Value.ToStringUtf8());
        Assert.Equal(SeededRevision + 1, response.Responses[2].ResponseRange.Kvs[0].ModRevision);
        Assert.Empty(response.Responses[5].ResponseRange.Kvs);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Txn_FailureBranch_WritesAndReads()
    {
        await Seed();

        var response = await D.Txn(Txn(
            [Value("a", CompareResult.Equal, "nope")],
            [Op(Put("never", "x"))],
            [Op(Put("f1", "y")), Op(Put("f2", "z")), Op(Get("f", "g")), Op(Del("e", prevKv: true))])).Ok();
        await D.Range(All()).Ok();

        Assert.False(response.Succeeded);
        Assert.Equal(4, response.Responses.Count);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Txn_Empty_SucceedsWithoutAdvancingTheRevision()
    {
        await Seed();

        var empty = await D.Txn(new TxnRequest()).Ok();
        var onlyReads = await D.Txn(Txn([], [Op(Get("a")), Op(All())])).Ok();
        var noOpDelete = await D.Txn(Txn([], [Op(Del("missing")), Op(Get("a"))])).Ok();
        var emptyFailure = await D.Txn(Txn([Value("a", CompareResult.Equal, "nope")], [Op(Put("x", "y"))])).Ok();

        Assert.True(empty.Succeeded);
        Assert.Equal(SeededRevision, empty.Header.Revision);
        Assert.Equal(SeededRevision, onlyReads.Header.Revision);
        Assert.Equal(SeededRevision, noOpDelete.Header.Revision);
        Assert.False(emptyFailure.Succeeded);
        Assert.Equal(SeededRevision, (await D.Range(All()).Ok()).Header.Revision);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Txn_Nested_ComparesSeeTheStoreBeforeTheTxnAndWritesShareOneRevision()
    {
        await Seed();

        var inner = Txn(
            [Version("a", CompareResult.Equal, 2)],
            [Op(Put("inner-s", "1")), Op(Get("outer")), Op(Txn([Mod("inner-s", CompareResult.Greater, 0)], [Op(Put("deep", "d"))], [Op(Put("deep", "never"))]))],
            [Op(Put("inner-f", "1"))]);
        var response = await D.Txn(Txn([], [Op(Put("outer", "o")), Op(inner), Op(Get("deep"))])).Ok();
        await D.Txn(Txn([Value("a", CompareResult.Equal, "nope")], [Op(Put("never", "x"))], [Op(Txn([], [Op(Put("from-failure", "y"))]))])).Ok();
        await D.Range(All()).Ok();

        // etcd evaluates every compare, nested ones included, against the store as it was before the txn: the innermost
        // txn does not see "inner-s", written earlier in the same txn, and takes its failure branch.
        Assert.True(response.Responses[1].ResponseTxn.Succeeded);
        Assert.Equal("never", response.Responses[2].ResponseRange.Kvs.Single().Value.ToStringUtf8());
        Assert.Equal(SeededRevision + 1, response.Responses[2].ResponseRange.Kvs.Single().ModRevision);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Txn_DuplicateKeys_TwoPutsOrAPutInADeletedRangeAreRejected()
    {
        await Seed();

        var twoPuts = await D.Txn(Txn([], [Op(Put("k", "1")), Op(Put("k", "2"))])).Failed();
        await D.Txn(Txn([], [Op(Put("k", "1"))], [Op(Put("k", "1")), Op(Put("k", "2"))])).Failed();
        await D.Txn(Txn([], [Op(Del("a", "c")), Op(Put("b", "x"))])).Failed();
        await D.Txn(Txn([], [Op(Put("b", "x")), Op(Del("a", "c"))])).Failed();
        await D.Txn(Txn([], [Op(Put("k", "1")), Op(Txn([], [Op(Put("k", "2"))]))])).Failed();
        await D.Txn(Txn([], [Op(Del("a", "z")), Op(Txn([], [Op(Put("q", "2"))]))])).Failed();
        await D.Txn(Txn([], [Op(Txn([], [Op(Put("k", "1"))], [Op(Put("k", "2"))])), Op(Put("k", "3"))])).Failed();

        Assert.Equal((StatusCode.InvalidArgument, "etcdserver: duplicate key given in txn request"), (twoPuts.StatusCode, twoPuts.Detail));
        Assert.Equal(SeededRevision, (await D.Range(All()).Ok()).Header.Revision);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Txn_NotDuplicates_OverlappingDeletesAndOneKeyPerBranch()
    {
        await Seed();

        await D.Txn(Txn([], [Op(Del("a", "c")), Op(Del("b", "e")), Op(Del("b"))])).Ok();
        await D.Txn(Txn([], [Op(Put("k", "1"))], [Op(Put("k", "2"))])).Ok();
        await D.Txn(Txn([], [Op(Txn([], [Op(Put("n", "1"))], [Op(Put("n", "2"))]))])).Ok();
        await D.Txn(Txn([], [Op(Put("r", "1")), Op(Get("r")), Op(Get(Zero, Zero))])).Ok();
        await D.Range(All()).Ok();
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Txn_ErrorsInsideBranches_FailTheWholeTxn()
    {
        await Seed();

        await D.Txn(Txn([], [Op(Put("ok", "1")), Op(new PutRequest { Key = B("missing"), IgnoreValue = true })])).Failed();
        await D.Txn(Txn([], [Op(Put("ok", "1")), Op(new PutRequest { Key = B("a"), Value = B("v"), IgnoreValue = true })])).Failed();
        await D.Txn(Txn([], [Op(new PutRequest { Key = B("a"), Value = B("v"), IgnoreLease = true, Lease = 5 })])).Failed();
        await D.Txn(Txn([], [Op(Put("ok", "1")), Op(new RangeRequest { Key = B("a"), Revision = 1000 })])).Failed();
        await D.Txn(Txn([], [Op(Get(""))])).Failed();
        await D.Txn(Txn([], [Op(Put("", "v"))])).Failed();
        var emptyCompareKey = await D.Txn(Txn([new Compare { Key = ByteString.Empty, Target = CompareTarget.Version }], [Op(Get("a"))])).Failed();
        await D.Range(All()).Ok();

        Assert.Equal((StatusCode.InvalidArgument, "etcdserver: key is not provided"), (emptyCompareKey.StatusCode, emptyCompareKey.Detail));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Txn_RangeBelowTheCompactRevisionInsideATxn_IsCompacted()
    {
        await Seed();
        await D.Compact(new CompactionRequest { Revision = 8 }).Ok();

        var error = await D.Txn(Txn([], [Op(Put("w", "1")), Op(new RangeRequest { Key = B("a"), Revision = 7 })])).Failed();
        await D.Txn(Txn([], [Op(new RangeRequest { Key = B("a"), Revision = 8 })])).Ok();
        await D.Range(All()).Ok();

        Assert.Equal("etcdserver: mvcc: required revision has been compacted", error.Detail);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Txn_OpLimit_AppliesToEachListAt128()
    {
        await Seed();

        var puts = Enumerable.Range(0, 128).Select(i => Op(Put($"p{i:D3}", "v"))).ToList();
        var compares = Enumerable.Range(0, 128).Select(_ => Version("a", CompareResult.Equal, 2)).ToList();
        await D.Txn(Txn(compares, puts, puts.Select(p => Op(Get(p.RequestPut.Key.ToStringUtf8()))))).Ok();

        var tooManyPuts = await D.Txn(Txn([], [.. puts, Op(Put("p999", "v"))])).Failed();
        await D.Txn(Txn([.. compares, Version("a", CompareResult.Equal, 2)], [Op(Get("a"))])).Failed();
        await D.Txn(Txn([], [Op(Get("a"))], Enumerable.Range(0, 129).Select(_ => Op(Get("a"))))).Failed();
        await D.Txn(Txn([], [Op(Txn([], Enumerable.Range(0, 129).Select(i => Op(Put($"n{i}", "v")))))])).Failed();
        await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, CountOnly = true }).Ok();

        Assert.Equal((StatusCode.InvalidArgument, "etcdserver: too many operations in txn request"), (tooManyPuts.StatusCode, tooManyPuts.Detail));
    }
}

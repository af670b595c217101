using Cairn.Api.Etcdserverpb;
using Cairn.Testing;
using Google.Protobuf;
using Grpc.Core;
using static Cairn.Tests.Differential.Kv;

namespace Cairn.Tests.Differential;

/// <summary>DeleteRange against etcd 3.4.23 and the server under test: prev_kv, ranges, and the no-op delete.</summary>
[Collection("Processes")]
public sealed class DeleteRangeTests : DifferentialTest
{
    [Fact(Timeout = Hang.Default)]
    public async Task Delete_SingleKey_WithAndWithoutPrevKv()
    {
        await Seed();

        var withPrev = await D.Delete(Del("a", prevKv: true)).Ok();
        await D.Delete(Del("b")).Ok();
        await D.Range(All()).Ok();

        Assert.Equal(1, withPrev.Deleted);
        Assert.Equal("11", withPrev.PrevKvs.Single().Value.ToStringUtf8());
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Delete_NothingToDelete_DoesNotAdvanceTheRevision()
    {
        await Seed();

        var missing = await D.Delete(Del("missing", prevKv: true)).Ok();
        await D.Delete(Del("c")).Ok();
        await D.Delete(Del("x", "z")).Ok();
        var after = await D.Put("next", "v").Ok();

        Assert.Equal(0, missing.Deleted);
        Assert.Equal(SeededRevision, missing.Header.Revision);
        Assert.Equal(SeededRevision + 1, after.Header.Revision);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Delete_Ranges_HalfOpenPrefixFromKeyAndAll()
    {
        await Seed();

        await D.Delete(new DeleteRangeRequest { Key = B("a"), RangeEnd = PrefixEnd("a"), PrevKv = true }).Ok();
        await D.Range(All()).Ok();
        await D.Delete(new DeleteRangeRequest { Key = B("b"), RangeEnd = B("e"), PrevKv = true }).Ok();
        await D.Range(All()).Ok();
        await D.Delete(new DeleteRangeRequest { Key = B("e"), RangeEnd = Zero, PrevKv = true }).Ok();
        await D.Range(All()).Ok();
        var all = await D.Delete(new DeleteRangeRequest { Key = Zero, RangeEnd = Zero, PrevKv = true }).Ok();
        await D.Range(All()).Ok();

        Assert.Equal(1, all.Deleted);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Delete_EmptyKey_IsInvalidArgument()
    {
        await Seed();

        var error = await D.Delete(new DeleteRangeRequest { Key = ByteString.Empty }).Failed();

        Assert.Equal((StatusCode.InvalidArgument, "etcdserver: key is not provided"), (error.StatusCode, error.Detail));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Delete_ThenHistory_OldRevisionsStillShowTheKeyAndRecreateStartsAtVersionOne()
    {
        await Seed();

        await D.Delete(Del("a", PrefixEnd("a").ToStringUtf8())).Ok();
        await D.Range(new RangeRequest { Key = B("a"), RangeEnd = PrefixEnd("a"), Revision = SeededRevision }).Ok();
        await D.Range(new RangeRequest { Key = B("a"), RangeEnd = PrefixEnd("a"), Revision = SeededRevision + 1 }).Ok();
        await D.Put("a", "again").Ok();
        var recreated = await D.Range(Get("a")).Ok();
        await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, MinCreateRevision = SeededRevision }).Ok();

        Assert.Equal(1, recreated.Kvs.Single().Version);
        Assert.Equal(SeededRevision + 2, recreated.Kvs.Single().CreateRevision);
    }
}

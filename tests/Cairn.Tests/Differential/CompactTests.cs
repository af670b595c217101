using Cairn.Api.Etcdserverpb;
using Cairn.Testing;
using Grpc.Core;
using static Cairn.Tests.Differential.Kv;

namespace Cairn.Tests.Differential;

/// <summary>Compact against etcd 3.4.23 and the server under test: physical, compacted and future errors, what survives.</summary>
[Collection("Processes")]
public sealed class CompactTests : DifferentialTest
{
    [Fact(Timeout = Hang.Default)]
    public async Task Compact_FutureRevision_IsOutOfRange()
    {
        await Seed();

        var error = await D.Compact(new CompactionRequest { Revision = SeededRevision + 1 }).Failed();

        Assert.Equal((StatusCode.OutOfRange, "etcdserver: mvcc: required revision is a future revision"), (error.StatusCode, error.Detail));
        await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, Revision = 2 }).Ok();
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Compact_AtOrBelowTheCompactRevision_IsCompacted()
    {
        await Seed();

        var first = await D.Compact(new CompactionRequest { Revision = 6 }).Ok();
        var same = await D.Compact(new CompactionRequest { Revision = 6 }).Failed();
        await D.Compact(new CompactionRequest { Revision = 3 }).Failed();
        await D.Compact(new CompactionRequest { Revision = 9 }).Ok();
        await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, Revision = 8 }).Failed();
        await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, Revision = 9 }).Ok();

        Assert.Equal(SeededRevision, first.Header.Revision);
        Assert.Equal((StatusCode.OutOfRange, "etcdserver: mvcc: required revision has been compacted"), (same.StatusCode, same.Detail));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Compact_Physical_KeepsLatestValuesAndVersions()
    {
        await Seed();

        await D.Compact(new CompactionRequest { Revision = SeededRevision, Physical = true }).Ok();
        await D.Range(All()).Ok();
        await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, Revision = SeededRevision }).Ok();
        await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, Revision = SeededRevision - 1 }).Failed();
        await D.Range(Get("c")).Ok();
        await D.Put("c", "back").Ok();
        await D.Put("a", "12").Ok();
        await D.Range(All()).Ok();
        await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, MinCreateRevision = SeededRevision }).Ok();
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Compact_RevisionZeroThenOneThenCurrent_AllSucceed()
    {
        await Seed();

        await D.Compact(new CompactionRequest { Revision = 0 }).Ok();
        await D.Compact(new CompactionRequest { Revision = 1 }).Ok();
        await D.Compact(new CompactionRequest { Revision = SeededRevision }).Ok();
        await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, Revision = SeededRevision, CountOnly = true }).Ok();
        await D.Delete(new DeleteRangeRequest { Key = Zero, RangeEnd = Zero, PrevKv = true }).Ok();
        await D.Compact(new CompactionRequest { Revision = SeededRevision + 1, Physical = true }).Ok();
        await D.Range(All()).Ok();
        await D.Put("a", "fresh").Ok();
        await D.Range(All()).Ok();
    }
}

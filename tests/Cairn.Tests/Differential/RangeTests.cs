using Cairn.Api.Etcdserverpb;
using Cairn.Testing;
using Google.Protobuf;
using Grpc.Core;
using static Cairn.Api.Etcdserverpb.RangeRequest.Types;
using static Cairn.Tests.Differential.Kv;

namespace Cairn.Tests.Differential;

/// <summary>Range against etcd 3.4.23 and the server under test: every option and error, answers compared field by field.</summary>
[Collection("Processes")]
public sealed class RangeTests : DifferentialTest
{
    private static readonly string[] Keys = ["a", "a/x", "b", "c", "d", "e", "f", "missing"];

    [Fact(Timeout = Hang.Default)]
    public async Task Range_EmptyStore_AnswersRevisionOneAndNoKeys()
    {
        var response = await D.Range(All()).Ok();

        Assert.Equal(1, response.Header.Revision);
        Assert.Equal(0, response.Count);
        await D.Range(Get("a")).Ok();
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Range_SingleKeys_ExistingDeletedAndMissing()
    {
        await Seed();

        foreach (var key in Keys)
        {
            await D.Range(Get(key)).Ok();
        }

        await D.Range(Get(Bytes(0x00, 0x01), ByteString.Empty)).Ok();
        await D.Range(Get(Bytes(0xff, 0xff), ByteString.Empty)).Ok();
        Assert.Equal(SeededRevision, (await D.Range(Get("a")).Ok()).Header.Revision);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Range_EmptyKey_IsInvalidArgument()
    {
        await Seed();

        var error = await D.Range(Get("")).Failed();
        await D.Range(Get("", "z")).Failed();

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("etcdserver: key is not provided", error.Detail);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Range_Intervals_HalfOpenPrefixFromKeyAndAll()
    {
        await Seed();

        await D.Range(Get("a", "c")).Ok();
        await D.Range(Get("a", "a")).Ok();
        await D.Range(Get("c", "a")).Ok();
        await D.Range(Get("b", "b\0")).Ok();
        await D.Range(Get(B("a"), PrefixEnd("a"))).Ok();
        await D.Range(Get(B("a/"), PrefixEnd("a/"))).Ok();
        await D.Range(Get(B("b"), Zero)).Ok();
        await D.Range(Get(Bytes(0xff), Zero)).Ok();
        await D.Range(Get(Zero, Zero)).Ok();
        await D.Range(Get(Zero, ByteString.Empty)).Ok();
        await D.Range(Get(Zero, B("b"))).Ok();
        var all = await D.Range(All()).Ok();

        Assert.Equal(7, all.Count);
        Assert.Equal(Bytes(0x00, 0x01), all.Kvs[0].Key);
        Assert.Equal(Bytes(0xff, 0xff), all.Kvs[^1].Key);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Range_Limit_TruncatesSetsMoreAndKeepsTheFullCount()
    {
        await Seed();

        foreach (var limit in new long[] { -1, 0, 1, 2, 6, 7, 8, 100 })
        {
            await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, Limit = limit }).Ok();
            await D.Range(new RangeRequest { Key = B("a"), RangeEnd = B("c"), Limit = limit }).Ok();
        }

        var two = await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, Limit = 2 }).Ok();
        Assert.True(two.More);
        Assert.Equal(7, two.Count);
        Assert.Equal(2, two.Kvs.Count);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Range_Revision_ReadsHistoryAndHeaderKeepsTheCurrentRevision()
    {
        await Seed();

        for (long revision = -2; revision <= SeededRevision; revision++)
        {
            await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, Revision = revision }).Ok();
            await D.Range(new RangeRequest { Key = B("c"), Revision = revision }).Ok();
        }

        var old = await D.Range(new RangeRequest { Key = B("a"), Revision = 3 }).Ok();
        Assert.Equal(SeededRevision, old.Header.Revision);
        Assert.Equal("1", old.Kvs[0].Value.ToStringUtf8());
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Range_FutureRevision_IsOutOfRange()
    {
        await Seed();

        var error = await D.Range(new RangeRequest { Key = B("a"), Revision = SeededRevision + 1 }).Failed();
        await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, Revision = 1_000_000, CountOnly = true }).Failed();

        Assert.Equal(StatusCode.OutOfRange, error.StatusCode);
        Assert.Equal("etcdserver: mvcc: required revision is a future revision", error.Detail);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Range_AroundTheCompactRevision_BelowFailsAtWorks()
    {
        await Seed();
        await D.Compact(new CompactionRequest { Revision = 6 }).Ok();

        var below = await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, Revision = 5 }).Failed();
        await D.Range(new RangeRequest { Key = B("a"), Revision = 1 }).Failed();
        var at = await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, Revision = 6 }).Ok();
        await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, Revision = 7 }).Ok();
        await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, Revision = 0 }).Ok();

        Assert.Equal(StatusCode.OutOfRange, below.StatusCode);
        Assert.Equal("etcdserver: mvcc: required revision has been compacted", below.Detail);
        Assert.Equal(4, at.Count);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Range_SortEveryTargetAndOrder_WithAndWithoutLimit()
    {
        await Seed();
        await D.Put("d", "0").Ok();

        foreach (var target in Enum.GetValues<SortTarget>())
        {
            foreach (var order in Enum.GetValues<SortOrder>())
            {
                foreach (var limit in new long[] { 0, 1, 3 })
                {
                    await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, SortTarget = target, SortOrder = order, Limit = limit }).Ok();
                    await D.Range(new RangeRequest { Key = B("a"), RangeEnd = B("e"), SortTarget = target, SortOrder = order, Limit = limit, KeysOnly = true }).Ok();
                }
            }
        }

        var byModDescending = await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, SortTarget = SortTarget.Mod, SortOrder = SortOrder.Descend, Limit = 1 }).Ok();
        Assert.Equal("d", byModDescending.Kvs.Single().Key.ToStringUtf8());
        var byValueNoOrder = await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, SortTarget = SortTarget.Value }).Ok();
        Assert.Equal("0", byValueNoOrder.Kvs[0].Value.ToStringUtf8());
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Range_SortAtAnOldRevision_SortsThatRevisionsKeys()
    {
        await Seed();

        foreach (var target in Enum.GetValues<SortTarget>())
        {
            await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, Revision = 8, SortTarget = target, SortOrder = SortOrder.Descend, Limit = 2 }).Ok();
        }
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Range_SerializableAndLinearizable_AnswerTheSame()
    {
        await Seed();

        await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, Serializable = true }).Ok();
        await D.Range(new RangeRequest { Key = B("b"), Serializable = true }).Ok();
        await D.Range(new RangeRequest { Key = B("b"), Serializable = true, Revision = 4 }).Ok();
        await D.Range(new RangeRequest { Key = B("b"), Serializable = true, Revision = 99 }).Failed();
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Range_KeysOnlyAndCountOnly_AloneTogetherAndWithLimits()
    {
        await Seed();

        foreach (var (keysOnly, countOnly) in new[] { (true, false), (false, true), (true, true) })
        {
            foreach (var limit in new long[] { 0, 2 })
            {
                await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, KeysOnly = keysOnly, CountOnly = countOnly, Limit = limit }).Ok();
                await D.Range(new RangeRequest { Key = B("b"), KeysOnly = keysOnly, CountOnly = countOnly, Limit = limit }).Ok();
                await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, KeysOnly = keysOnly, CountOnly = countOnly, Limit = limit, Revision = 6 }).Ok();
                await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, KeysOnly = keysOnly, CountOnly = countOnly, Limit = limit, SortTarget = SortTarget.Version, SortOrder = SortOrder.Descend }).Ok();
            }
        }

        var count = await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, CountOnly = true, Limit = 1 }).Ok();
        Assert.Equal(7, count.Count);
        Assert.Empty(count.Kvs);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Range_MinMaxModAndCreateRevisionFilters_CountIgnoresThem()
    {
        await Seed();

        foreach (var bound in new long[] { 0, 2, 5, 9, 11, 13, 20 })
        {
            await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, MinModRevision = bound }).Ok();
            await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, MaxModRevision = bound }).Ok();
            await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, MinCreateRevision = bound }).Ok();
            await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, MaxCreateRevision = bound }).Ok();
            await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, MinModRevision = bound, Limit = 1 }).Ok();
            await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, MaxCreateRevision = bound, Limit = 2, SortTarget = SortTarget.Create, SortOrder = SortOrder.Descend }).Ok();
            await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, MinCreateRevision = bound, CountOnly = true }).Ok();
        }

        await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, MinModRevision = 5, MaxModRevision = 10, MinCreateRevision = 3, MaxCreateRevision = 11 }).Ok();
        await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, MinModRevision = 5, MaxModRevision = 10, Revision = 9 }).Ok();
        var filtered = await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, MinModRevision = 10 }).Ok();
        Assert.Equal(7, filtered.Count);
        Assert.Equal(4, filtered.Kvs.Count);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Range_LargeRange_PagesLikeKubernetes()
    {
        for (var i = 0; i < 40; i++)
        {
            await D.Put($"pods/{i:D3}", new string('v', i)).Ok();
        }

        var first = await D.Range(new RangeRequest { Key = B("pods/"), RangeEnd = PrefixEnd("pods/"), Limit = 15 }).Ok();
        var revision = first.Header.Revision;
        var next = first.Kvs[^1].Key.Concat([(byte)0]).ToArray();
        await D.Put("pods/999", "after").Ok();
        while (true)
        {
            var page = await D.Range(new RangeRequest { Key = ByteString.CopyFrom(next), RangeEnd = PrefixEnd("pods/"), Limit = 15, Revision = revision }).Ok();
            if (!page.More)
            {
                break;
            }

            next = page.Kvs[^1].Key.Concat([(byte)0]).ToArray();
        }

        await D.Range(new RangeRequest { Key = B("pods/"), RangeEnd = PrefixEnd("pods/"), CountOnly = true }).Ok();
    }
}

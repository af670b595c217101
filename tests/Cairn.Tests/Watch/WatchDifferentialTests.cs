using Cairn.Api.Etcdserverpb;
using Cairn.Testing;
using Cairn.Tests.Differential;
using Google.Protobuf;
using static Cairn.Tests.Differential.Kv;

namespace Cairn.Tests.Watch;

/// <summary>
/// Watch against etcd 3.4.23 and the server under test: each scenario runs on a fresh stream of each server (etcd
/// first), and the responses must be equal once IDs and terms are cleared, compared per watch ID in arrival order
/// (how a stream interleaves different watchers is not part of the contract). Progress requests are only compared
/// when every watcher is synced (docs/compat.md C11).
/// </summary>
[Collection("Processes")]
public sealed class WatchDifferentialTests : DifferentialTest
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(700);

    /// <summary>Runs <paramref name="scenario"/> on each server and compares what each stream received.</summary>
    private async Task Same(Func<EtcdClient, WatchSession, Task<List<WatchResponse>>> scenario)
    {
        var expected = await Run(D.Expected, scenario);
        var actual = await Run(D.Actual, scenario);
        var e = ByWatch(expected);
        var a = ByWatch(actual);
        Assert.Equal(e.Keys.Order(), a.Keys.Order());
        foreach (var (id, responses) in e)
        {
            Assert.True(responses.Count == a[id].Count,
                $"watch {id}: etcd sent {responses.Count} responses, the subject {a[id].Count}:\n{Dump(responses)}\n--- subject ---\n{Dump(a[id])}");
            for (var i = 0; i < responses.Count; i++)
            {
                Assert.True(responses[i].Equals(a[id][i]),
                    $"watch {id}, response {i}:\netcd:    {ProtoText.OneLine(responses[i])}\nsubject: {ProtoText.OneLine(a[id][i])}");
            }
        }
    }

    private static async Task<List<WatchResponse>> Run(EtcdClient client, Func<EtcdClient, WatchSession, Task<List<WatchResponse>>> scenario)
    {
        await using var session = new WatchSession(client);
        var received = await scenario(client, session);
        received.AddRange(await session.Drain(Quiet));
        return [.. received.Select(ResponseIds.Cleared)];
    }

    private static Dictionary<long, List<WatchResponse>> ByWatch(List<WatchResponse> responses) =>
        responses.GroupBy(r => r.WatchId).ToDictionary(g => g.Key, g => g.ToList());

    private static string Dump(IEnumerable<WatchResponse> responses) => string.Join("\n", responses.Select(r => ProtoText.OneLine(r)));

    private static WatchCreateRequest Filtered(string key, WatchCreateRequest.Types.FilterType filter)
    {
        var c = WatchSession.On(key);
        c.Filters.Add(filter);
        return c;
    }

    [Fact(Timeout = Hang.Default)]
    public Task LiveEvents_ManyWatchersOnOneStream_KeysPrefixesFiltersIdsAndRefusals() => Same(async (client, s) =>
    {
        await s.Create(WatchSession.On("a"));
        await s.Create(new WatchCreateRequest { Key = B("p/"), RangeEnd = PrefixEnd("p/"), PrevKv = true });
        await s.Create(new WatchCreateRequest { Key = B("m"), RangeEnd = Zero });
        await s.Create(Filtered("a", WatchCreateRequest.Types.FilterType.Noput));
        await s.Create(Filtered("a", WatchCreateRequest.Types.FilterType.Nodelete));
        await s.Create(WatchSession.On("x", id: 7));
        await s.Create(WatchSession.On("y", id: 7));
        await s.Create(WatchSession.On("b", "a"));
        await s.Create(new WatchCreateRequest { Key = ByteString.Empty, RangeEnd = Zero, PrevKv = true });
        var created = await s.Until(l => l.Count == 9);

        await client.KV.PutAsync(Put("a", "1"));
        await client.KV.PutAsync(Put("p/1", "v1"));
        await client.KV.TxnAsync(Txn([], [Op(Put("p/2", "v2")), Op(Put("a", "2")), Op(Put("q", "0"))]));
        await client.KV.PutAsync(Put("p/1", "v1b"));
        await client.KV.DeleteRangeAsync(Del("p/", "p0"));
        await client.KV.DeleteRangeAsync(Del("a"));
        await client.KV.PutAsync(Put("z", "1"));
        await client.KV.PutAsync(Put("x", "1"));
        await client.KV.PutAsync(new PutRequest { Key = B("a"), Value = B("3"), PrevKv = true });
        return created;
    });

    [Fact(Timeout = Hang.Default)]
    public Task History_FromPastRevisions_WithPrevKv_AndTheCompactedAnswer() => Same(async (client, s) =>
    {
        for (var i = 0; i < 6; i++)
        {
            await client.KV.PutAsync(Put($"h/{i % 3}", $"v{i}"));
        }
        await client.KV.DeleteRangeAsync(Del("h/1"));
        await client.KV.TxnAsync(Txn([], [Op(Put("h/1", "again")), Op(Put("h/9", "x"))]));
        await client.KV.CompactAsync(new CompactionRequest { Revision = 4, Physical = true });

        await s.Create(new WatchCreateRequest { Key = B("h/"), RangeEnd = PrefixEnd("h/"), StartRevision = 2, WatchId = 1 });
        await s.Create(new WatchCreateRequest { Key = B("h/"), RangeEnd = PrefixEnd("h/"), StartRevision = 4, PrevKv = true, WatchId = 2 });
        await s.Create(new WatchCreateRequest { Key = B("h/1"), StartRevision = 5, PrevKv = true, WatchId = 3 });
        await s.Create(new WatchCreateRequest { Key = B("h/"), RangeEnd = PrefixEnd("h/"), StartRevision = 100, WatchId = 4 });
        var received = await s.Until(l => l.Count(r => !r.Created) >= 3);
        for (var i = 0; i < 100; i++)
        {
            await client.KV.PutAsync(Put("h/2", $"fill{i}"));
        }
        return received;
    });

    [Fact(Timeout = Hang.Default)]
    public Task Cancel_AnswersCanceledAtTheCurrentRevision_AndUnknownIdsAreIgnored() => Same(async (client, s) =>
    {
        await s.Create(WatchSession.On("c"));
        await s.Create(WatchSession.On("d"));
        var received = await s.Until(l => l.Count == 2);
        await client.KV.PutAsync(Put("c", "1"));
        received.Add(await s.Next());
        await s.Cancel(0);
        await s.Cancel(42);
        received.Add(await s.Next());
        await client.KV.PutAsync(Put("c", "2"));
        await client.KV.PutAsync(Put("d", "1"));
        received.Add(await s.Next());
        return received;
    });

    [Fact(Timeout = Hang.Default)]
    public Task ProgressRequest_OnASyncedStream_AnswersWatchIdMinusOneAtTheCurrentRevision() => Same(async (client, s) =>
    {
        await s.Create(WatchSession.On("k"));
        var received = await s.Until(l => l.Count == 1);
        await client.KV.PutAsync(Put("k", "1"));
        await client.KV.PutAsync(Put("other", "1"));
        received.Add(await s.Next());
        await s.RequestProgress();
        received.Add(await s.Next());
        return received;
    });

    [Fact(Timeout = Hang.Default)]
    public Task StartInTheFuture_DeliversOnlyFromThatRevision() => Same(async (client, s) =>
    {
        await client.KV.PutAsync(Put("f", "0"));
        await s.Create(new WatchCreateRequest { Key = B("f"), StartRevision = 4 });
        var received = await s.Until(l => l.Count == 1);
        await client.KV.PutAsync(Put("f", "1"));
        await client.KV.PutAsync(Put("f", "2"));
        await client.KV.PutAsync(Put("f", "3"));
        return received;
    });

    [Fact(Timeout = Hang.Default)]
    public Task Fragment_ALargeHistoryResponse_IsSplitTheSameWay() => Same(async (client, s) =>
    {
        var big = ByteString.CopyFrom(new byte[300 * 1024]);
        for (var i = 0; i < 9; i++)
        {
            await client.KV.PutAsync(new PutRequest { Key = B($"big/{i}"), Value = big });
        }
        await s.Create(new WatchCreateRequest { Key = B("big/"), RangeEnd = PrefixEnd("big/"), StartRevision = 2, Fragment = true });
        await s.Create(new WatchCreateRequest { Key = B("big/"), RangeEnd = PrefixEnd("big/"), StartRevision = 2, Fragment = false });
        return await s.Until(l => l.Where(r => r.WatchId == 0).Sum(r => r.Events.Count) == 9
            && l.Where(r => r.WatchId == 1).Sum(r => r.Events.Count) == 9);
    });
}

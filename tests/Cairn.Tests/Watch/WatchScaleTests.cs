using System.Diagnostics;
using Cairn.Api.Etcdserverpb;
using Cairn.Testing;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Cairn.Tests.Watch;

/// <summary>
/// Watch at scale on one member: a burst of puts fans out to many watchers, and every event must arrive, in order,
/// exactly once. Prints the server's memory per watcher and the time to drain. CAIRN_TIER=full runs the sizes of the
/// issue (10,000 watchers and puts; 100 prefix watchers × 10,000 events); the CI tier is smaller and finishes in
/// about a minute.
/// </summary>
[Collection("Processes")]
public sealed class WatchScaleTests(ITestOutputHelper output) : SingleMemberTest
{
    private static readonly bool Full = Environment.GetEnvironmentVariable("CAIRN_TIER") == "full";
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(60);

    private static int KeyWatchers => Full ? 10_000 : 5_000;

    private static int PrefixWatchers => 100;

    private static int PrefixEvents => Full ? 10_000 : 2_000;

    private const int Hang = 900_000;

    [Fact(Timeout = Hang)]
    public Task OneStream_EachWatcherOnItsOwnKey_ReceivesTheBurst() => KeyFanOut(streams: 1);

    [Fact(Timeout = Hang)]
    public Task HundredStreams_EachWatcherOnItsOwnKey_ReceivesTheBurst() => KeyFanOut(streams: 100);

    [Fact(Timeout = Hang)]
    public async Task PrefixWatchers_EachReceivesEveryEventInOrder()
    {
        using var client = Member.CreateClient();
        var sessions = Enumerable.Range(0, 10).Select(_ => new WatchSession(client)).ToList();
        try
        {
            var baseline = Rss();
            var start = (await client.KV.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("probe") })).Header.Revision + 1;
            for (var i = 0; i < PrefixWatchers; i++)
            {
                await sessions[i % sessions.Count].Create(new WatchCreateRequest
                {
                    Key = ByteString.CopyFromUtf8("p/"), RangeEnd = ByteString.CopyFromUtf8("p0"), WatchId = i + 1,
                });
            }
            var perSession = PrefixWatchers / sessions.Count;
            await Task.WhenAll(sessions.Select(s =>
            {
                var created = 0;
                return s.Consume(r =>
                {
                    Assert.True(r.Created && !r.Canceled, r.ToString());
                    return ++created < perSession;
                }, Idle);
            }));
            var watcherRss = Rss() - baseline;

            var seen = new long[PrefixWatchers + 1];
            var clock = Stopwatch.StartNew();
            var readers = sessions.Select(s =>
            {
                var remaining = (long)perSession * PrefixEvents;
                return s.Consume(r =>
                {
                    foreach (var e in r.Events)
                    {
                        Assert.Equal(start + seen[r.WatchId], e.Kv.ModRevision);
                        seen[r.WatchId]++;
                    }
                    remaining -= r.Events.Count;
                    return remaining > 0;
                }, Idle);
            }).ToList();
            var puts = await WatchLoad.Burst(client, Enumerable.Range(0, PrefixEvents).Select(i => $"p/{i:D6}").ToList());
            await Task.WhenAll(readers);
            var drained = clock.Elapsed;

            Assert.All(seen.Skip(1), n => Assert.Equal(PrefixEvents, n));
            var deliveries = (long)PrefixWatchers * PrefixEvents;
            output.WriteLine($"prefix fan-out: {PrefixWatchers} watchers × {PrefixEvents} events = {deliveries} deliveries; " +
                $"puts took {puts.TotalSeconds:0.00} s, drained in {drained.TotalSeconds:0.00} s " +
                $"({deliveries / drained.TotalSeconds:0} events/s); server memory {watcherRss / 1024.0:0} KiB for the watchers");
        }
        finally
        {
            foreach (var s in sessions)
            {
                await s.DisposeAsync();
            }
        }
    }

    private async Task KeyFanOut(int streams)
    {
        var n = KeyWatchers;
        using var client = Member.CreateClient();
        var keys = Enumerable.Range(0, n).Select(i => $"k/{i:D6}").ToList();
        var sessions = Enumerable.Range(0, streams).Select(_ => new WatchSession(client)).ToList();
        try
        {
            // Warm the server up so the baseline includes its steady-state allocations.
            await client.KV.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8("warm"), Value = ByteString.CopyFromUtf8("x") });
            var baseline = Rss();
            var created = new int[streams];
            for (var i = 0; i < n; i++)
            {
                await sessions[i % streams].Create(new WatchCreateRequest { Key = ByteString.CopyFromUtf8(keys[i]), WatchId = i + 1 });
            }
            await Task.WhenAll(sessions.Select((s, j) => s.Consume(r =>
            {
                Assert.True(r.Created && !r.Canceled, r.ToString());
                return ++created[j] < (n + streams - 1 - j) / streams;
            }, Idle)));
            var perWatcher = (Rss() - baseline) / (double)n;

            var got = new int[n + 1];
            var remaining = Enumerable.Range(0, streams).Select(j => (n + streams - 1 - j) / streams).ToArray();
            var clock = Stopwatch.StartNew();
            var readers = sessions.Select((s, j) => s.Consume(r =>
            {
                var e = Assert.Single(r.Events);
                Assert.Equal(keys[(int)r.WatchId - 1], e.Kv.Key.ToStringUtf8());
                Assert.Equal(1, ++got[r.WatchId]);
                return --remaining[j] > 0;
            }, Idle)).ToList();
            var puts = await WatchLoad.Burst(client, keys);
            await Task.WhenAll(readers);
            var drained = clock.Elapsed;

            output.WriteLine($"{n} key watchers on {streams} stream(s): {perWatcher:0} bytes of server memory per watcher; " +
                $"{n} puts took {puts.TotalSeconds:0.00} s ({n / puts.TotalSeconds:0}/s); all events drained in {drained.TotalSeconds:0.00} s");
        }
        finally
        {
            foreach (var s in sessions)
            {
                await s.DisposeAsync();
            }
        }
    }

    private long Rss() => WatchLoad.Rss(Member.Pid!.Value);
}

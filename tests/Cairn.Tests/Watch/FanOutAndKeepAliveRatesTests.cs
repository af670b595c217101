using System.Diagnostics;
using Cairn.Api.Etcdserverpb;
using Cairn.Testing;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Cairn.Tests.Watch;

/// <summary>
/// The same two workloads against real etcd 3.4.23 and the server under test, one after the other, printing both
/// rates: watch fan-out (100 prefix watchers on 10 streams receiving a burst of puts: deliveries per second) and
/// lease keep-alives (10 streams, each pipelining requests for its own lease: answers per second). Every delivery
/// and every answer is checked. CAIRN_TIER=full uses 10,000 puts and 20,000 keep-alives per stream. Run it with
/// CAIRN_BIN set to a Release build: the cairn built beside the tests is a Debug build.
/// </summary>
[Collection("Processes")]
public sealed class FanOutAndKeepAliveRatesTests(ITestOutputHelper output)
{
    private static readonly bool Full = Environment.GetEnvironmentVariable("CAIRN_TIER") == "full";
    private static readonly int Puts = Full ? 10_000 : 1_000;
    private static readonly int KeepAlivesPerStream = Full ? 20_000 : 2_000;
    private const int Watchers = 100;
    private const int Streams = 10;

    [Fact(Timeout = 900_000)]
    public async Task FanOutAndKeepAlives_AgainstEtcdAndTheSubject()
    {
        var rows = new List<string>();
        foreach (var binary in (ServerBinary[])[ServerBinary.Etcd, ServerBinary.Cairn])
        {
            await using var cluster = await ProcessCluster.StartAsync(binary);
            using var client = cluster.CreateClient();
            // A first round warms up both sides (JIT, connections, caches); the second is measured.
            await FanOut(client, "warm/");
            await KeepAlives(client);
            var (live, catchUp) = await FanOut(client, "f/");
            var keepAlives = await KeepAlives(client);
            rows.Add($"{(binary.IsEtcd ? "etcd 3.4.23" : "cairn"),-12} live fan-out {live,9:0} events/s   " +
                $"catch-up fan-out {catchUp,9:0} events/s   keep-alives {keepAlives,8:0}/s");
        }
        foreach (var row in rows)
        {
            output.WriteLine(row);
        }
    }

    /// <summary>Live: the watchers exist before the burst (bounded by the put rate). Catch-up: new watchers replay
    /// the same burst from history (the watch path alone).</summary>
    private static async Task<(double Live, double CatchUp)> FanOut(EtcdClient client, string prefix)
    {
        var (start, live) = await Deliver(client, prefix, fromHistory: 0);
        var (_, catchUp) = await Deliver(client, prefix, fromHistory: start);
        return (live, catchUp);
    }

    private static async Task<(long Start, double Rate)> Deliver(EtcdClient client, string prefix, long fromHistory)
    {
        var sessions = Enumerable.Range(0, Streams).Select(_ => new WatchSession(client)).ToList();
        try
        {
            var start = fromHistory > 0
                ? fromHistory
                : (await client.KV.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("probe") })).Header.Revision + 1;
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < Watchers; i++)
            {
                await sessions[i % Streams].Create(new WatchCreateRequest
                {
                    Key = ByteString.CopyFromUtf8(prefix), RangeEnd = ByteString.CopyFromUtf8(prefix[..^1] + "0"), WatchId = i + 1,
                    StartRevision = fromHistory,
                });
            }
            var seen = new long[Watchers + 1];
            if (fromHistory == 0)
            {
                await Task.WhenAll(sessions.Select(s =>
                {
                    var created = 0;
                    return s.Consume(r => ++created < Watchers / Streams, TimeSpan.FromSeconds(30));
                }));
                clock.Restart();
            }
            var readers = sessions.Select(s =>
            {
                var remaining = (long)Watchers / Streams * Puts;
                return s.Consume(r =>
                {
                    foreach (var e in r.Events)
                    {
                        Assert.Equal(start + seen[r.WatchId]++, e.Kv.ModRevision);
                    }
                    remaining -= r.Events.Count;
                    return remaining > 0;
                }, TimeSpan.FromSeconds(60));
            }).ToList();
            if (fromHistory == 0)
            {
                await WatchLoad.Burst(client, Enumerable.Range(0, Puts).Select(i => $"{prefix}{i:D6}").ToList());
            }
            await Task.WhenAll(readers);
            return (start, (double)Watchers * Puts / clock.Elapsed.TotalSeconds);
        }
        finally
        {
            foreach (var s in sessions)
            {
                await s.DisposeAsync();
            }
        }
    }

    private static async Task<double> KeepAlives(EtcdClient client)
    {
        var leases = new List<long>();
        for (var i = 0; i < Streams; i++)
        {
            leases.Add((await client.Lease.LeaseGrantAsync(new LeaseGrantRequest { TTL = 60 })).ID);
        }
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(leases.Select(async lease =>
        {
            using var call = client.Lease.LeaseKeepAlive(deadline: DateTime.UtcNow.AddMinutes(5));
            var reader = Task.Run(async () =>
            {
                for (var i = 0; i < KeepAlivesPerStream; i++)
                {
                    Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
                    Assert.Equal((lease, 60L), (call.ResponseStream.Current.ID, call.ResponseStream.Current.TTL));
                }
            });
            for (var i = 0; i < KeepAlivesPerStream; i++)
            {
                await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = lease });
            }
            await reader;
            await call.RequestStream.CompleteAsync();
        }));
        return (double)Streams * KeepAlivesPerStream / clock.Elapsed.TotalSeconds;
    }
}

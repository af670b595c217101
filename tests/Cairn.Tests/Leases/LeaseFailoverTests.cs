using System.Collections.Concurrent;
using System.Diagnostics;
using Cairn.Api.Etcdserverpb;
using Cairn.Testing;
using Cairn.Tests.Cluster;
using Cairn.Tests.Watch;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Cairn.Tests.Leases;

/// <summary>
/// kill -9 of the leader of three while leases are expiring: expiry is decided by the leader and carried out through
/// raft, and the new leader extends every lease, so each lease's keys are deleted exactly once, in one revision, and
/// never before the lease's TTL has passed since it was asked for.
/// </summary>
[Collection("Processes")]
public sealed class LeaseFailoverTests(ITestOutputHelper output)
{
    private const int Leases = 30;
    private const long Ttl = 3;
    private static readonly string[] Suffixes = ["a", "b", "c"];

    private static ByteString B(string s) => ByteString.CopyFromUtf8(s);

    [Fact(Timeout = ClusterTimeouts.Scenario)]
    public async Task KillingTheLeaderWhileLeasesExpire_DeletesEachLeasesKeysOnceInOneRevision_NeverEarly()
    {
        await using var cluster = await ProcessCluster.StartAsync(ServerBinary.Cairn, 3);
        var before = await Probe.LeaderAsync(cluster);
        var survivor = before.Followers.First();
        using var client = survivor.CreateClient();
        var start = (await client.KV.PutAsync(new PutRequest { Key = B("marker"), Value = B("x") })).Header.Revision + 1;
        await using var watch = new WatchSession(client);
        await watch.Create(new WatchCreateRequest { Key = B("lk/"), RangeEnd = B("lk0"), StartRevision = start });
        Assert.True((await watch.Next()).Created);

        var clock = Stopwatch.StartNew();
        var deletes = new ConcurrentQueue<(string Key, long Revision, TimeSpan At)>();
        var collector = watch.Consume(r =>
        {
            foreach (var e in r.Events.Where(e => e.Type == Api.Mvccpb.Event.Types.EventType.Delete))
            {
                deletes.Enqueue((e.Kv.Key.ToStringUtf8(), e.Kv.ModRevision, clock.Elapsed));
            }
            return deletes.Count < Leases * Suffixes.Length;
        }, TimeSpan.FromSeconds(60));

        // Leases granted 100 ms apart expire one after another, across the moment the leader dies.
        var asked = new TimeSpan[Leases];
        for (var i = 0; i < Leases; i++)
        {
            asked[i] = clock.Elapsed;
            var id = (await client.Lease.LeaseGrantAsync(new LeaseGrantRequest { TTL = Ttl })).ID;
            foreach (var suffix in Suffixes)
            {
                await client.KV.PutAsync(new PutRequest { Key = B($"lk/{i:D2}/{suffix}"), Value = B("v"), Lease = id });
            }
            await Task.Delay(100);
        }
        var killAt = asked[Leases / 2] + TimeSpan.FromSeconds(Ttl);
        if (clock.Elapsed < killAt)
        {
            await Task.Delay(killAt - clock.Elapsed);
        }
        var deletedBeforeKill = deletes.Count;
        await before.Leader.KillAsync();
        var killed = clock.Elapsed;

        await collector;

        var byLease = deletes.GroupBy(d => int.Parse(d.Key[3..5], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Leases, byLease.Count);
        Assert.Equal(Leases * Suffixes.Length, deletes.Select(d => d.Key).Distinct().Count());
        foreach (var lease in byLease)
        {
            Assert.Equal(Suffixes.Length, lease.Count());
            Assert.Single(lease.Select(d => d.Revision).Distinct());
            var earliest = asked[lease.Key] + TimeSpan.FromSeconds(Ttl);
            Assert.All(lease, d => Assert.True(d.At >= earliest, $"{d.Key} deleted by {d.At} but its lease was asked for at {asked[lease.Key]}"));
        }
        // Nothing is deleted twice, even once the expiry loop's retry interval has passed.
        Assert.Empty((await watch.Drain(TimeSpan.FromSeconds(4))).SelectMany(r => r.Events));
        var after = await Probe.LeaderAsync(before.Followers.ToList(), TimeSpan.FromSeconds(30));
        Assert.NotEqual(before.LeaderId, after.LeaderId);
        output.WriteLine($"{deletedBeforeKill / Suffixes.Length} leases expired before the leader was killed at {killed.TotalSeconds:0.0} s, " +
            $"{Leases - deletedBeforeKill / Suffixes.Length} after; the last keys went at {deletes.Max(d => d.At).TotalSeconds:0.0} s");
    }
}

using System.Diagnostics;
using Cairn.Api.Etcdserverpb;
using Cairn.Api.Mvccpb;
using Cairn.Testing;
using Cairn.Tests.Watch;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Tests.Leases;

/// <summary>Lease expiry on one member: keys go in one revision, never before the TTL, exactly once; leases and
/// their keys survive a restart, and the restarted leader extends every lease instead of expiring it early.</summary>
[Collection("Processes")]
public sealed class LeaseExpiryTests : SingleMemberTest
{
    private static ByteString B(string s) => ByteString.CopyFromUtf8(s);

    private static async Task<long> Grant(EtcdClient client, long ttl, long id = 0) =>
        (await client.Lease.LeaseGrantAsync(new LeaseGrantRequest { TTL = ttl, ID = id })).ID;

    private static async Task PutKeys(EtcdClient client, long lease, params string[] keys)
    {
        foreach (var key in keys)
        {
            await client.KV.PutAsync(new PutRequest { Key = B(key), Value = B("v"), Lease = lease });
        }
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Expiry_DeletesEveryKeyInOneRevision_NotBeforeTheTtl_SeenOnceByWatchers()
    {
        using var client = Member.CreateClient();
        var lease = await Grant(client, 3);
        var granted = Stopwatch.StartNew();
        await PutKeys(client, lease, "e/3", "e/1", "e/2");
        await using var watch = new WatchSession(client);
        await watch.Create(new WatchCreateRequest { Key = B("e/"), RangeEnd = B("e0") });
        Assert.True((await watch.Next()).Created);

        var deleted = await watch.Next(TimeSpan.FromSeconds(15));
        var elapsed = granted.Elapsed;

        Assert.InRange(elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(6));
        Assert.Equal(["e/1", "e/2", "e/3"], deleted.Events.Select(e => e.Kv.Key.ToStringUtf8()));
        Assert.All(deleted.Events, e => Assert.Equal((Event.Types.EventType.Delete, deleted.Header.Revision), (e.Type, e.Kv.ModRevision)));
        // Revoked once: nothing else arrives, even after the expiry loop's retry interval.
        Assert.Empty(await watch.Drain(TimeSpan.FromSeconds(4)));
        var ttl = await client.Lease.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = lease });
        Assert.Equal(-1, ttl.TTL);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task KeepAliveStream_KeepsTheLease_ThenItExpires()
    {
        using var client = Member.CreateClient();
        var lease = await Grant(client, 2);
        await PutKeys(client, lease, "kept");
        using (var call = client.Lease.LeaseKeepAlive(new Metadata { { "hasleader", "true" } }))
        {
            for (var i = 0; i < 8; i++)
            {
                await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = lease });
                Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
                Assert.Equal((lease, 2L), (call.ResponseStream.Current.ID, call.ResponseStream.Current.TTL));
                await Task.Delay(500);
            }
            Assert.Single((await client.KV.RangeAsync(new RangeRequest { Key = B("kept") })).Kvs);
            await call.RequestStream.CompleteAsync();
        }
        await Wait.UntilAsync(async _ => (await client.KV.RangeAsync(new RangeRequest { Key = B("kept") })).Kvs.Count == 0,
            TimeSpan.FromSeconds(10), "the lease to expire");
        using var after = client.Lease.LeaseKeepAlive();
        await after.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = lease });
        Assert.True(await after.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(0, after.ResponseStream.Current.TTL);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Restart_LeasesAndKeysSurvive_AndEveryLeaseIsExtended()
    {
        long lease;
        using (var client = Member.CreateClient())
        {
            lease = await Grant(client, 6, id: 77);
            await Grant(client, 100, id: 78);
            await PutKeys(client, lease, "r/a", "r/b");
            await client.KV.PutAsync(new PutRequest { Key = B("r/c"), Value = B("v"), Lease = 78 });
        }

        var restarted = Stopwatch.StartNew();
        await Member.RestartAsync();

        using var again = Member.CreateClient();
        var ttl = await again.Lease.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = lease, Keys = true });
        Assert.Equal(6, ttl.GrantedTTL);
        Assert.InRange(ttl.TTL, 5, 7);
        Assert.Equal(["r/a", "r/b"], ttl.Keys.Select(k => k.ToStringUtf8()));
        Assert.Equal([77L, 78L], (await again.Lease.LeaseLeasesAsync(new LeaseLeasesRequest())).Leases.Select(l => l.ID));

        await Wait.UntilAsync(async _ => (await again.KV.RangeAsync(new RangeRequest { Key = B("r/a") })).Kvs.Count == 0,
            TimeSpan.FromSeconds(20), "the recovered lease to expire");
        Assert.True(restarted.Elapsed >= TimeSpan.FromSeconds(6), $"expired {restarted.Elapsed} after the restart");
        Assert.Single((await again.KV.RangeAsync(new RangeRequest { Key = B("r/c") })).Kvs);
    }
}

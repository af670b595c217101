using Cairn.Api.Etcdserverpb;
using Cairn.Testing;
using Cairn.Tests.Cluster;
using Google.Protobuf;

namespace Cairn.Tests.Leases;

/// <summary>Leases on a follower of three: grants and revokes go through raft; keep-alives and TimeToLive are
/// answered by the leader's lessor (the follower forwards them), so a follower never reports a lease as immortal.</summary>
[Collection("Processes")]
public sealed class LeaseClusterTests
{
    [Fact(Timeout = ClusterTimeouts.Scenario)]
    public async Task OnAFollower_KeepAliveAndTimeToLiveAreTheLeaders_AndKeysExpire()
    {
        await using var cluster = await ProcessCluster.StartAsync(ServerBinary.Cairn, 3);
        var agreed = await Probe.LeaderAsync(cluster);
        var follower = agreed.Followers.First();
        using var client = follower.CreateClient();

        var lease = (await client.Lease.LeaseGrantAsync(new LeaseGrantRequest { TTL = 4 })).ID;
        await client.KV.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8("fk"), Value = ByteString.CopyFromUtf8("v"), Lease = lease });

        using (var call = client.Lease.LeaseKeepAlive())
        {
            await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = lease });
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal((lease, 4L), (call.ResponseStream.Current.ID, call.ResponseStream.Current.TTL));
            await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = 12345 });
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(0, call.ResponseStream.Current.TTL);
            await call.RequestStream.CompleteAsync();
        }
        var ttl = await client.Lease.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = lease, Keys = true });
        Assert.InRange(ttl.TTL, 2, 4);
        Assert.Equal(["fk"], ttl.Keys.Select(k => k.ToStringUtf8()));
        Assert.Equal(-1, (await client.Lease.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = 12345 })).TTL);
        var once = await new Cairn.Testing.Etcdctl(follower.Endpoint).SucceedAsync("lease", "keep-alive", "--once", lease.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal([$"lease {lease:x16} keepalived with TTL(4)"], once.Lines);

        await Wait.UntilAsync(async _ => (await client.KV.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("fk") })).Kvs.Count == 0,
            TimeSpan.FromSeconds(20), "the lease to expire");
        Assert.Equal(-1, (await client.Lease.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = lease })).TTL);
    }
}

using Cairn.Testing;
using Cairn.Tests.Cluster;
using Grpc.Core;
using Xunit.Abstractions;

namespace Cairn.Tests.Watch;

/// <summary>
/// A watch stream opened with etcd's "hasleader" metadata (clientv3.WithRequireLeader) on a follower ends with
/// Unavailable "etcdserver: no leader" once that follower loses its leader (the other two members frozen); a stream
/// without the metadata on the same member stays open. Run on real etcd 3.4.23 and on cairn alike.
/// </summary>
[Collection("Processes")]
public sealed class WatchRequireLeaderTests(ITestOutputHelper output)
{
    [Theory(Timeout = ClusterTimeouts.Scenario)]
    [InlineData("etcd")]
    [InlineData("cairn")]
    public async Task FollowerLosesItsLeader_HasLeaderStreamEndsWithNoLeader_PlainStreamStaysOpen(string server)
    {
        var figures = new Figures(output, $"hasleader watch, {server}");
        await using var cluster = await ProcessCluster.StartAsync(server == "etcd" ? ServerBinary.Etcd : ServerBinary.Cairn, 3);
        var agreed = await Probe.LeaderAsync(cluster);
        var follower = agreed.Followers.First();
        var others = cluster.Members.Where(m => m != follower).ToList();
        using var client = follower.CreateClient();
        await using var required = new WatchSession(client, requireLeader: true);
        await using var plain = new WatchSession(client);
        await required.Create(WatchSession.On("hl/", "hl0"));
        await plain.Create(WatchSession.On("hl/", "hl0"));
        Assert.True((await required.Next()).Created);
        Assert.True((await plain.Next()).Created);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        others.ForEach(m => m.Freeze());
        try
        {
            await Wait.UntilAsync(() => required.Ended is not null, TimeSpan.FromSeconds(30), "the hasleader watch stream to end");
            figures.Report($"stream ended {clock.Elapsed.TotalSeconds:0.00} s after the other two froze: {required.Ended!.Status}");

            Assert.Equal(StatusCode.Unavailable, required.Ended.StatusCode);
            Assert.Equal("etcdserver: no leader", required.Ended.Status.Detail);
            Assert.Null(plain.Ended);
        }
        finally
        {
            others.ForEach(m => m.Thaw());
        }
    }
}

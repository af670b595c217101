using Cairn.Testing;
using Xunit.Abstractions;

namespace Cairn.Tests.Cluster;

/// <summary>
/// A put sent to a follower reaches the leader and is readable on every member; `etcdctl move-leader` hands the
/// leadership to a chosen follower.
/// </summary>
[Collection("Processes")]
public sealed class FollowerTests(ITestOutputHelper output)
{
    [Fact(Timeout = ClusterTimeouts.Scenario)]
    public async Task PutOnFollower_IsReadableEverywhere_AndMoveLeaderHandsOver()
    {
        var figures = new Figures(output, "follower write, move-leader");
        await using var cluster = await ProcessCluster.StartAsync(ServerBinary.Cairn, 3);
        var agreed = await Probe.LeaderAsync(cluster);
        var follower = agreed.Followers.First();

        using (var client = follower.CreateClient())
        {
            var put = await ClusterKv.PutAsync(client, "via-follower", "yes", TimeSpan.FromSeconds(10));
            Assert.Equal(agreed.IdOf(follower), put.Header.MemberId);
        }

        foreach (var member in cluster.Members)
        {
            using var client = member.CreateClient();
            Assert.Equal("yes", await ClusterKv.GetAsync(client, "via-follower", serializable: false, TimeSpan.FromSeconds(10)));
            await ClusterKv.WaitLocalValueAsync(member, "via-follower", "yes", TimeSpan.FromSeconds(10));
        }

        // etcdctl finds the leader among the endpoints and asks it to transfer to the target.
        var target = agreed.Followers.Last();
        var targetId = Probe.Hex(agreed.IdOf(target));
        var moved = await cluster.Etcdctl().SucceedAsync("move-leader", targetId);
        Assert.Contains($"Leadership transferred from {Probe.Hex(agreed.LeaderId)} to {targetId}", moved.Stdout);
        var after = await Probe.LeaderAsync(cluster);
        Assert.Equal(target, after.Leader);
        figures.Report($"leader {agreed.Leader.Name} → {target.Name} by move-leader; term {agreed.Term} → {after.Term}");

        // The old leader is a follower now, and its writes go through.
        using var old = agreed.Leader.CreateClient();
        await ClusterKv.PutAsync(old, "via-old-leader", "yes", TimeSpan.FromSeconds(10));
        using var now = target.CreateClient();
        Assert.Equal("yes", await ClusterKv.GetAsync(now, "via-old-leader", serializable: false, TimeSpan.FromSeconds(10)));
    }
}

using Cairn.Testing;

namespace Cairn.Tests.Fixtures;

/// <summary>
/// The fixture features the cluster tests use, on real etcd: a cluster started on another's layout, a graceful stop,
/// and --initial-cluster following members added and removed.
/// </summary>
[Collection("Processes")]
public sealed class ClusterFixtureTests
{
    [Fact]
    public async Task AddMemberAndMarkRemoved_ShapeInitialClusterAndEndpoints()
    {
        await using var cluster = ProcessCluster.Create(ServerBinary.Etcd, 2);

        var added = cluster.AddMember("m2");
        var withAdded = cluster.InitialCluster;
        cluster.MarkRemoved(cluster[0]);

        Assert.Equal($"m0={cluster[0].PeerEndpoint},m1={cluster[1].PeerEndpoint},m2={added.PeerEndpoint}", withAdded);
        Assert.Equal($"m1={cluster[1].PeerEndpoint},m2={added.PeerEndpoint}", cluster.InitialCluster);
        Assert.Equal($"{cluster[1].Endpoint},{added.Endpoint}", cluster.Endpoints);
        Assert.Equal(3, cluster.Members.Count);
        Assert.False(added.IsRunning);
        Assert.Throws<ArgumentException>(() => cluster.AddMember("m1"));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task StartOnLayout_ReusesNamesAndPortsOfAnotherCluster()
    {
        IReadOnlyList<MemberAddress> layout;
        await using (var first = await ProcessCluster.StartAsync(ServerBinary.Etcd, 1))
        {
            layout = first.Layout;
        }

        await using var second = await ProcessCluster.StartAsync(ServerBinary.Etcd, layout);

        Assert.Equal(layout, second.Layout);
        Assert.Contains(layout[0].ClientEndpoint, (await second.Etcdctl().SucceedAsync("member", "list")).Stdout);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task StopAsync_Sigterm_ExitsGracefullyAndRestartKeepsData()
    {
        await using var cluster = await ProcessCluster.StartAsync(ServerBinary.Etcd);
        var member = cluster[0];
        await cluster.Etcdctl().SucceedAsync("put", "k", "v");

        var graceful = await member.StopAsync();
        member.Start();
        await member.WaitHealthyAsync();

        Assert.True(graceful);
        Assert.Equal(["v"], (await cluster.Etcdctl().SucceedAsync("get", "k", "--print-value-only")).Lines);
    }
}

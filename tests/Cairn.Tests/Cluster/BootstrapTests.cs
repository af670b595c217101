using System.Text.Json;
using Cairn.Testing;
using Xunit.Abstractions;

namespace Cairn.Tests.Cluster;

/// <summary>
/// Bootstrap as the guide does it: N members with --initial-cluster and --initial-cluster-state new. etcdctl sees them
/// all started under one leader in one term, and the member and cluster IDs are the ones real etcd derives from the
/// same --initial-cluster and --initial-cluster-token (etcd is started first on the very same ports to find out).
/// </summary>
[Collection("Processes")]
public sealed class BootstrapTests(ITestOutputHelper output)
{
    [Theory(Timeout = ClusterTimeouts.Scenario)]
    [InlineData(3)]
    [InlineData(5)]
    public async Task Bootstrap_NMembers_AllStartedUnderOneLeaderWithEtcdsIds(int size)
    {
        var figures = new Figures(output, $"bootstrap {size}");
        var (expectedIds, expectedClusterId, layout) = await EtcdIdsAsync(size);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var cluster = await ProcessCluster.StartAsync(ServerBinary.Cairn, layout);
        figures.Report($"{size} members of {cluster.Binary} healthy {clock.Elapsed.TotalSeconds:0.00} s after start");
        var etcdctl = cluster.Etcdctl();

        // Each member publishes its name and client URLs through raft once it runs; the member answering may apply
        // the others' a moment after they turned healthy.
        CommandResult table = null!;
        await Wait.UntilAsync(
            async _ =>
            {
                table = await etcdctl.SucceedAsync("member", "list");
                return cluster.Members.All(m => table.Lines.Any(l => l.Contains($", {m.Name}, ", StringComparison.Ordinal) && l.EndsWith($", {m.Endpoint}, false", StringComparison.Ordinal)));
            },
            TimeSpan.FromSeconds(10),
            "every member's published client URL in member list");
        Assert.Equal(size, table.Lines.Count);
        foreach (var member in cluster.Members)
        {
            var line = Assert.Single(table.Lines, l => l.Contains($", {member.Name}, ", StringComparison.Ordinal));
            Assert.Equal($"{Probe.Hex(expectedIds[member.Name])}, started, {member.Name}, {member.PeerEndpoint}, {member.Endpoint}, false", line);
        }

        var (ids, clusterId) = await MemberIdsAsync(etcdctl);
        Assert.Equal(expectedIds.OrderBy(p => p.Key), ids.OrderBy(p => p.Key));
        Assert.Equal(expectedClusterId, clusterId);

        // All members settle on one leader and term; then endpoint status --cluster must show exactly that.
        var agreed = await Probe.LeaderAsync(cluster);
        using var status = JsonDocument.Parse((await etcdctl.SucceedAsync("endpoint", "status", "--cluster", "-w", "json")).Stdout);
        var statuses = status.RootElement.EnumerateArray().Select(e => e.GetProperty("Status")).ToList();
        Assert.Equal(size, statuses.Count);
        Assert.Equal(cluster.Members.Select(m => m.Endpoint).Order(), status.RootElement.EnumerateArray().Select(e => e.GetProperty("Endpoint").GetString()!).Order());
        Assert.All(statuses, s => Assert.Equal(agreed.LeaderId, s.GetProperty("leader").GetUInt64()));
        Assert.All(statuses, s => Assert.Equal(agreed.Term, s.GetProperty("raftTerm").GetUInt64()));
        Assert.All(statuses, s => Assert.Equal(expectedClusterId, s.GetProperty("header").GetProperty("cluster_id").GetUInt64()));
        Assert.Single(statuses, s => s.GetProperty("header").GetProperty("member_id").GetUInt64() == s.GetProperty("leader").GetUInt64());
        Assert.Contains(agreed.LeaderId, expectedIds.Values);
        figures.Report($"leader {Probe.Hex(agreed.LeaderId)} ({agreed.Leader.Name}) in term {agreed.Term}; cluster ID {Probe.Hex(clusterId)} as etcd's");
    }

    /// <summary>Starts real etcd with <paramref name="size"/> members, reads the IDs it derived, stops it, and hands back its ports.</summary>
    private static async Task<(Dictionary<string, ulong> Ids, ulong ClusterId, IReadOnlyList<MemberAddress> Layout)> EtcdIdsAsync(int size)
    {
        await using var etcd = await ProcessCluster.StartAsync(ServerBinary.Etcd, size);
        var (ids, clusterId) = await MemberIdsAsync(etcd.Etcdctl());
        Assert.Equal(size, ids.Count);
        return (ids, clusterId, etcd.Layout);
    }

    /// <summary>name → member ID, and the cluster ID, from `etcdctl member list -w json`.</summary>
    internal static async Task<(Dictionary<string, ulong> Ids, ulong ClusterId)> MemberIdsAsync(Testing.Etcdctl etcdctl)
    {
        using var list = JsonDocument.Parse((await etcdctl.SucceedAsync("member", "list", "-w", "json")).Stdout);
        var ids = list.RootElement.GetProperty("members").EnumerateArray()
            .ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("ID").GetUInt64());
        return (ids, list.RootElement.GetProperty("header").GetProperty("cluster_id").GetUInt64());
    }
}

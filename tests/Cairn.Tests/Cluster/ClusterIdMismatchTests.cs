using Cairn.Testing;
using Xunit.Abstractions;

namespace Cairn.Tests.Cluster;

/// <summary>
/// A member of another cluster (same names and peer ports, another --initial-cluster-token, so other member and
/// cluster IDs) takes the place of a stopped member. Its traffic is refused: both sides log "cluster ID mismatch", it
/// never turns healthy, and the real cluster keeps its membership and its data, and takes its member back afterwards.
/// </summary>
[Collection("Processes")]
public sealed class ClusterIdMismatchTests(ITestOutputHelper output)
{
    private const string Mismatch = "cluster ID mismatch";

    [Fact(Timeout = ClusterTimeouts.Scenario)]
    public async Task MemberOfAnotherCluster_OnReusedPeerPort_IsRefusedWithClusterIdMismatch()
    {
        var figures = new Figures(output, "cluster ID mismatch");
        await using var cluster = await ProcessCluster.StartAsync(ServerBinary.Cairn, 3);
        var (ids, clusterId) = await BootstrapTests.MemberIdsAsync(cluster.Etcdctl());
        using (var client = cluster[0].CreateClient())
        {
            await ClusterKv.PutAsync(client, "ours", "yes", TimeSpan.FromSeconds(10));
        }

        var displaced = cluster[2];
        await displaced.KillAsync();
        var ourLogs = cluster.Members.Take(2).ToDictionary(m => m, m => m.LogText().Length);
        await using var other = ProcessCluster.Create(cluster.Binary, cluster.Layout, cluster.Options with { Token = "another-cluster" });
        var intruder = other[2];
        intruder.Start();

        // Its votes reach our members' peer port and our heartbeats reach its: each side refuses the other's.
        await Wait.UntilAsync(
            () => cluster.Members.Take(2).Any(m => m.LogText()[ourLogs[m]..].Contains(Mismatch, StringComparison.Ordinal)) && intruder.LogText().Contains(Mismatch, StringComparison.Ordinal),
            TimeSpan.FromSeconds(30),
            $"\"{Mismatch}\" in the logs of both clusters");
        var ours = cluster.Members.Take(2).Select(m => m.LogText()[ourLogs[m]..].Split('\n').FirstOrDefault(l => l.Contains(Mismatch, StringComparison.Ordinal))).First(l => l is not null)!.Trim();
        var theirs = intruder.LogText().Split('\n').First(l => l.Contains(Mismatch, StringComparison.Ordinal)).Trim();
        figures.Report($"ours: {ours}");
        figures.Report($"intruder: {theirs}");

        Assert.True(intruder.IsRunning, $"the intruder exited{Environment.NewLine}{intruder.LogTail()}");
        Assert.False(await intruder.IsHealthyAsync(), "the member of another cluster turned healthy");
        var survivors = new Testing.Etcdctl(string.Join(',', cluster.Members.Take(2).Select(m => m.Endpoint)));
        var (after, afterClusterId) = await BootstrapTests.MemberIdsAsync(survivors);
        Assert.Equal(ids.OrderBy(p => p.Key), after.OrderBy(p => p.Key));
        Assert.Equal(clusterId, afterClusterId);
        using (var client = cluster[1].CreateClient())
        {
            await ClusterKv.PutAsync(client, "still-ours", "yes", TimeSpan.FromSeconds(10));
        }

        // The intruder goes; our member comes back on its own data dir and catches up.
        await intruder.KillAsync();
        displaced.Start();
        await displaced.WaitHealthyAsync();
        await ClusterKv.WaitLocalValueAsync(displaced, "still-ours", "yes", TimeSpan.FromSeconds(30));
        await ClusterKv.WaitLocalValueAsync(displaced, "ours", "yes", TimeSpan.FromSeconds(5));
    }
}

using System.Diagnostics;
using Cairn.Testing;
using Grpc.Core;
using Xunit.Abstractions;

namespace Cairn.Tests.Cluster;

/// <summary>
/// kill -9 of the leader of three: the two survivors elect a new leader and take writes again within 10 s (the
/// failover time, kill to first acknowledged write, is reported), and the killed member rejoins from its data dir.
/// </summary>
[Collection("Processes")]
public sealed class LeaderFailoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact(Timeout = ClusterTimeouts.Scenario)]
    public async Task KillNineLeader_SurvivorsElectAndTakeWritesWithinTenSeconds()
    {
        var figures = new Figures(output, "kill -9 leader");
        await using var cluster = await ProcessCluster.StartAsync(ServerBinary.Cairn, 3);
        var before = await Probe.LeaderAsync(cluster);
        var survivors = before.Followers.ToList();
        var clients = survivors.Select(m => m.CreateClient()).ToList();
        try
        {
            await ClusterKv.PutAsync(clients[0], "before-failover", "yes", TimeSpan.FromSeconds(10));

            await before.Leader.KillAsync();
            var clock = Stopwatch.StartNew();
            var election = ElectionAsync(survivors, before, clock);
            var write = FirstWriteAsync(clients, clock);
            var failover = await write;
            var elected = await election;

            figures.Report($"leader {before.Leader.Name} (term {before.Term}) killed; {elected.Agreement.Leader.Name} leads term {elected.Agreement.Term} " +
                $"(its first entry applied) after {elected.Time.TotalMilliseconds:0} ms; first write acknowledged {failover.TotalMilliseconds:0} ms after the kill");
            Assert.True(failover <= Bound, $"the first write after the kill took {failover.TotalSeconds:0.00} s (bound {Bound.TotalSeconds} s){Environment.NewLine}{cluster.LogTails()}");
            Assert.NotEqual(before.LeaderId, elected.Agreement.LeaderId);

            for (var i = 0; i < 100; i++)
            {
                await ClusterKv.PutAsync(clients[i % 2], $"after/{i:D3}", $"v{i}", TimeSpan.FromSeconds(10));
            }

            // The killed member restarts on its data dir (the --initial-* flags are ignored then) and catches up.
            before.Leader.Start();
            await before.Leader.WaitHealthyAsync();
            await ClusterKv.WaitLocalValueAsync(before.Leader, "after/099", "v99", TimeSpan.FromSeconds(30));
            using var rejoined = before.Leader.CreateClient();
            Assert.Equal("yes", await ClusterKv.GetAsync(rejoined, "after-failover", serializable: true, TimeSpan.FromSeconds(5)));
            Assert.Equal("yes", await ClusterKv.GetAsync(rejoined, "before-failover", serializable: true, TimeSpan.FromSeconds(5)));
            var after = await Probe.LeaderAsync(cluster);
            Assert.Equal(elected.Agreement.LeaderId, after.LeaderId);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Puts `after-failover` on the survivors in turn, each try with a 500 ms deadline, until one is acknowledged.</summary>
    private static async Task<TimeSpan> FirstWriteAsync(IReadOnlyList<EtcdClient> clients, Stopwatch clock)
    {
        var errors = new List<string>();
        for (var attempt = 0; clock.Elapsed < Bound + TimeSpan.FromSeconds(20); attempt++)
        {
            try
            {
                await ClusterKv.PutAsync(clients[attempt % clients.Count], "after-failover", "yes", TimeSpan.FromMilliseconds(500));
                return clock.Elapsed;
            }
            catch (RpcException e)
            {
                errors.Add($"{clock.Elapsed.TotalMilliseconds:0} ms: {e.StatusCode} \"{e.Status.Detail}\"");
                if (e.StatusCode != StatusCode.DeadlineExceeded)
                {
                    await Task.Delay(50);
                }
            }
        }

        throw new TimeoutException($"no write acknowledged within {clock.Elapsed.TotalSeconds:0.0} s of the kill: {string.Join("; ", errors.TakeLast(10))}");
    }

    /// <summary>
    /// Waits until both survivors name the same new leader and report a term above the old one. Status's raft term is
    /// the term of the last applied entry (etcd 3.4), so this is the moment the new leader's first entry is applied.
    /// </summary>
    private static async Task<(Probe.Agreement Agreement, TimeSpan Time)> ElectionAsync(IReadOnlyList<ProcessMember> survivors, Probe.Agreement old, Stopwatch clock)
    {
        (Probe.Agreement, TimeSpan)? result = null;
        await Wait.UntilAsync(
            async ct =>
            {
                var views = await Task.WhenAll(survivors.Select(m => Probe.ViewAsync(m, TimeSpan.FromMilliseconds(500), ct)));
                if (views.Any(v => v is null) || views[0]!.Leader is 0 || views[0]!.Leader == old.LeaderId || views[0]!.Term <= old.Term || views.Any(v => v!.Leader != views[0]!.Leader || v.Term != views[0]!.Term))
                {
                    return false;
                }

                var time = clock.Elapsed;
                var leader = views.FirstOrDefault(v => v!.MemberId == views[0]!.Leader);
                if (leader is null)
                {
                    return false;
                }

                result = (new Probe.Agreement(leader.Member, leader.MemberId, leader.Term, views.Select(v => v!).ToList()), time);
                return true;
            },
            Bound + TimeSpan.FromSeconds(20),
            "the survivors to agree on a new leader");
        return result!.Value;
    }
}

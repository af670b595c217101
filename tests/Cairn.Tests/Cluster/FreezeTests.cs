using System.Diagnostics;
using Cairn.Testing;
using Grpc.Core;
using Xunit.Abstractions;

namespace Cairn.Tests.Cluster;

/// <summary>
/// SIGSTOP of members of five. Two frozen followers leave a quorum: the other three keep serving writes and
/// linearizable reads. Three frozen (the leader among them) leave none: the two left answer with etcd's Unavailable
/// errors, and the cluster serves again once the three resume.
/// </summary>
[Collection("Processes")]
public sealed class FreezeTests(ITestOutputHelper output)
{
    /// <summary>Rounds of one put and one linearizable read per live member while two are frozen.</summary>
    private const int Rounds = 30;

    [Fact(Timeout = ClusterTimeouts.Scenario)]
    public async Task FreezeTwoOfFive_OtherThreeKeepServingWritesAndLinearizableReads()
    {
        var figures = new Figures(output, "SIGSTOP 2 of 5");
        await using var cluster = await ProcessCluster.StartAsync(ServerBinary.Cairn, 5);
        var agreed = await Probe.LeaderAsync(cluster);
        var frozen = agreed.Followers.Take(2).ToList();
        var live = cluster.Members.Except(frozen).ToList();
        var clients = live.Select(m => m.CreateClient()).ToList();
        var latencies = new List<double>();
        try
        {
            frozen.ForEach(m => m.Freeze());
            try
            {
                for (var round = 0; round < Rounds; round++)
                {
                    for (var j = 0; j < live.Count; j++)
                    {
                        var key = $"frozen2/{round:D3}/{j}";
                        var clock = Stopwatch.StartNew();
                        await ClusterKv.PutAsync(clients[j], key, $"v{round}", TimeSpan.FromSeconds(5));
                        latencies.Add(clock.Elapsed.TotalMilliseconds);
                        clock.Restart();
                        var read = await ClusterKv.GetAsync(clients[(j + 1) % live.Count], key, serializable: false, TimeSpan.FromSeconds(5));
                        latencies.Add(clock.Elapsed.TotalMilliseconds);
                        Assert.Equal($"v{round}", read);
                    }
                }

                figures.Report($"{frozen[0].Name} and {frozen[1].Name} frozen; {live.Count * Rounds} puts and {live.Count * Rounds} linearizable reads on " +
                    $"{string.Join(", ", live.Select(m => m.Name))} (leader {agreed.Leader.Name}) all served: mean {latencies.Average():0.0} ms, max {latencies.Max():0.0} ms");
            }
            finally
            {
                frozen.ForEach(m => m.Thaw());
            }

            // Thawed, the two catch up with what the three accepted.
            foreach (var member in frozen)
            {
                await ClusterKv.WaitLocalValueAsync(member, $"frozen2/{Rounds - 1:D3}/{live.Count - 1}", $"v{Rounds - 1}", TimeSpan.FromSeconds(30));
            }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact(Timeout = ClusterTimeouts.Scenario)]
    public async Task FreezeThreeOfFive_RequestsFailUnavailableThenRecoverOnResume()
    {
        var figures = new Figures(output, "SIGSTOP 3 of 5");
        await using var cluster = await ProcessCluster.StartAsync(ServerBinary.Cairn, 5);
        var agreed = await Probe.LeaderAsync(cluster);
        var frozen = agreed.Followers.Take(2).Prepend(agreed.Leader).ToList();
        var live = cluster.Members.Except(frozen).ToList();
        var clients = live.Select(m => m.CreateClient()).ToList();
        try
        {
            await ClusterKv.PutAsync(clients[0], "frozen3/before", "yes", TimeSpan.FromSeconds(10));
            frozen.ForEach(m => m.Freeze());
            List<(string What, Status Status, TimeSpan After)> outcomes;
            try
            {
                // Every request gets 10 s: longer than etcd's own request timeout (5 s + 2 × election timeout).
                var deadline = TimeSpan.FromSeconds(10);
                var attempts = clients.Select((c, j) => (Client: c, Member: live[j]))
                    .SelectMany(p => new (string What, Func<Task> Call)[]
                    {
                        ($"put on {p.Member.Name}", () => ClusterKv.PutAsync(p.Client, $"frozen3/{p.Member.Name}", "lost?", deadline)),
                        ($"linearizable get on {p.Member.Name}", () => ClusterKv.GetAsync(p.Client, "frozen3/before", serializable: false, deadline)),
                    })
                    .Select(FailureAsync)
                    .ToList();
                outcomes = [.. await Task.WhenAll(attempts)];
            }
            finally
            {
                frozen.ForEach(m => m.Thaw());
            }

            var resumed = Stopwatch.StartNew();
            foreach (var (what, status, after) in outcomes)
            {
                figures.Report($"{what}: {status.StatusCode} \"{status.Detail}\" after {after.TotalSeconds:0.00} s");
            }

            Assert.All(outcomes, o => Assert.True(EtcdUnavailable.IsExpected(o.Status), $"{o.What} answered {o.Status.StatusCode} \"{o.Status.Detail}\", not one of etcd's Unavailable errors"));

            // Resumed, the five elect a leader and serve again through every member.
            await Wait.UntilAsync(
                async _ =>
                {
                    try
                    {
                        await ClusterKv.PutAsync(clients[0], "frozen3/after", "yes", TimeSpan.FromSeconds(2));
                        return true;
                    }
                    catch (RpcException)
                    {
                        return false;
                    }
                },
                TimeSpan.FromSeconds(30),
                "a put to succeed after SIGCONT");
            var recovery = resumed.Elapsed;
            await cluster.WaitHealthyAsync();
            var settled = await Probe.LeaderAsync(cluster);
            figures.Report($"leader {agreed.Leader.Name} and two followers frozen; after SIGCONT the first put succeeded in {recovery.TotalSeconds:0.00} s; leader now {settled.Leader.Name}, term {settled.Term}");
            foreach (var member in cluster.Members)
            {
                using var client = member.CreateClient();
                await ClusterKv.PutAsync(client, $"frozen3/resumed/{member.Name}", "yes", TimeSpan.FromSeconds(10));
                Assert.Equal("yes", await ClusterKv.GetAsync(client, "frozen3/after", serializable: false, TimeSpan.FromSeconds(10)));
            }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Runs a call that must fail; answers its status and how long it took (a success fails the test).</summary>
    private static async Task<(string What, Status Status, TimeSpan After)> FailureAsync((string What, Func<Task> Call) attempt)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await attempt.Call();
        }
        catch (RpcException e)
        {
            return (attempt.What, e.Status, clock.Elapsed);
        }

        throw new Xunit.Sdk.XunitException($"{attempt.What} succeeded with three of five members frozen (after {clock.Elapsed.TotalSeconds:0.00} s)");
    }
}

using System.Diagnostics;
using System.Text.Json;
using Cairn.Testing;
using Xunit.Abstractions;

namespace Cairn.Tests.Cluster;

/// <summary>
/// A rolling restart of all three members (SIGTERM, restart on the same data dir, wait until healthy) under a write
/// load loses no acknowledged put, and afterwards `etcdctl endpoint hashkv` gives the same hash on every member at the
/// same revision.
/// </summary>
[Collection("Processes")]
public sealed class RollingRestartTests(ITestOutputHelper output)
{
    private const string Prefix = "rolling/";

    [Fact(Timeout = ClusterTimeouts.Scenario)]
    public async Task RollingRestart_UnderLoad_LosesNoAcknowledgedWriteAndHashesAgree()
    {
        var figures = new Figures(output, "rolling restart");
        await using var cluster = await ProcessCluster.StartAsync(ServerBinary.Cairn, 3);
        await using var load = WriteLoad.Start(cluster.Members, Prefix);
        await load.ProgressAsync(50, TimeSpan.FromSeconds(30), "before the first restart");

        foreach (var member in cluster.Members)
        {
            var clock = Stopwatch.StartNew();
            var graceful = await member.StopAsync();
            Assert.True(graceful, $"{member.Name} did not exit within 30 s of SIGTERM{Environment.NewLine}{member.LogTail()}");
            var stopped = clock.Elapsed;
            await load.ProgressAsync(20, TimeSpan.FromSeconds(30), $"while {member.Name} is down");
            member.Start();
            await member.WaitHealthyAsync();
            await Probe.LeaderAsync(cluster); // as an operator would: the three agree on a leader before the next restart
            var back = clock.Elapsed;
            await load.ProgressAsync(20, TimeSpan.FromSeconds(30), $"after {member.Name} restarted");
            figures.Report($"{member.Name}: exited {stopped.TotalSeconds:0.00} s after SIGTERM, healthy again {back.TotalSeconds:0.00} s after it; acked so far {load.Acked}, failed {load.Failed}");
        }

        await load.StopAsync();
        figures.Report($"load: {load.Acked} puts acknowledged, {load.Failed} failed ({load.Rate:0} puts/s); last error {load.LastError ?? "none"}");

        // Every member holds every acknowledged put once it has applied the last one.
        var highest = load.Acks.MaxBy(a => a.Value.Revision);
        foreach (var member in cluster.Members)
        {
            await ClusterKv.WaitLocalValueAsync(member, highest.Key, highest.Value.Value, TimeSpan.FromSeconds(30));
            await load.VerifyAsync(member, serializable: true);
        }

        var (revision, hash) = await AgreedHashAsync(cluster);
        figures.Report($"endpoint hashkv: every member hashes {hash} at revision {revision}");
    }

    /// <summary>
    /// Polls `etcdctl endpoint hashkv --cluster -w json` until every member answers at the same revision with the same
    /// hash; then asks once more with --rev pinned to that revision.
    /// </summary>
    internal static async Task<(long Revision, uint Hash)> AgreedHashAsync(ProcessCluster cluster)
    {
        var etcdctl = cluster.Etcdctl();
        IReadOnlyList<(string Endpoint, long Revision, uint Hash)> last = [];
        try
        {
            await Wait.UntilAsync(
                async _ =>
                {
                    last = await HashesAsync(etcdctl, []);
                    return last.Count == cluster.Members.Count(m => m.IsRunning) && last.Select(h => (h.Revision, h.Hash)).Distinct().Count() == 1;
                },
                TimeSpan.FromSeconds(30),
                "every member's hashkv to agree");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; last: {string.Join("; ", last)}", e);
        }

        var revision = last[0].Revision;
        var pinned = await HashesAsync(etcdctl, [$"--rev={revision}"]);
        Assert.Equal(last.Count, pinned.Count);
        Assert.All(pinned, h => Assert.Equal(last[0].Hash, h.Hash));
        return (revision, last[0].Hash);
    }

    private static async Task<IReadOnlyList<(string Endpoint, long Revision, uint Hash)>> HashesAsync(Testing.Etcdctl etcdctl, string[] extra)
    {
        var result = await etcdctl.RunAsync(["endpoint", "hashkv", "--cluster", "-w", "json", .. extra]);
        if (!result.Succeeded)
        {
            return [];
        }

        using var json = JsonDocument.Parse(result.Stdout);
        return json.RootElement.EnumerateArray()
            .Select(e => (
                e.GetProperty("Endpoint").GetString()!,
                e.GetProperty("HashKV").GetProperty("header").GetProperty("revision").GetInt64(),
                e.GetProperty("HashKV").GetProperty("hash").GetUInt32()))
            .ToList();
    }
}

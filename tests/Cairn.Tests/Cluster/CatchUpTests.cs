using System.Diagnostics;
using Cairn.Api.Etcdserverpb;
using Cairn.Testing;
using Google.Protobuf;
using Grpc.Core;
using Xunit.Abstractions;

namespace Cairn.Tests.Cluster;

/// <summary>
/// A follower stopped while N writes land (5,000 in CI, 20,000 with CAIRN_TIER=full) catches up when it restarts. With
/// --snapshot-count 1000 the leader compacts its log, keeping 5,000 entries for slow followers as etcd does; past that
/// (the full tier) the follower must be sent a snapshot, and its log must say it applied one. The catch-up time, from
/// the restart to its serializable read seeing the last key, is reported.
/// </summary>
[Collection("Processes")]
public sealed class CatchUpTests(ITestOutputHelper output)
{
    private const string Prefix = "catchup/";
    private const int Workers = 32;
    private const int SnapshotCount = 1000;

    /// <summary>Entries etcd keeps in its raft log after a snapshot, for slow followers (etcdserver's snapshotCatchUpEntries).</summary>
    private const int SnapshotCatchUpEntries = 5000;

    /// <summary>What a member logs once it has installed a snapshot sent by the leader (etcd: "raft applied incoming snapshot at index N").</summary>
    private const string AppliedSnapshot = "applied incoming snapshot";

    [Fact(Timeout = ClusterTimeouts.Long)]
    public async Task StoppedFollower_MissesNWrites_CatchesUpAfterRestart()
    {
        var count = ClusterTimeouts.FullTier ? 20_000 : 5_000;
        var figures = new Figures(output, "catch-up");
        var options = new ClusterOptions { ExtraArguments = ["--snapshot-count", $"{SnapshotCount}"] };
        await using var cluster = await ProcessCluster.StartAsync(ServerBinary.Cairn, 3, options);
        var agreed = await Probe.LeaderAsync(cluster);
        var lagging = agreed.Followers.First();
        var live = cluster.Members.Where(m => m != lagging).ToList();

        await lagging.KillAsync();
        var writing = Stopwatch.StartNew();
        await PutManyAsync(live, count);
        var writeTime = writing.Elapsed;
        figures.Report($"{count} puts on {live[0].Name}+{live[1].Name} with {lagging.Name} down: {writeTime.TotalSeconds:0.0} s ({count / writeTime.TotalSeconds:0} puts/s, {Workers} concurrent)");

        var logBefore = lagging.LogText().Length;
        lagging.Start();
        var clock = Stopwatch.StartNew();
        var last = $"{Prefix}{count - 1:D6}";
        await ClusterKv.WaitLocalValueAsync(lagging, last, $"v{count - 1}", TimeSpan.FromSeconds(ClusterTimeouts.FullTier ? 240 : 90));
        var catchUp = clock.Elapsed;

        using var client = lagging.CreateClient();
        var range = await client.KV.RangeAsync(new RangeRequest
        {
            Key = ByteString.CopyFromUtf8(Prefix),
            RangeEnd = ByteString.CopyFromUtf8(WriteLoad.PrefixEnd(Prefix)),
            Serializable = true,
            CountOnly = true,
        });
        Assert.Equal(count, range.Count);
        var applied = lagging.LogText()[logBefore..].Split('\n').FirstOrDefault(l => l.Contains(AppliedSnapshot, StringComparison.Ordinal))?.Trim();
        figures.Report($"{lagging.Name} saw {last} {catchUp.TotalSeconds:0.00} s after its restart; " +
            (applied is null ? "no snapshot applied (caught up from the leader's log)" : $"by snapshot: {applied}"));

        // Past snapshot-count plus the 5,000 entries etcd keeps after a snapshot, the leader no longer has the entries.
        if (count > SnapshotCatchUpEntries + SnapshotCount)
        {
            Assert.True(applied is not null, $"{lagging.Name} caught up without a line containing \"{AppliedSnapshot}\" in its log{Environment.NewLine}{lagging.LogTail()}");
        }

        await cluster.WaitHealthyAsync();
    }

    /// <summary>Puts keys 0..count-1 with <see cref="Workers"/> concurrent writers over <paramref name="members"/>; a failed put is retried.</summary>
    private static async Task PutManyAsync(IReadOnlyList<ProcessMember> members, int count)
    {
        var clients = members.Select(m => m.CreateClient()).ToList();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
            {
                for (var i = w; i < count; i += Workers)
                {
                    for (var attempt = 0; ; attempt++)
                    {
                        try
                        {
                            await ClusterKv.PutAsync(clients[(i + attempt) % clients.Count], $"{Prefix}{i:D6}", $"v{i}", TimeSpan.FromSeconds(10));
                            break;
                        }
                        catch (RpcException) when (attempt < 5)
                        {
                            await Task.Delay(100);
                        }
                    }
                }
            })));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }
}

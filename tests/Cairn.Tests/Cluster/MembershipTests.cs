using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cairn.Testing;
using Grpc.Core;
using Xunit.Abstractions;

namespace Cairn.Tests.Cluster;

/// <summary>
/// Online reconfiguration under a concurrent write load, with etcdctl as the guide does it: add a voter and start it with
/// --initial-cluster-state existing, add a learner (a second learner is refused; the learner serves no linearizable
/// read), promote it once in sync, remove a voter (its process exits and says why). No acknowledged put is lost.
/// </summary>
[Collection("Processes")]
public sealed partial class MembershipTests(ITestOutputHelper output)
{
    private const string Prefix = "members/";

    [Fact(Timeout = ClusterTimeouts.Scenario)]
    public async Task AddVoterAddAndPromoteLearnerRemoveVoter_UnderLoad_LoseNoWrite()
    {
        var figures = new Figures(output, "membership");
        await using var cluster = await ProcessCluster.StartAsync(ServerBinary.Cairn, 3);
        var etcdctl = new Testing.Etcdctl(string.Join(',', cluster.Members.Take(3).Select(m => m.Endpoint)));
        await using var load = WriteLoad.Start(cluster.Members.Take(3).ToList(), Prefix);
        await load.ProgressAsync(50, TimeSpan.FromSeconds(30), "before any change");
        var clock = Stopwatch.StartNew();

        // 1. A voter: etcd refuses a change until every member has been connected for a while ("unhealthy cluster"); retry.
        var voter = cluster.AddMember("m3");
        var voterId = await AddAsync(etcdctl, voter, learner: false);
        voter.Start("existing");
        await voter.WaitHealthyAsync();
        await load.ProgressAsync(50, TimeSpan.FromSeconds(30), $"after {voter.Name} joined");
        figures.Report($"voter {voter.Name} ({voterId}) added and healthy at {clock.Elapsed.TotalSeconds:0.0} s");

        // 2. A learner; only one may exist at a time, and it refuses linearizable reads.
        var learner = cluster.AddMember("m4");
        var learnerId = await AddAsync(etcdctl, learner, learner: true);
        learner.Start("existing");

        // etcd checks the cluster's health before the learner count, so wait out any "unhealthy cluster" first.
        CommandResult second = null!;
        var spare = MemberAddress.Fresh("m5").PeerEndpoint;
        await Wait.UntilAsync(
            async _ =>
            {
                second = await etcdctl.RunAsync("member", "add", "m5", $"--peer-urls={spare}", "--learner");
                return !second.Stderr.Contains("etcdserver: unhealthy cluster", StringComparison.Ordinal);
            },
            TimeSpan.FromSeconds(30),
            "a second learner add to be answered");
        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains("etcdserver: too many learner members in cluster", second.Stderr);

        using (var learnerClient = learner.CreateClient())
        {
            // It serves serializable reads, and never linearizable ones.
            await Wait.UntilAsync(
                _ => ServesAsync(learnerClient),
                TimeSpan.FromSeconds(30),
                $"learner {learner.Name} to serve serializable reads");
            var refused = await Assert.ThrowsAsync<RpcException>(() => ClusterKv.GetAsync(learnerClient, $"{Prefix}0/000000", serializable: false, TimeSpan.FromSeconds(10)));
            Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
            Assert.Equal("etcdserver: rpc not supported for learner", refused.Status.Detail);
        }

        var listed = await MembersAsync(etcdctl);
        Assert.True(listed[learnerId].IsLearner, $"{learner.Name} is not listed as a learner");
        Assert.False(listed[voterId].IsLearner);

        // 3. Promote once the learner is in sync (until then etcd answers "can only promote a learner member which is in sync with leader").
        var promoted = await RetryAsync(etcdctl, ["member", "promote", learnerId], async () => !(await MembersAsync(etcdctl))[learnerId].IsLearner);
        Assert.True(promoted is null || promoted.Stdout.Contains($"Member {learnerId,16} promoted in cluster", StringComparison.Ordinal), promoted?.ToString());
        Assert.False((await MembersAsync(etcdctl))[learnerId].IsLearner);
        await learner.WaitHealthyAsync();
        await load.ProgressAsync(50, TimeSpan.FromSeconds(30), $"after {learner.Name} was promoted");
        figures.Report($"learner {learner.Name} ({learnerId}) added and promoted at {clock.Elapsed.TotalSeconds:0.0} s");

        // 4. Remove the voter added first: its process stops by itself and says why.
        var removed = await RetryAsync(etcdctl, ["member", "remove", voterId], async () => !(await MembersAsync(etcdctl)).ContainsKey(voterId));
        Assert.True(removed is null || removed.Stdout.Contains($"Member {voterId,16} removed from cluster", StringComparison.Ordinal), removed?.ToString());
        cluster.MarkRemoved(voter);
        var exitCode = await voter.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("the member has been permanently removed from the cluster", voter.LogText());
        await load.ProgressAsync(50, TimeSpan.FromSeconds(30), $"after {voter.Name} was removed");
        figures.Report($"voter {voter.Name} removed at {clock.Elapsed.TotalSeconds:0.0} s; its process exited with code {exitCode}");

        await load.StopAsync();
        figures.Report($"load: {load.Acked} puts acknowledged, {load.Failed} failed ({load.Rate:0} puts/s); last error {load.LastError ?? "none"}");
        var final = await MembersAsync(etcdctl);
        Assert.Equal(["m0", "m1", "m2", "m4"], final.Values.Select(m => m.Name).Order());
        Assert.All(final.Values, m => Assert.False(m.IsLearner));
        await load.VerifyAsync(cluster[0], serializable: false);
        var highest = load.Acks.MaxBy(a => a.Value.Revision);
        await ClusterKv.WaitLocalValueAsync(learner, highest.Key, highest.Value.Value, TimeSpan.FromSeconds(30));
        await load.VerifyAsync(learner, serializable: true);
    }

    /// <summary>
    /// Only the leader knows whether a learner is in sync, so a follower forwards member promote to it and passes its
    /// answer on: the same errors and the same success as asking the leader. Run on real etcd and on cairn.
    /// </summary>
    [Theory(Timeout = ClusterTimeouts.Scenario)]
    [InlineData("etcd")]
    [InlineData("cairn")]
    public async Task PromoteThroughAFollower_ForwardsToTheLeader(string server)
    {
        await using var cluster = await ProcessCluster.StartAsync(server == "etcd" ? ServerBinary.Etcd : ServerBinary.Cairn, 3);
        var agreed = await Probe.LeaderAsync(cluster);
        var follower = new Testing.Etcdctl(agreed.Followers.First().Endpoint);

        var voter = await follower.RunAsync("member", "promote", Probe.Hex(agreed.LeaderId));
        Assert.Equal(1, voter.ExitCode);
        Assert.Contains("etcdserver: can only promote a learner member", voter.Stderr);
        var unknown = await follower.RunAsync("member", "promote", "1234");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("etcdserver: member not found", unknown.Stderr);

        var learner = cluster.AddMember("m3");
        var learnerId = await AddAsync(follower, learner, learner: true);
        learner.Start("existing");
        var promoted = await RetryAsync(follower, ["member", "promote", learnerId], async () => !(await MembersAsync(follower))[learnerId].IsLearner);
        Assert.True(promoted is null || promoted.Stdout.Contains($"Member {learnerId,16} promoted in cluster", StringComparison.Ordinal), promoted?.ToString());
        Assert.False((await MembersAsync(follower))[learnerId].IsLearner);
    }

    private sealed record Listed(string Name, bool IsLearner);

    private static async Task<bool> ServesAsync(EtcdClient client)
    {
        try
        {
            await ClusterKv.GetAsync(client, "never-written", serializable: true, TimeSpan.FromSeconds(2));
            return true;
        }
        catch (RpcException)
        {
            return false;
        }
    }

    /// <summary>member ID (hex) → name and learner flag, from `member list -w json`.</summary>
    private static async Task<Dictionary<string, Listed>> MembersAsync(Testing.Etcdctl etcdctl)
    {
        using var list = JsonDocument.Parse((await etcdctl.SucceedAsync("member", "list", "-w", "json")).Stdout);
        return list.RootElement.GetProperty("members").EnumerateArray().ToDictionary(
            m => Probe.Hex(m.GetProperty("ID").GetUInt64()),
            m => new Listed(m.TryGetProperty("name", out var name) ? name.GetString()! : "", m.TryGetProperty("isLearner", out var learner) && learner.GetBoolean()));
    }

    /// <summary>
    /// `etcdctl member add` (retried while etcd refuses it as "unhealthy cluster"); answers the new ID in hex. Its output
    /// names the --initial-cluster-state the new member must start with.
    /// </summary>
    private static async Task<string> AddAsync(Testing.Etcdctl etcdctl, ProcessMember member, bool learner)
    {
        string[] arguments = ["member", "add", member.Name, $"--peer-urls={member.PeerEndpoint}", .. learner ? new[] { "--learner" } : []];
        var added = await RetryAsync(etcdctl, arguments, async () => (await PeerIdAsync(etcdctl, member.PeerEndpoint)) is not null);
        if (added is null)
        {
            return (await PeerIdAsync(etcdctl, member.PeerEndpoint))!; // an earlier try timed out on the client yet was applied
        }

        Assert.Contains("ETCD_INITIAL_CLUSTER_STATE=\"existing\"", added.Stdout);
        return AddedLine().Match(added.Stdout) is { Success: true } match ? match.Groups[1].Value : throw new Xunit.Sdk.XunitException($"no \"Member <id> added\" line in: {added}");
    }

    private static async Task<string?> PeerIdAsync(Testing.Etcdctl etcdctl, string peerUrl)
    {
        using var list = JsonDocument.Parse((await etcdctl.SucceedAsync("member", "list", "-w", "json")).Stdout);
        return list.RootElement.GetProperty("members").EnumerateArray()
            .Where(m => m.GetProperty("peerURLs").EnumerateArray().Any(u => u.GetString() == peerUrl))
            .Select(m => Probe.Hex(m.GetProperty("ID").GetUInt64()))
            .FirstOrDefault();
    }

    /// <summary>
    /// Runs etcdctl until it succeeds (etcd refuses reconfiguration while the cluster settles: "unhealthy cluster",
    /// "learner not in sync"), for at most 30 s. Answers the successful result, or null when a failed try turns out to
    /// have been applied after all (<paramref name="applied"/> says so; e.g. the client timed out but the change committed).
    /// </summary>
    private static async Task<CommandResult?> RetryAsync(Testing.Etcdctl etcdctl, string[] arguments, Func<Task<bool>> applied)
    {
        CommandResult? last = null;
        var settledElsewhere = false;
        try
        {
            await Wait.UntilAsync(
                async _ =>
                {
                    last = await etcdctl.RunAsync(arguments);
                    settledElsewhere = !last.Succeeded && await applied();
                    return last.Succeeded || settledElsewhere;
                },
                TimeSpan.FromSeconds(30),
                $"etcdctl {string.Join(' ', arguments)} to succeed");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; last: {last}", e);
        }

        return settledElsewhere ? null : last;
    }

    // etcdctl prints IDs with %16x: space-padded to 16 characters.
    [GeneratedRegex(@"Member +([0-9a-f]+) added to cluster +[0-9a-f]+")]
    private static partial Regex AddedLine();
}

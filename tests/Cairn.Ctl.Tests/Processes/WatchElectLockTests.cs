namespace Cairn.Ctl.Tests.Processes;

/// <summary>The long-running commands: watch (incl. -i), elect and lock, side by side with etcdctl.</summary>
[Collection("Processes")]
public sealed class WatchElectLockTests
{
    [Fact(Timeout = Hang.Default)]
    public async Task Watch_HistoryWithPrevKv_MatchesEtcdctlInEveryFormat()
    {
        await using var pair = await EtcdPair.StartAsync();
        foreach (var command in new[] { new[] { "put", "w/a", "1" }, ["put", "w/b", "2"], ["put", "w/a", "3"], ["del", "w/b"], ["put", "other", "x"] })
        {
            await pair.AssertSameAsync(command);
        }

        foreach (var format in new[] { "simple", "json", "fields" })
        {
            var outputs = new List<string>();
            foreach (var (cairn, endpoint) in new[] { (false, pair.Real.Endpoint), (true, pair.Ours.Endpoint) })
            {
                await using var watch = StreamingProcess.Ctl(cairn, endpoint, "watch", "w/", "--prefix", "--rev=2", "--prev-kv", "-w", format);
                await Cairn.Testing.Wait.UntilAsync(() => Complete(format, watch.Stdout), TimeSpan.FromSeconds(30), $"the watch history in {format}");
                var text = string.Join('\n', watch.Stdout);
                outputs.Add(cairn ? pair.NormalizeOurs(text) : pair.NormalizeReal(text));
            }

            Assert.Equal(outputs[0], outputs[1]);
        }
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Watch_CompactedRevision_IsCanceledLikeEtcdctl()
    {
        await using var pair = await EtcdPair.StartAsync();
        for (var i = 0; i < 4; i++)
        {
            await pair.AssertSameAsync("put", "k", $"{i}");
        }

        await pair.AssertSameAsync("compaction", "4");
        await pair.AssertSameAsync("watch", "k", "--rev=2", "-w", "json");
        await pair.AssertSameAsync("watch", "k", "--rev=2");
        await pair.AssertSameAsync("watch", "a", "b", "--prefix");
        await pair.AssertSameAsync("watch", "k", "--");
    }

    [Fact(Timeout = Hang.Default)]
    public async Task WatchInteractive_WatchAndProgress_MatchEtcdctl()
    {
        await using var pair = await EtcdPair.StartAsync();
        await pair.AssertSameAsync("put", "k", "v1");
        var outputs = new List<string>();
        foreach (var (cairn, endpoint) in new[] { (false, pair.Real.Endpoint), (true, pair.Ours.Endpoint) })
        {
            await using var watch = StreamingProcess.Ctl(cairn, endpoint, "watch", "-i");
            await watch.WriteLineAsync("watch k --rev=1");
            await watch.WaitForLinesAsync(3);
            await watch.WriteLineAsync("bogus");
            await watch.WriteLineAsync("progress");
            await watch.WaitForLinesAsync(4);
            outputs.Add(string.Join('\n', watch.Stdout) + "\nstderr:" + string.Join('\n', watch.Stderr.Where(l => !l.StartsWith("{\"level\"", StringComparison.Ordinal))));
        }

        Assert.Equal(outputs[0], outputs[1]);
        Assert.Contains("progress notify: 2", outputs[1]);
        Assert.Contains("Invalid command bogus (only support watch)", outputs[1]);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Watch_ExecCommand_GetsTheEventInItsEnvironment()
    {
        await using var pair = await EtcdPair.StartAsync();
        await pair.AssertSameAsync("put", "k", "hello");
        await using var watch = StreamingProcess.Ctl(true, pair.Ours.Endpoint, "watch", "k", "--rev=2", "--", "sh", "-c", "echo \"$ETCD_WATCH_EVENT_TYPE $ETCD_WATCH_KEY $ETCD_WATCH_VALUE $ETCD_WATCH_REVISION\"");
        await watch.WaitForLinesAsync(4);
        Assert.Equal(["PUT", "k", "hello", "\"PUT\" \"k\" \"hello\" 2"], watch.Stdout);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Elect_CampaignAndObserve_PrintTheLeaderLikeEtcdctl()
    {
        await using var pair = await EtcdPair.StartAsync();
        await using var leader = StreamingProcess.Ctl(true, pair.Ours.Endpoint, "elect", "e1", "p1");
        await leader.WaitForLinesAsync(2);
        Assert.Matches("^e1/[0-9a-f]+$", leader.Stdout[0]);
        Assert.Equal("p1", leader.Stdout[1]);

        await using var realObserver = StreamingProcess.Ctl(false, pair.Ours.Endpoint, "elect", "-l", "e1");
        await using var ourObserver = StreamingProcess.Ctl(true, pair.Ours.Endpoint, "elect", "-l", "e1");
        await realObserver.WaitForLinesAsync(2);
        await ourObserver.WaitForLinesAsync(2);
        Assert.Equal(realObserver.Stdout, ourObserver.Stdout);

        await using var second = StreamingProcess.Ctl(true, pair.Ours.Endpoint, "elect", "e1", "p2");
        Assert.Equal(0, await leader.InterruptAsync());
        await second.WaitForLinesAsync(2);
        Assert.Equal("p2", second.Stdout[1]);
        await ourObserver.WaitForLinesAsync(4);
        await realObserver.WaitForLinesAsync(4);
        Assert.Equal(realObserver.Stdout, ourObserver.Stdout);
        Assert.Equal(0, await second.InterruptAsync());
        Assert.Equal(0, await ourObserver.InterruptAsync());
        Assert.Equal("", (await pair.Cairnctl.SucceedAsync("get", "e1/", "--prefix")).Stdout);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Lock_IsExclusive_AndReleasedOnInterrupt()
    {
        await using var pair = await EtcdPair.StartAsync();
        await using var holder = StreamingProcess.Ctl(true, pair.Ours.Endpoint, "lock", "l1");
        await holder.WaitForLinesAsync(2);
        Assert.Matches("^l1/[0-9a-f]+$", holder.Stdout[0]);
        Assert.Equal("", holder.Stdout[1]);

        await using var waiter = StreamingProcess.Ctl(false, pair.Ours.Endpoint, "lock", "l1", "echo", "got it");
        await using var ours = StreamingProcess.Ctl(true, pair.Ours.Endpoint, "lock", "l1", "--", "sh", "-c", "echo $ETCD_LOCK_KEY");
        Assert.False(waiter.HasExited);
        Assert.Equal(0, await holder.InterruptAsync());
        Assert.Equal(0, await waiter.WaitForExitAsync());
        Assert.Equal(["got it"], waiter.Stdout);
        Assert.Equal(0, await ours.WaitForExitAsync());
        Assert.Matches("^l1/[0-9a-f]+$", Assert.Single(ours.Stdout));
        Assert.Equal("", (await pair.Cairnctl.SucceedAsync("get", "l1/", "--prefix")).Stdout);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task LeaseKeepAlive_RenewsUntilInterrupted()
    {
        await using var pair = await EtcdPair.StartAsync();
        var grant = await pair.Cairnctl.SucceedAsync("lease", "grant", "3");
        var id = grant.Stdout.Split(' ')[1];
        await using var keepAlive = StreamingProcess.Ctl(true, pair.Ours.Endpoint, "lease", "keep-alive", id);
        await keepAlive.WaitForLinesAsync(3, TimeSpan.FromSeconds(20));
        Assert.All(keepAlive.Stdout, l => Assert.Equal($"lease {id} keepalived with TTL(3)", l));
        await pair.Cairnctl.SucceedAsync("lease", "revoke", id);
        Assert.Equal(0, await keepAlive.WaitForExitAsync());
        Assert.Equal($"lease {id} expired or revoked.", keepAlive.Stdout[^1]);
    }

    /// <summary>The four events (the last a DELETE with its prev_kv) have been printed completely.</summary>
    private static bool Complete(string format, IReadOnlyList<string> lines) => format switch
    {
        "simple" => lines.Count >= 16,
        "json" => lines.Any(l => l.Contains("\"type\":1", StringComparison.Ordinal)),
        _ => lines.ToList().FindIndex(l => l == "\"Type\" : DELETE") is var i and >= 0 && lines.Count >= i + 13,
    };
}

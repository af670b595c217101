namespace Cairn.Ctl.Tests.Processes;

/// <summary>check perf: a real write load with etcdctl's verdict lines, cleaned up afterwards.</summary>
[Collection("Processes")]
public sealed class CheckPerfTests
{
    [Fact(Timeout = Hang.Default)]
    public async Task CheckPerf_ShortRun_PrintsVerdictsAndLeavesNoKeys()
    {
        await using var pair = await EtcdPair.StartAsync();
        var result = await pair.Cairnctl.RunAsync("check", "perf", "--duration=3s", "--auto-compact");
        var lines = result.Lines;
        Assert.Contains(lines, l => l.StartsWith("Compacting with revision ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("PASS: Throughput is ", StringComparison.Ordinal) || l.StartsWith("FAIL: Throughput too low: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Slowest request took", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Stddev", StringComparison.Ordinal));
        Assert.Equal(result.ExitCode == 0 ? "PASS" : "FAIL", lines[^1]);
        Assert.Equal("", (await pair.Cairnctl.SucceedAsync("get", "/etcdctl-check-perf/", "--prefix", "--keys-only")).Stdout);

        await pair.Cairnctl.SucceedAsync("put", "/etcdctl-check-perf/x", "1");
        var refused = await pair.Cairnctl.RunAsync("check", "perf", "--duration=1s");
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("prefix \"/etcdctl-check-perf/\" has keys. Delete with etcdctl del --prefix /etcdctl-check-perf/ first", refused.Stderr);
    }
}

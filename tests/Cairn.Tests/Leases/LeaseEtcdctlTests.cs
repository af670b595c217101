using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Cairn.Testing;
using Cairn.Tests.Etcdctl;

namespace Cairn.Tests.Leases;

/// <summary>The real etcdctl's lease commands against the server under test: grant, put --lease, timetolive --keys,
/// list, keep-alive (once and streaming), revoke, and the errors for unknown leases.</summary>
[Collection("Processes")]
public sealed partial class LeaseEtcdctlTests : EtcdctlTest
{
    [GeneratedRegex("^lease ([0-9a-f]{16}) granted with TTL\\((\\d+)s\\)$")]
    private static partial Regex Granted();

    private async Task<(string Hex, long Ttl)> Grant(long ttl)
    {
        var line = Assert.Single((await Ok("lease", "grant", ttl.ToString(CultureInfo.InvariantCulture))).Lines);
        var match = Granted().Match(line);
        Assert.True(match.Success, line);
        Assert.NotEqual("0000000000000000", match.Groups[1].Value);
        return (match.Groups[1].Value, long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Grant_PutLease_TimeToLiveKeys_List_Revoke()
    {
        var (lease, ttl) = await Grant(60);
        Assert.Equal(60, ttl);
        await Ok("put", "--lease=" + lease, "k2", "b");
        await Ok("put", "--lease=" + lease, "k1", "a");
        await Ok("put", "free", "x");

        var line = Assert.Single((await Ok("lease", "timetolive", lease, "--keys")).Lines);
        // Four etcdctl runs since the grant: a few seconds on a loaded machine.
        Assert.Matches($"^lease {lease} granted with TTL\\(60s\\), remaining\\((5[0-9]|60)s\\), attached keys\\(\\[k1 k2\\]\\)$", line);
        Assert.Equal(["found 1 leases", lease], (await Ok("lease", "list")).Lines);
        var revision = await CurrentRevision();

        Assert.Equal([$"lease {lease} revoked"], (await Ok("lease", "revoke", lease)).Lines);

        Assert.Equal("", (await Ok("get", "k", "--prefix")).Stdout);
        Assert.Equal(["x"], (await Ok("get", "free", "--print-value-only")).Lines);
        Assert.Equal(revision + 1, await CurrentRevision());
        Assert.Equal([$"lease {lease} already expired"], (await Ok("lease", "timetolive", lease)).Lines);
        Assert.Equal(["found 0 leases"], (await Ok("lease", "list")).Lines);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Grant_BelowTheMinimumTtl_IsRaisedToTwoSeconds()
    {
        var (_, ttl) = await Grant(1);
        Assert.Equal(2, ttl);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task UnknownLeases_PutFails_RevokeFails_KeepAliveOnceFails()
    {
        await Fails("etcdserver: requested lease not found", "put", "--lease=123456", "k", "v");
        await Fails("etcdserver: requested lease not found", "lease", "revoke", "123456");
        await Fails("etcdserver: requested lease not found", "lease", "keep-alive", "--once", "123456");
        Assert.Equal("", (await Ok("get", "k")).Stdout);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task KeepAliveOnce_RestartsTheTtl()
    {
        var (lease, _) = await Grant(30);
        Assert.Equal([$"lease {lease} keepalived with TTL(30)"], (await Ok("lease", "keep-alive", "--once", lease)).Lines);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task KeepAlive_KeepsKeysPastTheTtl_TheyGoOnceItStops()
    {
        var (kept, _) = await Grant(3);
        var (left, _) = await Grant(3);
        await Ok("put", "--lease=" + kept, "kept", "y");
        await Ok("put", "--lease=" + left, "left", "n");
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("ETCDCTL_BIN") is { Length: > 0 } bin ? bin : "etcdctl")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        psi.Environment["ETCDCTL_API"] = "3";
        foreach (var a in (string[])["--endpoints", Cluster.Endpoints, "lease", "keep-alive", kept])
        {
            psi.ArgumentList.Add(a);
        }
        using var keepAlive = Process.Start(psi)!;
        var output = keepAlive.StandardOutput.ReadToEndAsync();
        try
        {
            var clock = Stopwatch.StartNew();
            await Wait.UntilAsync(async _ => (await Ctl("get", "left")).Stdout.Length == 0, TimeSpan.FromSeconds(15), "the unrefreshed lease to expire");
            Assert.True(clock.Elapsed > TimeSpan.FromSeconds(1.5), $"expired after {clock.Elapsed}");
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal(["y"], (await Ok("get", "kept", "--print-value-only")).Lines);
        }
        finally
        {
            keepAlive.Kill();
            await keepAlive.WaitForExitAsync();
        }
        Assert.Contains($"lease {kept} keepalived with TTL(3)", await output, StringComparison.Ordinal);

        await Wait.UntilAsync(async _ => (await Ctl("get", "kept")).Stdout.Length == 0, TimeSpan.FromSeconds(15), "the lease to expire once not kept alive");
        Assert.Equal([$"lease {kept} already expired"], (await Ok("lease", "timetolive", kept)).Lines);
    }
}

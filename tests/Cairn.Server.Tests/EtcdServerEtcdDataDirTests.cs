using System.Security.Cryptography;
using Cairn.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Server.Tests;

/// <summary>A data dir written by real etcd 3.4 is refused with a clear message and left byte for byte as it was.</summary>
[Collection("Processes")]
public sealed class EtcdServerEtcdDataDirTests
{
    private static Dictionary<string, string> Snapshot(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    [Fact(Timeout = 120_000)]
    public async Task Start_OnARealEtcdDataDir_RefusedAndLeftUntouched()
    {
        await using var etcd = await ProcessCluster.StartAsync(ServerBinary.Etcd, 1);
        var member = etcd[0];
        await etcd.Etcdctl().SucceedAsync("put", "written-by-etcd", "still-here");
        await member.KillAsync();
        var before = Snapshot(member.DataDir);
        Assert.Contains(before.Keys, k => k.StartsWith("member", StringComparison.Ordinal));

        var config = ServerHarness.Config(member.DataDir);
        var e = await Assert.ThrowsAsync<StartupException>(() =>
            EtcdServer.StartAsync(config, NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None));
        Assert.Equal(new DataDir(member.DataDir).EtcdDataDirError, e.Message);
        Assert.Contains("was written by etcd", e.Message);
        Assert.Contains("Start cairn with an empty --data-dir", e.Message);

        Assert.Equal(before, Snapshot(member.DataDir));
        Assert.False(Directory.Exists(Path.Combine(member.DataDir, "cairn")));
    }
}

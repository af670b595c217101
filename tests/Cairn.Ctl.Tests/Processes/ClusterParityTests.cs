using Cairn.Testing;

namespace Cairn.Ctl.Tests.Processes;

/// <summary>member, endpoint, alarm, defrag, move-leader, version and snapshot against the real etcdctl.</summary>
[Collection("Processes")]
public sealed class ClusterParityTests
{
    [Fact(Timeout = Hang.Default)]
    public async Task MemberEndpointAlarmDefrag_MatchEtcdctl()
    {
        await using var pair = await EtcdPair.StartAsync();
        await pair.AssertSameAsync("put", "k", "v");
        string[][] commands =
        [
            ["member", "list"], ["member", "list", "-w", "json"], ["member", "list", "-w", "fields"],
            ["member", "remove"], ["member", "remove", "zz"], ["member", "update", "1"], ["member", "promote", "1"], ["member", "remove", "1"],
            ["member", "add"], ["member", "add", "m9"],
            ["endpoint", "status"], ["endpoint", "status", "-w", "json"], ["endpoint", "status", "-w", "fields"],
            ["endpoint", "status", "--cluster"],
            ["endpoint", "hashkv"], ["endpoint", "hashkv", "-w", "json"], ["endpoint", "hashkv", "-w", "table"], ["endpoint", "hashkv", "--cluster", "-w", "fields"],
            ["endpoint", "hashkv", "--rev=2"],
            ["alarm", "list"], ["alarm", "list", "-w", "json"], ["alarm", "disarm"], ["alarm", "disarm", "-w", "json"], ["alarm", "list", "x"],
            ["defrag"], ["defrag", "--cluster"],
            ["move-leader"], ["move-leader", "1"], ["move-leader", "zz"],
            ["lease", "list"], ["user", "list"], ["role", "list"],
        ];
        foreach (var command in commands)
        {
            await pair.AssertSameAsync(command);
        }

        // Tables size their columns to each side's member ID, which differ in length: compare cell by cell.
        foreach (var command in new[] { new[] { "member", "list", "-w", "table" }, ["endpoint", "status", "-w", "table"] })
        {
            var (real, ours) = await pair.RunBothAsync(command);
            Assert.Equal(Cells(real.Stdout), Cells(ours.Stdout));
        }

        foreach (var format in new[] { "json", "table", "fields" })
        {
            var (real, ours) = await pair.RunBothAsync(["endpoint", "health", "-w", format]);
            var (realOut, ourOut) = (EtcdPair.WithoutDurations(real.Stdout), EtcdPair.WithoutDurations(ours.Stdout));
            if (format == "table")
            {
                // The TOOK column is as wide as each side's duration: compare cell by cell.
                Assert.Equal(Cells(realOut), Cells(ourOut));
            }
            else
            {
                Assert.Equal(realOut, ourOut);
            }
            Assert.Equal(real.ExitCode, ours.ExitCode);
        }

        var (healthReal, healthOurs) = await pair.RunBothAsync(["endpoint", "health"]);
        Assert.Equal(EtcdPair.WithoutDurations(healthReal.Stderr), EtcdPair.WithoutDurations(healthOurs.Stderr));
        Assert.Contains("is healthy: successfully committed proposal: took = <duration>", EtcdPair.WithoutDurations(healthOurs.Stderr));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task UnreachableEndpoint_FailsLikeEtcdctl()
    {
        var port = FreePort.Next();
        var args = new[] { "--endpoints", $"127.0.0.1:{port}", "--command-timeout=1s", "endpoint", "status" };
        var real = await ProcessRunner.RunAsync(ServerBinaryPath("etcdctl"), args, new Dictionary<string, string?> { ["ETCDCTL_API"] = "3" });
        var ours = await new Cairnctl(null).RunAsync(args);
        Assert.Equal(real.ExitCode, ours.ExitCode);
        Assert.Equal(real.Stdout, ours.Stdout);
        Assert.Contains($"Failed to get the status of endpoint 127.0.0.1:{port} (context deadline exceeded)", ours.Stderr);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Version_FirstLinesMatchEtcdctl()
    {
        var real = await ProcessRunner.RunAsync(ServerBinaryPath("etcdctl"), ["version"], new Dictionary<string, string?> { ["ETCDCTL_API"] = "3" });
        var ours = await new Cairnctl(null).RunAsync("version");
        Assert.StartsWith(real.Stdout, ours.Stdout);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task SnapshotSaveAndStatus_MatchEtcdctl()
    {
        await using var pair = await EtcdPair.StartAsync();
        for (var i = 0; i < 20; i++)
        {
            await pair.AssertSameAsync("put", $"key{i % 7}", new string('v', i * 10));
        }

        await pair.AssertSameAsync("del", "key3");
        var dir = Directory.CreateTempSubdirectory("cairnctl-snap-").FullName;
        try
        {
            var realFile = Path.Combine(dir, "real.db");
            var ourFile = Path.Combine(dir, "ours.db");
            var realSave = await pair.Etcdctl.RunAsync("snapshot", "save", realFile);
            var ourSave = await pair.Cairnctl.RunAsync("snapshot", "save", ourFile);
            Assert.Equal(0, realSave.ExitCode);
            Assert.Equal(realSave.Stdout.Replace(realFile, "<file>", StringComparison.Ordinal), ourSave.Stdout.Replace(ourFile, "<file>", StringComparison.Ordinal));
            Assert.False(File.Exists(ourFile + ".part"));
            Assert.Equal(new FileInfo(realFile).Length % 512, new FileInfo(ourFile).Length % 512);

            var etcdctl = ServerBinaryPath("etcdctl");
            foreach (var file in new[] { realFile, ourFile })
            {
                foreach (var format in new[] { "simple", "json", "table", "fields", "protobuf" })
                {
                    var real = await ProcessRunner.RunAsync(etcdctl, ["snapshot", "status", file, "-w", format], new Dictionary<string, string?> { ["ETCDCTL_API"] = "3" });
                    var ours = await new Cairnctl(null).RunAsync("snapshot", "status", file, "-w", format);
                    Assert.Equal((real.Stdout, real.ExitCode), (ours.Stdout, ours.ExitCode));
                }
            }

            var missing = await new Cairnctl(null).RunAsync("snapshot", "status", Path.Combine(dir, "missing.db"));
            Assert.Equal(1, missing.ExitCode);
            Assert.Contains("no such file or directory", missing.Stderr);
            var twoEndpoints = await new Cairnctl($"{pair.Ours.Endpoint},{pair.Ours.Endpoint}").RunAsync("snapshot", "save", ourFile);
            Assert.Equal(5, twoEndpoints.ExitCode);
            Assert.Contains("snapshot must be requested to one selected node, not multiple", twoEndpoints.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static List<string> Cells(string table) =>
        [.. table.Split('\n').Where(l => l.StartsWith('|')).SelectMany(l => l.Split('|').Select(c => c.Trim()))];

    internal static string ServerBinaryPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).First(File.Exists);
}

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Cairn.Api.Etcdserverpb;
using Cairn.Ctl.Cli;
using Cairn.Ctl.Client;
using Google.Protobuf;
using Spectre.Console;

namespace Cairn.Ctl.Commands;

/// <summary>
/// check perf: etcdctl's write-throughput check. Puts of 1 KiB values under --prefix at the load model's rate from its
/// number of concurrent clients for its duration, then the same PASS/FAIL verdicts (≥90% of the target rate, slowest
/// request ≤ 500 ms, standard deviation ≤ 100 ms). --duration (a cairnctl addition) shortens the 60 s run.
/// </summary>
internal static class CheckCommands
{
    private static readonly Dictionary<string, (int Limit, int Clients)> Models = new()
    {
        ["s"] = (150, 50), ["m"] = (1000, 200), ["l"] = (8000, 500), ["xl"] = (15000, 1000),
    };

    private static readonly Dictionary<string, string> Aliases = new()
    {
        ["s"] = "s", ["small"] = "s", ["m"] = "m", ["medium"] = "m", ["l"] = "l", ["large"] = "l", ["xl"] = "xl", ["xLarge"] = "xl",
    };

    public static Command Create(CtlApp app)
    {
        var load = GlobalOptions.Text("--load", "The performance check's workload model. Accepted workloads: s(small), m(medium), l(large), xl(xLarge)", "s");
        var prefix = GlobalOptions.Text("--prefix", "The prefix for writing the performance check's keys.", "/etcdctl-check-perf/");
        var autoCompact = GlobalOptions.Flag("--auto-compact", "Compact storage with last revision after test is finished.", false);
        var autoDefrag = GlobalOptions.Flag("--auto-defrag", "Defragment storage after test is finished.", false);
        var duration = GlobalOptions.Duration("--duration", "How long the check writes (cairnctl addition; etcdctl always runs 60s)", TimeSpan.FromSeconds(60));
        var perf = CommandRunner.Create(app, "perf", "Check the performance of the etcd cluster", async (ctx, ct) =>
        {
            var loadName = ctx.Value(load);
            if (!Aliases.TryGetValue(loadName, out var model))
            {
                throw new CtlException(ExitCode.BadFeature, $"unknown load option {loadName}");
            }

            var (limit, clients) = Models[model];
            var keyPrefix = ctx.Value(prefix);
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var existing = await connection.UnaryAsync(
                o => connection.KV.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(keyPrefix), RangeEnd = KeyRanges.PrefixEnd(keyPrefix), Limit = 1 }, o), ct).ConfigureAwait(false);
            if (existing.Kvs.Count > 0)
            {
                throw new CtlException(ExitCode.InvalidInput, $"prefix {GoText.Quote(keyPrefix)} has keys. Delete with etcdctl del --prefix {keyPrefix} first");
            }

            var stats = await RunLoadAsync(connection, keyPrefix, limit, clients, ctx.Value(duration), ct).ConfigureAwait(false);
            var deleted = await connection.UnaryAsync(
                o => connection.KV.DeleteRangeAsync(new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(keyPrefix), RangeEnd = KeyRanges.PrefixEnd(keyPrefix) }, o),
                ct, timeout: TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            if (ctx.Value(autoCompact))
            {
                ctx.Console.WriteLine($"Compacting with revision {deleted.Header.Revision}");
                await connection.UnaryAsync(o => connection.KV.CompactAsync(new CompactionRequest { Revision = deleted.Header.Revision, Physical = true }, o), ct, timeout: TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                ctx.Console.WriteLine($"Compacted with revision {deleted.Header.Revision}");
            }

            if (ctx.Value(autoDefrag))
            {
                foreach (var ep in ctx.Settings.Endpoints)
                {
                    ctx.Console.WriteLine($"Defragmenting {GoText.Quote(ep)}");
                    using var one = await ctx.ConnectAsync(ct, ctx.Settings.For(ep)).ConfigureAwait(false);
                    await one.UnaryAsync(o => one.Maintenance.DefragmentAsync(new DefragmentRequest(), o), ct, timeout: TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                    ctx.Console.WriteLine($"Defragmented {GoText.Quote(ep)}");
                }
            }

            if (!Report(ctx.Console, stats, limit))
            {
                throw new CtlException(ExitCode.Error, "") { PrintMessage = false };
            }
        }, load, prefix, autoCompact, autoDefrag, duration);

        return CommandRunner.Group(app, "check", "commands for checking properties of the etcd cluster", perf);
    }

    /// <summary>The verdict lines, in etcdctl's words; true when everything passed.</summary>
    public static bool Report(CtlConsole console, PerfStats s, int limit)
    {
        var ok = true;
        if (s.Errors.Count != 0)
        {
            console.WriteLine("FAIL: too many errors");
            foreach (var (error, count) in s.Errors)
            {
                console.WriteLine($"FAIL: ERROR({error}) -> {count}");
            }

            ok = false;
        }

        if (s.Rps / limit <= 0.9)
        {
            console.WriteLine($"FAIL: Throughput too low: {(int)s.Rps + 1} writes/s");
            ok = false;
        }
        else
        {
            console.WriteLine($"PASS: Throughput is {(int)s.Rps + 1} writes/s");
        }

        console.WriteLine(s.Slowest > 0.5 ? $"Slowest request took too long: {F(s.Slowest)}s" : $"PASS: Slowest request took {F(s.Slowest)}s");
        ok &= s.Slowest <= 0.5;
        console.WriteLine(s.Stddev > 0.1 ? $"Stddev too high: {F(s.Stddev)}s" : $"PASS: Stddev is {F(s.Stddev)}s");
        ok &= s.Stddev <= 0.1;
        console.WriteLine(ok ? "PASS" : "FAIL");
        return ok;
    }

    private static string F(double seconds) => seconds.ToString("F6", CultureInfo.InvariantCulture);

    private static async Task<PerfStats> RunLoadAsync(EtcdConnection connection, string prefix, int limit, int clients, TimeSpan duration, CancellationToken ct)
    {
        var requests = Channel.CreateBounded<PutRequest>(clients);
        var latencies = new List<double>();
        var errors = new Dictionary<string, int>();
        var gate = new Lock();
        var value = ByteString.CopyFrom(new byte[1024]);
        var random = new Random(Environment.TickCount);
        var clock = Stopwatch.StartNew();

        async Task WorkerAsync()
        {
            await foreach (var request in requests.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                var start = Stopwatch.GetTimestamp();
                string? error = null;
                try
                {
                    await connection.UnaryAsync(o => connection.KV.PutAsync(request, o), ct).ConfigureAwait(false);
                }
                catch (CtlException e)
                {
                    error = e.Message;
                }

                var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                lock (gate)
                {
                    latencies.Add(seconds);
                    if (error is not null)
                    {
                        errors[error] = errors.GetValueOrDefault(error) + 1;
                    }
                }
            }
        }

        async Task ProduceAsync(Action<double> progress)
        {
            var interval = TimeSpan.FromSeconds(1.0 / limit);
            using var timer = new PeriodicTimer(interval);
            while (clock.Elapsed < duration && await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                var key = new byte[256];
                WriteVarint(key, random.NextInt64(long.MaxValue));
                await requests.Writer.WriteAsync(new PutRequest { Key = ByteString.CopyFrom([.. System.Text.Encoding.UTF8.GetBytes(prefix), .. key]), Value = value }, ct).ConfigureAwait(false);
                progress(Math.Min(1, clock.Elapsed / duration));
            }

            requests.Writer.Complete();
        }

        var workers = Enumerable.Range(0, clients).Select(_ => Task.Run(WorkerAsync, ct)).ToList();
        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsErrorRedirected)
        {
            var bar = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            await bar.Progress().StartAsync(async p =>
            {
                var task = p.AddTask("check perf", maxValue: 1);
                await ProduceAsync(f => task.Value = f).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        else
        {
            await ProduceAsync(_ => { }).ConfigureAwait(false);
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        var total = clock.Elapsed.TotalSeconds;
        var mean = latencies.Count == 0 ? 0 : latencies.Average();
        var stddev = latencies.Count == 0 ? 0 : Math.Sqrt(latencies.Sum(l => (l - mean) * (l - mean)) / latencies.Count);
        return new PerfStats(latencies.Count / total, latencies.Count == 0 ? 0 : latencies.Max(), stddev, errors);
    }

    /// <summary>Go's binary.PutVarint (zig-zag) into the start of <paramref name="buffer"/>.</summary>
    private static void WriteVarint(byte[] buffer, long value)
    {
        var u = (ulong)(value << 1) ^ (ulong)(value >> 63);
        var i = 0;
        while (u >= 0x80)
        {
            buffer[i++] = (byte)(u | 0x80);
            u >>= 7;
        }

        buffer[i] = (byte)u;
    }
}

/// <summary>What a check perf run measured: requests per second, slowest latency and its standard deviation (seconds).</summary>
internal sealed record PerfStats(double Rps, double Slowest, double Stddev, IReadOnlyDictionary<string, int> Errors);

using System.Globalization;
using System.Text;

namespace Cairn.Bench.Compare;

/// <summary>
/// Writes a comparison to <c>&lt;dir&gt;/&lt;yyyy-MM-dd&gt;.md</c> (tables) and <c>&lt;yyyy-MM-dd&gt;.png</c> (the ratio
/// chart); a later run on the same day replaces both.
/// </summary>
internal static class ResultsFile
{
    public static string Write(string directory, CompareResult result)
    {
        Directory.CreateDirectory(directory);
        var stem = result.Started.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var chart = stem + ".png";
        RatioChart.Save(Path.Combine(directory, chart), result.Cases, $"cairn vs etcd, {stem}{(result.Quick ? " (quick)" : "")}");
        var path = Path.Combine(directory, stem + ".md");
        File.WriteAllText(path, Markdown(result, chart));
        return path;
    }

    public static string Markdown(CompareResult r, string chart)
    {
        var md = new StringBuilder();
        var m = r.Machine;
        md.AppendLine(Inv($"# cairn-bench compare, {r.Started:yyyy-MM-dd HH:mm zzz}{(r.Quick ? " (--quick)" : "")}"));
        md.AppendLine();
        md.AppendLine(Inv($"{m.Cores} cores, {m.Kernel}; load average {m.LoadBefore} before, {m.LoadAfter} after; {r.Seconds:0} s in all."));
        md.AppendLine(Inv($"cairn: `{m.Cairn}` ({m.CairnVersion}). etcd: `{m.Etcd}` ({m.EtcdVersion})."));
        md.AppendLine(Inv($"Each workload: a {r.Plan.Warmup.TotalSeconds:0.#} s warm-up per server, then {r.Plan.Passes} timed passes of {r.Plan.Pass.TotalSeconds:0.#} s per server, alternating (etcd, cairn, cairn, etcd, ...). Both servers run with the same flags, their data on the same disk; only one is under load at a time."));
        md.AppendLine();
        md.AppendLine(Table(r.Cases));
        md.AppendLine("Throughput is successful requests per second (watch: events delivered per second, summed over watchers). "
            + "Latency is per request (watch: from sending the put to each watcher receiving it). CPU is the server's CPU seconds during its timed passes.");
        md.AppendLine();
        md.AppendLine($"![cairn/etcd ratios]({chart})");
        md.AppendLine();
        md.AppendLine("## Servers");
        md.AppendLine();
        md.AppendLine("| server | members | peak RSS (MiB, members added up) | CPU s (whole phase) |");
        md.AppendLine("|---|---:|---:|---:|");
        foreach (var u in r.Usage)
        {
            md.AppendLine(Inv($"| {u.Server} | {u.Members} | {u.PeakRssBytes / 1048576.0:0} | {u.CpuSeconds:0.0} |"));
        }

        md.AppendLine();
        if (r.CheckPerf.Count > 0)
        {
            md.AppendLine("## etcdctl check perf (one member)");
            md.AppendLine();
            md.AppendLine("| server | load | verdict | writes/s | slowest request | output |");
            md.AppendLine("|---|---|---|---:|---:|---|");
            foreach (var c in r.CheckPerf)
            {
                md.AppendLine(Inv($"| {c.Server} | {c.Load} | {(c.Passed ? "PASS" : "FAIL")} | {c.WritesPerSecond?.ToString(CultureInfo.InvariantCulture) ?? "?"} | {(c.SlowestSeconds is { } s ? $"{s:0.000} s" : "?")} | {c.Output.Replace("|", "/", StringComparison.Ordinal)} |"));
            }

            md.AppendLine();
        }
        else
        {
            md.AppendLine("`etcdctl check perf` was skipped (--quick).");
            md.AppendLine();
        }

        if (r.Rss.Count > 0)
        {
            md.AppendLine(Inv($"## Memory holding {r.Rss[0].Keys} keys ({r.Rss[0].KeySize}-byte keys, {r.Rss[0].ValueSize}-byte values, fresh single member)"));
            md.AppendLine();
            md.AppendLine("| server | RSS after loading (MiB) | peak RSS (MiB) | load time (s) |");
            md.AppendLine("|---|---:|---:|---:|");
            foreach (var x in r.Rss)
            {
                md.AppendLine(Inv($"| {x.Server} | {x.RssBytes / 1048576.0:0} | {x.PeakRssBytes / 1048576.0:0} | {x.LoadSeconds:0.0} |"));
            }

            md.AppendLine();
        }

        md.AppendLine("## Ratio lines");
        md.AppendLine();
        md.AppendLine("```");
        foreach (var c in r.Cases)
        {
            md.AppendLine(c.RatioLine);
        }

        md.AppendLine("```");
        return md.ToString();
    }

    /// <summary>The per-workload table (also what README's Performance section shows).</summary>
    public static string Table(IReadOnlyList<CaseResult> cases)
    {
        var md = new StringBuilder();
        md.AppendLine("| workload | load | etcd /s | cairn /s | throughput cairn/etcd | etcd p99 ms | cairn p99 ms | p99 cairn/etcd | CPU s etcd / cairn | errors etcd / cairn |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var c in cases)
        {
            var s = c.Case.Settings;
            var load = c.Case.Kind.Name switch
            {
                "watch" => $"{s.Watchers} watchers / {s.Streams} streams, {s.Clients} putter",
                "lease-keepalive" => $"{s.Clients} clients",
                "txn-put" => $"{s.TxnOps} puts/txn, {s.Clients} clients",
                _ => $"{s.Clients} clients, {s.Conns} conns",
            };
            md.AppendLine(Inv(
                $"| {c.Case.Name} | {load} | {c.Etcd.Throughput:0} | {c.Cairn.Throughput:0} | **{c.ThroughputRatio:0.00}** | {c.Etcd.LatencyMs.P99:0.00} | {c.Cairn.LatencyMs.P99:0.00} | **{c.P99Ratio:0.00}** | {c.EtcdCpuSeconds:0.0} / {c.CairnCpuSeconds:0.0} | {c.Etcd.Errors} / {c.Cairn.Errors} |"));
        }

        return md.ToString();
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace Cairn.Bench.Reporting;

/// <summary>Prints reports for people (a table and a histogram) or for machines (<c>-o json</c>).</summary>
internal static class ReportWriter
{
    private const int BarWidth = 40;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void WriteText(BenchReport report)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"{report.Workload} against {Markup.Escape(report.Server)}");
        table.AddColumn("metric");
        table.AddColumn("value");
        table.AddRow("load", Markup.Escape(report.Load));
        table.AddRow("endpoints", Markup.Escape(string.Join(',', report.Endpoints)));
        if (report.Passes > 1)
        {
            table.AddRow("passes", Format(report.Passes));
        }

        table.AddRow("requests", $"{Format(report.Operations)} ok, {Format(report.Errors)} errors");
        table.AddRow("duration", Format(report.DurationSeconds, "0.000") + " s");
        foreach (var series in report.Series)
        {
            var l = series.LatencyMs;
            table.AddRow($"[bold]{Markup.Escape(series.Name)}[/] throughput", $"{Format(series.Throughput, "0.0")} /s ({Format(series.Samples)} samples)");
            table.AddRow("  latency min / mean / max", $"{Format(l.Min)} / {Format(l.Mean)} / {Format(l.Max)} ms (stddev {Format(l.StdDev)})");
            table.AddRow("  p50 / p90 / p99 / p99.9", $"{Format(l.P50)} / {Format(l.P90)} / {Format(l.P99)} / {Format(l.P999)} ms");
        }

        AnsiConsole.Write(table);
        WriteHistogram(report.Series[0]);
        foreach (var sample in report.ErrorSamples)
        {
            Console.WriteLine($"error: {sample}");
        }
    }

    public static void WriteJson(object value) => Console.WriteLine(JsonSerializer.Serialize(value, Json));

    public static string Format(double value, string format = "0.000") => value.ToString(format, CultureInfo.InvariantCulture);

    public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>etcd benchmark style: one line per bucket, its upper bound, its count and a bar.</summary>
    private static void WriteHistogram(SeriesReport series)
    {
        if (series.Histogram.Count == 0)
        {
            return;
        }

        Console.WriteLine($"{series.Name} latency histogram (ms, upper bound [count]):");
        var most = Math.Max(1, series.Histogram.Max(b => b.Count));
        foreach (var bucket in series.Histogram)
        {
            var bar = new string('∎', (int)(bucket.Count * BarWidth / most));
            Console.WriteLine($"  {Format(bucket.UpToMs),10} [{Format(bucket.Count)}]\t|{bar}");
        }
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace Cairn.Bench;

/// <summary>Prints reports for people (a table) or machines (<c>-o json</c>), and the comparison's ratio line.</summary>
internal static class ReportWriter
{
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
        table.AddRow("workload", Markup.Escape(report.Settings.Describe()));
        table.AddRow("endpoints", Markup.Escape(string.Join(',', report.Endpoints)));
        table.AddRow("passes", report.Passes.ToString(CultureInfo.InvariantCulture));
        table.AddRow("succeeded", report.Succeeded.ToString(CultureInfo.InvariantCulture));
        table.AddRow("errors", report.Errors.ToString(CultureInfo.InvariantCulture));
        table.AddRow("duration", $"{report.DurationSeconds:0.000} s");
        table.AddRow("throughput", $"{report.Throughput:0.0} req/s");
        var l = report.LatencyMs;
        table.AddRow("latency min / mean / max", $"{l.Min:0.000} / {l.Mean:0.000} / {l.Max:0.000} ms");
        table.AddRow("latency p50 / p90", $"{l.P50:0.000} / {l.P90:0.000} ms");
        table.AddRow("latency p99 / p99.9", $"{l.P99:0.000} / {l.P999:0.000} ms");
        AnsiConsole.Write(table);
        foreach (var sample in report.ErrorSamples)
        {
            Console.WriteLine($"error: {sample}");
        }
    }

    public static void WriteJson(object value) => Console.WriteLine(JsonSerializer.Serialize(value, Json));

    /// <summary>cairn/etcd throughput and cairn/etcd p99 latency: <c>ratio put 1.23 0.81</c>.</summary>
    public static string RatioLine(string workload, BenchReport cairn, BenchReport etcd) =>
        string.Create(CultureInfo.InvariantCulture, $"ratio {workload} {Ratio(cairn.Throughput, etcd.Throughput):0.00} {Ratio(cairn.LatencyMs.P99, etcd.LatencyMs.P99):0.00}");

    public static double Ratio(double numerator, double denominator) => denominator > 0 ? numerator / denominator : double.NaN;
}

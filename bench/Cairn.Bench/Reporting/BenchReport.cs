using Cairn.Bench.Load;

namespace Cairn.Bench.Reporting;

/// <summary>One latency series of a report: how many samples, per second of load, their latency and histogram.</summary>
internal sealed record SeriesReport(string Name, long Samples, double Throughput, LatencyStats LatencyMs, IReadOnlyList<HistogramBucket> Histogram);

/// <summary>
/// The outcome of a workload against one server, possibly merged over several passes (compare alternates them).
/// <see cref="Throughput"/> and <see cref="LatencyMs"/> are those of the workload's first series (for watch: events
/// delivered); <see cref="Operations"/> counts successful requests.
/// </summary>
internal sealed record BenchReport(
    string Workload,
    string Server,
    string Load,
    IReadOnlyList<string> Endpoints,
    int Passes,
    long Operations,
    long Errors,
    double DurationSeconds,
    double Throughput,
    LatencyStats LatencyMs,
    IReadOnlyList<HistogramBucket> Histogram,
    IReadOnlyList<SeriesReport> Series,
    IReadOnlyList<string> ErrorSamples)
{
    /// <summary>Merges passes: samples pooled, operations, errors and wall times added.</summary>
    public static BenchReport From(
        string workload, IReadOnlyList<string> seriesNames, string server, LoadSettings settings, IReadOnlyList<RunSamples> runs)
    {
        var seconds = runs.Sum(r => r.Seconds);
        var series = seriesNames.Select((name, i) =>
        {
            var sorted = runs.SelectMany(r => r.Series[i]).ToList();
            sorted.Sort();
            return new SeriesReport(name, sorted.Count, seconds > 0 ? sorted.Count / seconds : 0, LatencyStats.FromSorted(sorted), HistogramBucket.FromSorted(sorted));
        }).ToList();
        return new BenchReport(
            workload,
            server,
            settings.Describe(),
            settings.Endpoints,
            runs.Count,
            runs.Sum(r => r.Operations),
            runs.Sum(r => r.Errors),
            seconds,
            series[0].Throughput,
            series[0].LatencyMs,
            series[0].Histogram,
            series,
            runs.SelectMany(r => r.ErrorSamples).Take(5).ToList());
    }
}

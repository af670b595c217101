namespace Cairn.Bench;

/// <summary>Raw measurements of one pass of a workload: each successful request's latency (ms), errors, wall time.</summary>
internal sealed record PutRun(List<double> LatenciesMs, int Errors, double Seconds, IReadOnlyList<string> ErrorSamples);

/// <summary>The outcome of a workload against one server, possibly over several passes (compare-put alternates them).</summary>
internal sealed record BenchReport(
    string Workload,
    string Server,
    IReadOnlyList<string> Endpoints,
    PutSettings Settings,
    int Passes,
    int Succeeded,
    int Errors,
    double DurationSeconds,
    LatencyStats LatencyMs,
    IReadOnlyList<string> ErrorSamples)
{
    /// <summary>Successful requests per second of load time (the passes' wall times added up).</summary>
    public double Throughput => DurationSeconds > 0 ? Succeeded / DurationSeconds : 0;

    /// <summary>Merges passes: latencies pooled, errors and wall times added.</summary>
    public static BenchReport From(string workload, string server, PutSettings settings, IReadOnlyList<PutRun> runs)
    {
        var latencies = runs.SelectMany(r => r.LatenciesMs).ToList();
        return new BenchReport(
            workload,
            server,
            settings.Endpoints,
            settings,
            runs.Count,
            latencies.Count,
            runs.Sum(r => r.Errors),
            runs.Sum(r => r.Seconds),
            LatencyStats.From(latencies),
            runs.SelectMany(r => r.ErrorSamples).Take(5).ToList());
    }
}

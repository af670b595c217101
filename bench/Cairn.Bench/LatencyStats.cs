namespace Cairn.Bench;

/// <summary>Percentiles over recorded request latencies (milliseconds), nearest-rank.</summary>
internal sealed record LatencyStats(double Min, double Mean, double P50, double P90, double P99, double P999, double Max)
{
    public static LatencyStats From(List<double> latenciesMs)
    {
        if (latenciesMs.Count == 0)
        {
            return new LatencyStats(0, 0, 0, 0, 0, 0, 0);
        }

        latenciesMs.Sort();
        return new LatencyStats(
            latenciesMs[0],
            latenciesMs.Average(),
            Percentile(latenciesMs, 50),
            Percentile(latenciesMs, 90),
            Percentile(latenciesMs, 99),
            Percentile(latenciesMs, 99.9),
            latenciesMs[^1]);
    }

    /// <summary>Nearest-rank percentile of a sorted list.</summary>
    private static double Percentile(List<double> sorted, double percent)
    {
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}

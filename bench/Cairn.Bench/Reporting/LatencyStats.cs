namespace Cairn.Bench.Reporting;

/// <summary>Latency summary in milliseconds; percentiles are nearest-rank over every sample.</summary>
internal sealed record LatencyStats(double Min, double Mean, double StdDev, double P50, double P90, double P99, double P999, double Max)
{
    public static LatencyStats Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Summarizes <paramref name="sorted"/>, which must be sorted ascending.</summary>
    public static LatencyStats FromSorted(IReadOnlyList<double> sorted)
    {
        if (sorted.Count == 0)
        {
            return Empty;
        }

        var mean = sorted.Average();
        var variance = sorted.Sum(x => (x - mean) * (x - mean)) / sorted.Count;
        return new LatencyStats(
            sorted[0], mean, Math.Sqrt(variance),
            Percentile(sorted, 50), Percentile(sorted, 90), Percentile(sorted, 99), Percentile(sorted, 99.9), sorted[^1]);
    }

    public static double Percentile(IReadOnlyList<double> sorted, double percent)
    {
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}

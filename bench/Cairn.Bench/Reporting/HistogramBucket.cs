namespace Cairn.Bench.Reporting;

/// <summary>
/// One bar of the latency histogram: samples above the previous bucket's bound and at most <see cref="UpToMs"/>. Like
/// etcd's benchmark report there are ten buckets from the fastest to the slowest sample, but spaced logarithmically,
/// so a few slow outliers do not squash every other sample into the first bar.
/// </summary>
internal sealed record HistogramBucket(double UpToMs, long Count)
{
    public const int Buckets = 10;

    public static IReadOnlyList<HistogramBucket> FromSorted(IReadOnlyList<double> sorted)
    {
        if (sorted.Count == 0)
        {
            return [];
        }

        var min = Math.Max(sorted[0], 1e-3);
        var max = Math.Max(sorted[^1], min);
        var step = Math.Pow(max / min, 1.0 / Buckets);
        var buckets = new List<HistogramBucket>(Buckets);
        var index = 0;
        for (var b = 1; b <= Buckets; b++)
        {
            var bound = b == Buckets ? max : min * Math.Pow(step, b);
            var count = 0L;
            while (index < sorted.Count && sorted[index] <= bound)
            {
                count++;
                index++;
            }

            buckets.Add(new HistogramBucket(bound, count));
        }

        return buckets;
    }
}

using System.Collections.Concurrent;

namespace Cairn.Bench.Load;

/// <summary>
/// Latency samples (milliseconds) of one run, per series. Each recording thread of control (a client loop, a watch
/// stream reader) takes its own <see cref="Lane"/>, so recording takes no lock; lanes are merged when the run ends.
/// </summary>
internal sealed class SampleSet(int seriesCount)
{
    private readonly ConcurrentBag<Lane> _lanes = [];

    public int SeriesCount => seriesCount;

    public Lane NewLane()
    {
        var lane = new Lane(seriesCount);
        _lanes.Add(lane);
        return lane;
    }

    /// <summary>Every lane's samples, per series (unsorted). Call once recording has stopped.</summary>
    public List<double>[] Merge()
    {
        var merged = Enumerable.Range(0, seriesCount).Select(_ => new List<double>()).ToArray();
        foreach (var lane in _lanes)
        {
            for (var s = 0; s < seriesCount; s++)
            {
                merged[s].AddRange(lane.Samples[s]);
            }
        }

        return merged;
    }

    /// <summary>One recorder's samples; not thread-safe.</summary>
    internal sealed class Lane(int seriesCount)
    {
        public List<double>[] Samples { get; } = Enumerable.Range(0, seriesCount).Select(_ => new List<double>()).ToArray();

        public void Record(int series, double milliseconds) => Samples[series].Add(milliseconds);
    }
}

using System.Globalization;
using Cairn.Bench.Reporting;

namespace Cairn.Bench.Compare;

/// <summary>Both sides of one workload, with the CPU seconds each server spent during its timed passes.</summary>
internal sealed record CaseResult(CompareCase Case, BenchReport Etcd, BenchReport Cairn, double EtcdCpuSeconds, double CairnCpuSeconds)
{
    public double ThroughputRatio => Ratio(Cairn.Throughput, Etcd.Throughput);

    /// <summary>cairn/etcd p99; NaN when either side has no samples (a side that failed outright is not "faster").</summary>
    public double P99Ratio => Cairn.Series[0].Samples == 0 || Etcd.Series[0].Samples == 0 ? double.NaN : Ratio(Cairn.LatencyMs.P99, Etcd.LatencyMs.P99);

    /// <summary><c>ratio put-128c-1member 1.62 0.81</c>: cairn/etcd throughput, then cairn/etcd p99.</summary>
    public string RatioLine => string.Create(CultureInfo.InvariantCulture, $"ratio {Case.Name} {ThroughputRatio:0.00} {P99Ratio:0.00}");

    private static double Ratio(double numerator, double denominator) => denominator > 0 ? numerator / denominator : double.NaN;
}

/// <summary>A server's totals over one cluster phase: peak RSS of its members added up and their CPU seconds.</summary>
internal sealed record ServerUsage(string Server, int Members, long PeakRssBytes, double CpuSeconds);

/// <summary>The outcome of <c>etcdctl check perf --load=...</c> against one server.</summary>
internal sealed record CheckPerfResult(string Server, string Load, bool Passed, int? WritesPerSecond, double? SlowestSeconds, string Output);

/// <summary>Resident memory of a fresh single member after writing <see cref="Keys"/> keys.</summary>
internal sealed record RssResult(string Server, int Keys, int KeySize, int ValueSize, long RssBytes, long PeakRssBytes, double LoadSeconds);

/// <summary>Everything one <c>compare</c> run measured.</summary>
internal sealed record CompareResult(
    DateTimeOffset Started,
    bool Quick,
    ComparePlan Plan,
    MachineInfo Machine,
    IReadOnlyList<CaseResult> Cases,
    IReadOnlyList<ServerUsage> Usage,
    IReadOnlyList<CheckPerfResult> CheckPerf,
    IReadOnlyList<RssResult> Rss,
    double Seconds);

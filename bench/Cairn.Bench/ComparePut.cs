using Cairn.Testing;

namespace Cairn.Bench;

/// <summary>
/// compare-put: starts real etcd and cairn as one member each with the same flags (as shared/checks/lib.sh starts
/// them), data under one temporary folder on the same disk. After a warm-up of each, it alternates passes
/// (etcd, cairn, etcd, cairn, ...), each pass a share of --total, so drift over the run hits both alike; only one
/// server is under load at a time.
/// </summary>
internal static class ComparePut
{
    public sealed record Result(BenchReport Etcd, BenchReport Cairn, double ThroughputRatio, double P99Ratio);

    public static async Task<Result> RunAsync(
        PutSettings settings, int passes, ServerBinary etcd, ServerBinary cairn, string? workRoot, Action<string> log, CancellationToken cancellationToken)
    {
        var options = new ClusterOptions { WorkRoot = workRoot, Token = "bench" };
        log($"starting etcd: {etcd}");
        await using var etcdCluster = await ProcessCluster.StartAsync(etcd, 1, options, cancellationToken).ConfigureAwait(false);
        log($"starting cairn: {cairn}");
        await using var cairnCluster = await ProcessCluster.StartAsync(cairn, 1, options, cancellationToken).ConfigureAwait(false);
        var etcdSettings = settings with { Endpoints = [etcdCluster[0].Endpoint] };
        var cairnSettings = settings with { Endpoints = [cairnCluster[0].Endpoint] };

        foreach (var warm in (PutSettings[])[etcdSettings, cairnSettings])
        {
            await new PutWorkload(warm with { Total = Math.Clamp(settings.Total / 10, 1, 2_000), Seed = settings.Seed + 1 }).MeasureAsync(cancellationToken).ConfigureAwait(false);
        }

        var etcdRuns = new List<PutRun>();
        var cairnRuns = new List<PutRun>();
        for (var pass = 0; pass < passes; pass++)
        {
            // The passes' totals add up to --total exactly.
            var share = settings.Total / passes + (pass < settings.Total % passes ? 1 : 0);
            log($"pass {pass + 1}/{passes}: {share} puts against etcd, then cairn");
            etcdRuns.Add(await new PutWorkload(etcdSettings with { Total = share, Seed = settings.Seed + pass }).MeasureAsync(cancellationToken).ConfigureAwait(false));
            cairnRuns.Add(await new PutWorkload(cairnSettings with { Total = share, Seed = settings.Seed + pass }).MeasureAsync(cancellationToken).ConfigureAwait(false));
        }

        foreach (var (name, cluster) in new[] { ("etcd", etcdCluster), ("cairn", cairnCluster) })
        {
            if (!cluster[0].IsRunning)
            {
                throw new InvalidOperationException($"{name} exited during the run:{Environment.NewLine}{cluster[0].LogTail()}");
            }
        }

        var etcdReport = BenchReport.From("put", $"etcd ({etcd})", etcdSettings, etcdRuns);
        var cairnReport = BenchReport.From("put", $"cairn ({cairn})", cairnSettings, cairnRuns);
        return new Result(
            etcdReport,
            cairnReport,
            ReportWriter.Ratio(cairnReport.Throughput, etcdReport.Throughput),
            ReportWriter.Ratio(cairnReport.LatencyMs.P99, etcdReport.LatencyMs.P99));
    }
}

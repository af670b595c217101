using System.Diagnostics;
using Cairn.Bench.Load;
using Cairn.Bench.Reporting;
using Cairn.Testing;
using Grpc.Core;

namespace Cairn.Bench.Compare;

/// <summary>
/// compare: starts real etcd and cairn with the same flags (as shared/checks/lib.sh starts members), each cluster's data
/// under one temporary folder on the same disk, first one member each, then three each on loopback. For every workload
/// both get the same warm-up, then timed passes alternate etcd/cairn, cairn/etcd, ... so that drift over the run (page
/// cache, other load on the machine) hits both alike; only one server is under load at a time. The servers' CPU
/// seconds are read from /proc around each timed pass.
/// </summary>
internal sealed class CompareRunner(CompareOptions options, Action<string> log, Action<CaseResult> onCase)
{
    public async Task<CompareResult> RunAsync(CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.Now;
        var clock = Stopwatch.StartNew();
        var plan = ComparePlan.For(options.Quick);
        plan = plan with
        {
            Cases = plan.Cases.Where(c => options.Only.Count == 0 || options.Only.Any(o => c.Name.Contains(o, StringComparison.Ordinal))).ToList(),
            Passes = options.Passes ?? plan.Passes,
            Pass = options.Pass ?? plan.Pass,
        };
        var machine = await MachineInfo.CaptureAsync(options.Etcd, options.Cairn, cancellationToken).ConfigureAwait(false);
        log($"compare ({(options.Quick ? "quick" : "full")}): {plan.Cases.Count} workloads, {plan.Passes} passes of {plan.Pass.TotalSeconds:0.#} s per server; load average {machine.LoadBefore}");
        var clusterOptions = new ClusterOptions { WorkRoot = options.DataDir, Token = "bench" };
        var cases = new List<CaseResult>();
        var usage = new List<ServerUsage>();
        var checks = new List<CheckPerfResult>();
        foreach (var members in (int[])[1, 3])
        {
            var phase = plan.Cases.Where(c => c.Members == members).ToList();
            var checkPerf = members == 1 && options.CheckPerf;
            if (phase.Count == 0 && !checkPerf)
            {
                continue;
            }

            log($"starting {members}-member etcd and cairn clusters");
            await using var etcd = new ServerUnderTest("etcd", await ProcessCluster.StartAsync(options.Etcd, members, clusterOptions, cancellationToken).ConfigureAwait(false));
            await using var cairn = new ServerUnderTest("cairn", await ProcessCluster.StartAsync(options.Cairn, members, clusterOptions, cancellationToken).ConfigureAwait(false));
            foreach (var c in phase)
            {
                var result = await RunCaseAsync(c, plan, etcd, cairn, cancellationToken).ConfigureAwait(false);
                cases.Add(result);
                onCase(result);
            }

            if (checkPerf)
            {
                foreach (var load in (string[])["m", "l"])
                {
                    foreach (var server in (ServerUnderTest[])[etcd, cairn])
                    {
                        log($"etcdctl check perf --load={load} against {server.Name} (60 s)");
                        var check = await CheckPerf.RunAsync(server, load, cancellationToken).ConfigureAwait(false);
                        log($"  {(check.Passed ? "PASS" : "FAIL")}: {check.Output}");
                        checks.Add(check);
                    }
                }
            }

            foreach (var server in (ServerUnderTest[])[etcd, cairn])
            {
                server.EnsureRunning();
                usage.Add(new ServerUsage(server.Name, members, server.PeakRssBytes(), server.CpuSeconds()));
            }
        }

        var rss = new List<RssResult>();
        if (options.RssKeys > 0)
        {
            rss.Add(await RssProbe.RunAsync("etcd", options.Etcd, clusterOptions, options.RssKeys, log, cancellationToken).ConfigureAwait(false));
            rss.Add(await RssProbe.RunAsync("cairn", options.Cairn, clusterOptions, options.RssKeys, log, cancellationToken).ConfigureAwait(false));
        }

        return new CompareResult(
            started, options.Quick, plan, machine with { LoadAfter = MachineInfo.LoadAverage() }, cases, usage, checks, rss, clock.Elapsed.TotalSeconds);
    }

    private async Task<CaseResult> RunCaseAsync(CompareCase c, ComparePlan plan, ServerUnderTest etcd, ServerUnderTest cairn, CancellationToken cancellationToken)
    {
        var sides = new[] { new Side(etcd, c), new Side(cairn, c) };
        try
        {
            foreach (var side in sides)
            {
                await side.PrepareAsync(plan.Warmup, log, cancellationToken).ConfigureAwait(false);
            }

            for (var pass = 0; pass < plan.Passes; pass++)
            {
                foreach (var side in pass % 2 == 0 ? sides : sides.Reverse())
                {
                    await side.PassAsync(plan.Pass, cancellationToken).ConfigureAwait(false);
                    side.Server.EnsureRunning();
                }
            }
        }
        finally
        {
            foreach (var side in sides)
            {
                side.Dispose();
            }
        }

        var reports = sides.Select(s => s.Report(plan.Pass)).ToArray();
        var result = new CaseResult(c, reports[0], reports[1], sides[0].CpuSeconds, sides[1].CpuSeconds);
        foreach (var (side, report) in sides.Zip(reports))
        {
            log($"  {c.Name} {side.Server.Name,-5}: {report.Throughput,10:0.0}/s  p50 {report.LatencyMs.P50:0.000} ms  p99 {report.LatencyMs.P99:0.000} ms  " +
                $"errors {report.Errors}  cpu {side.CpuSeconds:0.0} s{(report.ErrorSamples.Count > 0 ? "  first error: " + report.ErrorSamples[0] : "")}");
        }

        return result;
    }

    /// <summary>One server's part of a workload: its connections, its passes, and the CPU they cost it.</summary>
    private sealed class Side(ServerUnderTest server, CompareCase c) : IDisposable
    {
        private readonly LoadSettings _settings = c.Settings with { Endpoints = server.Endpoints };
        private readonly List<RunSamples> _runs = [];
        private IReadOnlyList<string>? _series;
        private Connections? _connections;
        private string? _failure;

        public ServerUnderTest Server => server;

        public double CpuSeconds { get; private set; }

        /// <summary>Connects, writes the key space when the workload reads it, and warms up (JIT, caches) off the record.</summary>
        public async Task PrepareAsync(TimeSpan warmup, Action<string> log, CancellationToken cancellationToken)
        {
            try
            {
                _connections = Connections.Open(_settings);
                await _connections.WarmAsync(cancellationToken).ConfigureAwait(false);
                if (c.Kind.NeedsPrefill)
                {
                    await Prefill.RunAsync(_settings, _connections, cancellationToken).ConfigureAwait(false);
                }

                log($"{c.Name}: warming up {server.Name}");
                await RunAsync(warmup, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RpcException or LoadError or TimeoutException)
            {
                Fail(e);
            }
        }

        public async Task PassAsync(TimeSpan pass, CancellationToken cancellationToken)
        {
            if (_failure is not null || _connections is null)
            {
                return;
            }

            var before = server.CpuSeconds();
            try
            {
                _runs.Add(await RunAsync(pass, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (e is RpcException or LoadError or TimeoutException)
            {
                Fail(e);
            }

            CpuSeconds += server.CpuSeconds() - before;
        }

        public BenchReport Report(TimeSpan pass)
        {
            var series = _series ?? c.Kind.Create(_settings).Series;
            var runs = _failure is null ? _runs : [.. _runs, new RunSamples(series.Select(_ => new List<double>()).ToArray(), 0, 1, 0, [_failure])];
            return BenchReport.From(c.Name, series, server.Name, _settings with { Duration = pass }, runs);
        }

        public void Dispose() => _connections?.Dispose();

        private async Task<RunSamples> RunAsync(TimeSpan duration, CancellationToken cancellationToken)
        {
            var settings = _settings with { Duration = duration };
            var workload = c.Kind.Create(settings);
            _series = workload.Series;
            return await new LoadRunner(settings, workload).RunAsync(_connections!, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The workload could not run against this server at all (e.g. the service is missing): it scores zero.</summary>
        private void Fail(Exception e) =>
            _failure = e is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.Message;
    }
}

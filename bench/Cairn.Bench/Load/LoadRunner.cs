using System.Collections.Concurrent;
using System.Diagnostics;
using Cairn.Bench.Workloads;
using Grpc.Core;

namespace Cairn.Bench.Load;

/// <summary>
/// Runs one workload once: starts it (streams, leases) off the clock, then <c>clients</c> loops each keep one request in
/// flight until --total requests were issued or --duration has passed, paced by --rate. The runner times every request
/// into the workload's op series; a failed request (gRPC error, deadline, failed check) counts as an error.
/// </summary>
internal sealed class LoadRunner(LoadSettings settings, IWorkload workload)
{
    private readonly ConcurrentQueue<string> _errorSamples = new();
    private long _issued;
    private long _completed;
    private long _succeeded;
    private long _errors;
    private long _startTimestamp;

    /// <summary>Requests finished so far (success or error).</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>How far the run is, 0 to 1: by requests for --total, by time for --duration.</summary>
    public double Progress
    {
        get
        {
            if (settings.Duration is { } duration)
            {
                var start = Interlocked.Read(ref _startTimestamp);
                return start == 0 ? 0 : Math.Min(1, Stopwatch.GetElapsedTime(start).TotalSeconds / duration.TotalSeconds);
            }

            return Math.Min(1, (double)Completed / settings.Total);
        }
    }

    public async Task<RunSamples> RunAsync(Connections connections, CancellationToken cancellationToken)
    {
        var samples = new SampleSet(workload.Series.Count);
        double seconds;
        try
        {
            await workload.StartAsync(new WorkloadContext(settings, connections, samples), cancellationToken).ConfigureAwait(false);
            var start = Stopwatch.GetTimestamp();
            Interlocked.Exchange(ref _startTimestamp, start);
            long? deadline = settings.Duration is { } d ? start + (long)(d.TotalSeconds * Stopwatch.Frequency) : null;
            var pacer = new Pacer(settings.Rate, start);
            var loops = Enumerable.Range(0, settings.Clients)
                .Select(c => Task.Run(() => ClientLoopAsync(c, samples.NewLane(), pacer, deadline, cancellationToken), cancellationToken))
                .ToList();
            await Task.WhenAll(loops).ConfigureAwait(false);
            seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        finally
        {
            await workload.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        return new RunSamples(samples.Merge(), Interlocked.Read(ref _succeeded), Interlocked.Read(ref _errors), seconds, _errorSamples.ToList());
    }

    private async Task ClientLoopAsync(int client, SampleSet.Lane lane, Pacer pacer, long? deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            var sequence = Interlocked.Increment(ref _issued) - 1;
            if (deadline is null && sequence >= settings.Total)
            {
                return;
            }

            await pacer.WaitTurnAsync(sequence, cancellationToken).ConfigureAwait(false);
            if (deadline is { } end && Stopwatch.GetTimestamp() >= end)
            {
                return;
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                var extra = await workload.ExecuteAsync(client, sequence, cancellationToken).ConfigureAwait(false);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (workload.OpSeries >= 0)
                {
                    lane.Record(workload.OpSeries, elapsed);
                }

                if (extra >= 0)
                {
                    lane.Record(extra, elapsed);
                }

                Interlocked.Increment(ref _succeeded);
            }
            catch (Exception e) when (e is RpcException or TimeoutException or LoadError && !cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _errors);
                if (_errorSamples.Count < 5)
                {
                    _errorSamples.Enqueue(e is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.Message);
                }
            }

            Interlocked.Increment(ref _completed);
        }
    }
}

namespace Cairn.Bench.Workloads;

/// <summary>
/// One load shape, driven by <see cref="Load.LoadRunner"/>. An instance serves one run: <see cref="StartAsync"/> (off
/// the clock), then <see cref="ExecuteAsync"/> from every client loop concurrently, then <see cref="StopAsync"/>.
/// </summary>
internal interface IWorkload
{
    /// <summary>Latency series; the first is the one reported, charted and compared.</summary>
    IReadOnlyList<string> Series { get; }

    /// <summary>The series the runner times every request into; -1 when the workload records samples itself.</summary>
    int OpSeries { get; }

    /// <summary>Opens streams, grants leases and the like. Connections are already warm.</summary>
    Task StartAsync(WorkloadContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Request number <paramref name="sequence"/> (across all clients) from client <paramref name="client"/>. Returns a
    /// further series to record its latency into as well, or -1. Throws RpcException, TimeoutException or LoadError
    /// for a failed request.
    /// </summary>
    ValueTask<int> ExecuteAsync(int client, long sequence, CancellationToken cancellationToken);

    /// <summary>Closes what <see cref="StartAsync"/> opened.</summary>
    Task StopAsync(CancellationToken cancellationToken);
}

using Cairn.Api.Etcdserverpb;
using Cairn.Bench.Load;
using Grpc.Core;

namespace Cairn.Bench.Workloads;

/// <summary>
/// etcd benchmark's <c>lease-keepalive</c>: every client grants a lease of <see cref="LoadSettings.LeaseTtl"/> seconds
/// and opens its own LeaseKeepAlive stream (off the clock); each request sends one keepalive and waits for its answer,
/// which must carry a positive TTL. The leases are revoked afterwards.
/// </summary>
internal sealed class LeaseKeepAliveWorkload(LoadSettings settings) : IWorkload
{
    private readonly CancellationTokenSource _cancel = new();
    private Lease.LeaseClient[] _clients = [];
    private long[] _leases = [];
    private AsyncDuplexStreamingCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse>[] _streams = [];

    public IReadOnlyList<string> Series { get; } = ["keepalive"];

    public int OpSeries => 0;

    public async Task StartAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        _clients = Enumerable.Range(0, settings.Clients).Select(c => new Lease.LeaseClient(context.Connections.ForClient(c))).ToArray();
        _leases = await Task.WhenAll(_clients.Select(async c =>
        {
            var granted = await c.LeaseGrantAsync(new LeaseGrantRequest { TTL = settings.LeaseTtl }, deadline: Connections.Deadline(), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return granted.ID;
        })).ConfigureAwait(false);
        _streams = _clients.Select(c => c.LeaseKeepAlive(cancellationToken: _cancel.Token)).ToArray();
    }

    public async ValueTask<int> ExecuteAsync(int client, long sequence, CancellationToken cancellationToken)
    {
        var stream = _streams[client];
        await stream.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = _leases[client] }).ConfigureAwait(false);
        if (!await stream.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            throw new LoadError("the keepalive stream was closed by the server");
        }

        if (stream.ResponseStream.Current.TTL <= 0)
        {
            throw new LoadError($"lease {_leases[client]:x} is gone (keepalive answered TTL {stream.ResponseStream.Current.TTL})");
        }

        return -1;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var stream in _streams)
        {
            try
            {
                await stream.RequestStream.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is RpcException or InvalidOperationException)
            {
                // Already ended by the server.
            }
        }

        await _cancel.CancelAsync().ConfigureAwait(false);
        foreach (var stream in _streams)
        {
            stream.Dispose();
        }

        await Task.WhenAll(_clients.Zip(_leases).Select(async pair =>
        {
            try
            {
                await pair.First.LeaseRevokeAsync(new LeaseRevokeRequest { ID = pair.Second }, deadline: Connections.Deadline(), cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (RpcException)
            {
                // Revoking is tidying up; an expired lease is as good.
            }
        })).ConfigureAwait(false);
        _cancel.Dispose();
    }
}

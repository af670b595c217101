using System.Collections.Concurrent;
using System.Threading.Channels;
using Cairn.Api.Etcdserverpb;
using Grpc.Core;
using Grpc.Net.Client;
using LeaseClient = Cairn.Api.Etcdserverpb.Lease.LeaseClient;

namespace Cairn.Server.Lease;

/// <summary>
/// One long-lived LeaseKeepAlive stream to the leader that many forwarded keep-alives share. One writer sends the
/// requests in order and the leader answers each in order (the keep-alive stream's contract), so answers go to the
/// waiters first in, first out. A broken stream fails every waiter with Unavailable; the forwarder replaces it.
/// </summary>
internal sealed class KeepAliveStream : IDisposable
{
    private readonly AsyncDuplexStreamingCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse> call;
    private readonly Channel<(long Id, TaskCompletionSource<long> Waiter)> outgoing =
        Channel.CreateUnbounded<(long, TaskCompletionSource<long>)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentQueue<TaskCompletionSource<long>> sent = new();
    // Cancelled, never disposed: the loops may still read its token after Dispose.
    private readonly CancellationTokenSource stop = new();
    private RpcException? broken;

    public KeepAliveStream(GrpcChannel channel)
    {
        call = new LeaseClient(channel).LeaseKeepAlive(cancellationToken: stop.Token);
        _ = WriteAsync();
        _ = ReadAsync();
    }

    public bool IsBroken => Volatile.Read(ref broken) is not null;

    /// <summary>One keep-alive: the TTL the leader renewed the lease to, 0 for an unknown lease.</summary>
    public Task<long> RenewAsync(long id, CancellationToken ct)
    {
        var waiter = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!outgoing.Writer.TryWrite((id, waiter)))
        {
            waiter.TrySetException(Volatile.Read(ref broken) ?? Closed());
        }
        return waiter.Task.WaitAsync(ct);
    }

    public void Dispose()
    {
        Break(Closed());
        stop.Cancel();
        call.Dispose();
    }

    private static RpcException Closed() => new(new Status(StatusCode.Unavailable, "the keep-alive stream to the leader is closed"));

    private async Task WriteAsync()
    {
        try
        {
            await foreach (var (id, waiter) in outgoing.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                sent.Enqueue(waiter);
                await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = id }, stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or OperationCanceledException)
        {
            Break(e as RpcException ?? new RpcException(new Status(StatusCode.Unavailable, e.Message)));
        }
        FailWaiters();
    }

    private async Task ReadAsync()
    {
        try
        {
            while (await call.ResponseStream.MoveNext(stop.Token).ConfigureAwait(false))
            {
                if (sent.TryDequeue(out var waiter))
                {
                    waiter.TrySetResult(call.ResponseStream.Current.TTL);
                }
            }
            Break(new RpcException(new Status(StatusCode.Unavailable, "the leader closed the keep-alive stream")));
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or OperationCanceledException)
        {
            Break(e as RpcException ?? new RpcException(new Status(StatusCode.Unavailable, e.Message)));
        }
        FailWaiters();
    }

    /// <summary>Marks the stream broken and stops taking requests; waiters fail in <see cref="FailWaiters"/>.</summary>
    private void Break(RpcException reason)
    {
        Interlocked.CompareExchange(ref broken, reason, null);
        outgoing.Writer.TryComplete();
        FailWaiters();
    }

    // Called on every exit path of both loops, so a waiter the writer queued after a break still fails.
    private void FailWaiters()
    {
        var reason = Volatile.Read(ref broken) ?? Closed();
        while (outgoing.Reader.TryRead(out var queued))
        {
            queued.Waiter.TrySetException(reason);
        }
        while (sent.TryDequeue(out var waiter))
        {
            waiter.TrySetException(reason);
        }
    }
}

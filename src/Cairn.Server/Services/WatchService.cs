using Cairn.Api.Errors;
using Cairn.Api.Etcdserverpb;
using Cairn.Server.Watch;
using Grpc.Core;
using WatchBase = Cairn.Api.Etcdserverpb.Watch.WatchBase;

namespace Cairn.Server.Services;

/// <summary>
/// etcdserverpb.Watch: one bidirectional stream carries many watchers. Requests are handed to the stream's
/// <see cref="WatchStream"/> as they arrive; its send loop writes every response (buffered while more are queued,
/// flushed when the queue empties). A client that half-closes keeps receiving, as with etcd; the stream ends when
/// the client goes away, or with "no leader" when it asked for a leader (hasleader) and the member lost it.
/// </summary>
internal sealed class WatchService(EtcdServer server) : WatchBase
{
    private static readonly WriteOptions Buffered = new(WriteFlags.BufferHint);

    public override async Task Watch(
        IAsyncStreamReader<WatchRequest> requestStream, IServerStreamWriter<WatchResponse> responseStream, ServerCallContext context)
    {
        using var leader = LeaderRequirement.Start(server, context);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, leader.Lost);
        var token = stop.Token;
        var stream = server.OpenWatchStream();
        var send = stream.RunSendLoopAsync((response, flush) =>
        {
            responseStream.WriteOptions = flush ? null : Buffered;
            return responseStream.WriteAsync(response, token);
        }, token);
        var receive = ReceiveAsync(requestStream, stream, token);
        try
        {
            var first = await Task.WhenAny(send, receive).ConfigureAwait(false);
            if (first == receive && receive.IsCompletedSuccessfully)
            {
                await Task.WhenAny(send).ConfigureAwait(false);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            stream.Dispose();
            await Settle(send).ConfigureAwait(false);
            await Settle(receive).ConfigureAwait(false);
        }
        if (leader.IsLost)
        {
            throw EtcdErrors.NoLeader.ToException();
        }
    }

    private static async Task ReceiveAsync(IAsyncStreamReader<WatchRequest> requests, WatchStream stream, CancellationToken ct)
    {
        while (await requests.MoveNext(ct).ConfigureAwait(false))
        {
            stream.Handle(requests.Current);
        }
    }

    /// <summary>Waits for a loop that ended because the call ended (canceled, or the transport failed).</summary>
    private static async Task Settle(Task loop)
    {
        try
        {
            await loop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException or RpcException)
        {
            // The client went away or the stream was stopped.
        }
    }
}

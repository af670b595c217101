using Cairn.Api.Etcdserverpb;
using Cairn.Api.Mvccpb;
using Cairn.Bench.Load;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cairn.Bench.Workloads;

/// <summary>
/// One gRPC Watch stream carrying <c>watchers</c> watchers of the same range (etcd multiplexes watchers over a stream by
/// watch id). Its reader hands every put event to a callback together with the stream's own sample lane.
/// </summary>
internal sealed class WatchStream(GrpcChannel channel, int watchers, SampleSet.Lane lane, Action<SampleSet.Lane, KeyValue> onPut)
{
    private static readonly TimeSpan CreateTimeout = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _cancel = new();
    private readonly TaskCompletionSource _allCreated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private AsyncDuplexStreamingCall<WatchRequest, WatchResponse>? _call;
    private Task _reader = Task.CompletedTask;
    private int _created;

    /// <summary>Opens the stream and creates every watcher on [key, end) from the current revision; returns once all are created.</summary>
    public async Task OpenAsync(ByteString key, ByteString end, CancellationToken cancellationToken)
    {
        _call = new Watch.WatchClient(channel).Watch(cancellationToken: _cancel.Token);
        _reader = Task.Run(() => ReadAsync(_call));
        try
        {
            for (var i = 0; i < watchers; i++)
            {
                await _call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = new WatchCreateRequest { Key = key, RangeEnd = end } })
                    .ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // The server ended the call already; the reader has recorded why, and waiting below reports it.
        }

        await _allCreated.Task.WaitAsync(CreateTimeout, cancellationToken).ConfigureAwait(false);
    }

    public async Task CloseAsync()
    {
        if (_call is not { } call)
        {
            return;
        }

        try
        {
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException)
        {
            // The server already ended the stream; nothing more to close.
        }

        await _cancel.CancelAsync().ConfigureAwait(false);
        await _reader.ConfigureAwait(false);
        call.Dispose();
        _cancel.Dispose();
    }

    private async Task ReadAsync(AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call)
    {
        try
        {
            while (await call.ResponseStream.MoveNext(_cancel.Token).ConfigureAwait(false))
            {
                var response = call.ResponseStream.Current;
                if (response.Canceled)
                {
                    _allCreated.TrySetException(new LoadError($"watch {response.WatchId} canceled: {response.CancelReason}"));
                    continue;
                }

                if (response.Created && ++_created == watchers)
                {
                    _allCreated.TrySetResult();
                }

                foreach (var e in response.Events)
                {
                    if (e.Type == Event.Types.EventType.Put)
                    {
                        onPut(lane, e.Kv);
                    }
                }
            }

            _allCreated.TrySetException(new LoadError("watch stream ended by the server"));
        }
        catch (RpcException e) when (_cancel.IsCancellationRequested || e.StatusCode == StatusCode.Cancelled)
        {
            // Closed by CloseAsync.
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            // Closed by CloseAsync.
        }
        catch (RpcException e)
        {
            _allCreated.TrySetException(new LoadError($"watch stream failed: {e.StatusCode} {e.Status.Detail}"));
        }
    }
}

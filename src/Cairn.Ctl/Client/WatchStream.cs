using System.Threading.Channels;
using Cairn.Api.Etcdserverpb;
using Grpc.Core;

namespace Cairn.Ctl.Client;

/// <summary>
/// One Watch stream carrying any number of watchers, as clientv3 multiplexes them: creates are answered in order, so
/// each "created" response names the id of the oldest pending create; later responses go to their watcher's channel,
/// and a stream-wide progress notification (watch id -1) to every watcher. A cancel completes that watcher's channel;
/// the end of the stream completes all of them (with the failure, if any).
/// </summary>
internal sealed class WatchStream : IAsyncDisposable
{
    private readonly AsyncDuplexStreamingCall<WatchRequest, WatchResponse> _call;
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly Lock _gate = new();
    private readonly Queue<Channel<WatchResponse>> _pending = new();
    private readonly Dictionary<long, Channel<WatchResponse>> _active = [];
    private readonly CancellationTokenSource _stop;
    private readonly Task _reader;

    private WatchStream(AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, CancellationTokenSource stop)
    {
        _call = call;
        _stop = stop;
        _reader = ReadAsync();
    }

    /// <param name="requireLeader">clientv3.WithRequireLeader: the server cancels the stream when it loses its leader.</param>
    public static WatchStream Open(EtcdConnection connection, bool requireLeader, CancellationToken cancellationToken)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var options = connection.Stream(stop.Token);
        if (requireLeader)
        {
            var headers = options.Headers ?? [];
            headers.Add("hasleader", "true");
            options = options.WithHeaders(headers);
        }

        return new WatchStream(connection.Watch.Watch(options), stop);
    }

    /// <summary>Starts a watcher; its responses (created excluded) arrive on the returned reader.</summary>
    public async Task<ChannelReader<WatchResponse>> CreateAsync(WatchCreateRequest create, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<WatchResponse>(new UnboundedChannelOptions { SingleReader = true });
        await _send.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                _pending.Enqueue(channel);
            }

            await _call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = create }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _send.Release();
        }

        return channel.Reader;
    }

    /// <summary>Asks for a progress notification (etcdctl watch -i's "progress").</summary>
    public async Task RequestProgressAsync(CancellationToken cancellationToken)
    {
        await _send.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _call.RequestStream.WriteAsync(new WatchRequest { ProgressRequest = new WatchProgressRequest() }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _send.Release();
        }
    }

    private async Task ReadAsync()
    {
        Exception? failure = null;
        try
        {
            await foreach (var response in _call.ResponseStream.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                Dispatch(response);
            }
        }
        catch (RpcException e)
        {
            failure = e;
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }

        lock (_gate)
        {
            foreach (var channel in _active.Values.Concat(_pending))
            {
                channel.Writer.TryComplete(failure);
            }

            _active.Clear();
            _pending.Clear();
        }
    }

    private void Dispatch(WatchResponse response)
    {
        lock (_gate)
        {
            if (response.Created)
            {
                if (_pending.TryDequeue(out var created))
                {
                    _active[response.WatchId] = created;
                    if (response.Canceled)
                    {
                        created.Writer.TryWrite(response);
                        created.Writer.TryComplete();
                        _active.Remove(response.WatchId);
                    }
                }

                return;
            }

            if (response.WatchId == -1)
            {
                foreach (var channel in _active.Values)
                {
                    channel.Writer.TryWrite(response);
                }

                return;
            }

            if (_active.TryGetValue(response.WatchId, out var target))
            {
                target.Writer.TryWrite(response);
                if (response.Canceled)
                {
                    target.Writer.TryComplete();
                    _active.Remove(response.WatchId);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _reader.ConfigureAwait(false);
        }
        finally
        {
            _call.Dispose();
            _stop.Dispose();
            _send.Dispose();
        }
    }
}

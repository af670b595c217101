using System.Threading.Channels;
using Cairn.Api.Etcdserverpb;
using Cairn.Testing;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Tests.Watch;

/// <summary>
/// One gRPC Watch stream as a test drives it: requests go out with <see cref="Send"/>, responses are read in the
/// background into a queue that <see cref="Next"/> takes from (with a timeout, so a silent server fails the test).
/// </summary>
public sealed class WatchSession : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private readonly AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call;
    private readonly Channel<WatchResponse> responses = Channel.CreateUnbounded<WatchResponse>();
    private readonly CancellationTokenSource stop = new();
    private readonly Task reader;

    /// <param name="requireLeader">Sends the hasleader metadata, as clientv3.WithRequireLeader does.</param>
    public WatchSession(EtcdClient client, bool requireLeader = false)
    {
        var headers = requireLeader ? new Metadata { { "hasleader", "true" } } : null;
        call = client.Watch.Watch(headers, cancellationToken: stop.Token);
        reader = Task.Run(ReadAsync);
    }

    /// <summary>How the stream ended, once it has: null while open or after a clean end.</summary>
    public RpcException? Ended { get; private set; }

    public Task Send(WatchRequest request) => call.RequestStream.WriteAsync(request);

    public Task Create(WatchCreateRequest create) => Send(new WatchRequest { CreateRequest = create });

    public Task Cancel(long id) => Send(new WatchRequest { CancelRequest = new WatchCancelRequest { WatchId = id } });

    public Task RequestProgress() => Send(new WatchRequest { ProgressRequest = new WatchProgressRequest() });

    public static WatchCreateRequest On(string key, string end = "", long start = 0, bool prevKv = false, long id = 0) =>
        new() { Key = ByteString.CopyFromUtf8(key), RangeEnd = ByteString.CopyFromUtf8(end), StartRevision = start, PrevKv = prevKv, WatchId = id };

    /// <summary>The next response; throws when none comes within <paramref name="timeout"/>.</summary>
    public async Task<WatchResponse> Next(TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            return await responses.Reader.ReadAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no watch response within {(timeout ?? DefaultTimeout).TotalSeconds:0.#} s (stream ended: {Ended?.Status.ToString() ?? "no"})");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"the watch stream ended: {Ended?.Status.ToString() ?? "cleanly"}");
        }
    }

    /// <summary>Responses until <paramref name="done"/> holds for the list so far.</summary>
    public async Task<List<WatchResponse>> Until(Func<List<WatchResponse>, bool> done, TimeSpan? timeout = null)
    {
        var list = new List<WatchResponse>();
        while (!done(list))
        {
            list.Add(await Next(timeout));
        }
        return list;
    }

    /// <summary>Every response that arrives until none has come for <paramref name="quiet"/>.</summary>
    public async Task<List<WatchResponse>> Drain(TimeSpan quiet)
    {
        var list = new List<WatchResponse>();
        while (true)
        {
            using var limit = new CancellationTokenSource(quiet);
            try
            {
                list.Add(await responses.Reader.ReadAsync(limit.Token));
            }
            catch (OperationCanceledException)
            {
                return list;
            }
            catch (ChannelClosedException)
            {
                return list;
            }
        }
    }

    /// <summary>
    /// Hands every response to <paramref name="handle"/> until it returns false; throws when the stream stays silent
    /// for <paramref name="idle"/>. For bulk reads (one wait per burst, not per response).
    /// </summary>
    public async Task Consume(Func<WatchResponse, bool> handle, TimeSpan idle)
    {
        var reader = responses.Reader;
        while (true)
        {
            while (reader.TryRead(out var response))
            {
                if (!handle(response))
                {
                    return;
                }
            }
            using var limit = new CancellationTokenSource(idle);
            try
            {
                if (!await reader.WaitToReadAsync(limit.Token))
                {
                    throw new InvalidOperationException($"the watch stream ended: {Ended?.Status.ToString() ?? "cleanly"}");
                }
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the watch stream was silent for {idle.TotalSeconds:0.#} s");
            }
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            while (await call.ResponseStream.MoveNext(stop.Token))
            {
                responses.Writer.TryWrite(call.ResponseStream.Current);
            }
        }
        catch (RpcException e) when (!stop.IsCancellationRequested)
        {
            Ended = e;
        }
        catch (RpcException) when (stop.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
        finally
        {
            responses.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await reader;
        call.Dispose();
        stop.Dispose();
    }
}

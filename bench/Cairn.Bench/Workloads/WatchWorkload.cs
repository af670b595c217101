using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using Cairn.Api.Etcdserverpb;
using Cairn.Api.Mvccpb;
using Cairn.Bench.Load;
using Google.Protobuf;

namespace Cairn.Bench.Workloads;

/// <summary>
/// Watch latency and fan-out (etcd benchmark's <c>watch-latency</c>, closed-loop): <see cref="LoadSettings.Watchers"/>
/// watchers watch one prefix over <see cref="LoadSettings.Streams"/> streams; each request puts a key under the prefix
/// and completes once every watcher has received the event. "event" (the reported series) holds, per watcher and put,
/// the time from sending the put to that watcher receiving it; its throughput is events delivered per second.
/// "put-to-all" holds each request's time until the last watcher had it. The put's value carries the request number
/// in its first 8 bytes, which is how a received event is matched to its request.
/// </summary>
internal sealed class WatchWorkload(LoadSettings settings) : IWorkload
{
    private static readonly ByteString Prefix = ByteString.CopyFromUtf8("cairn-bench/watch/");
    private static readonly ByteString PrefixEnd = ByteString.CopyFromUtf8("cairn-bench/watch0");
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<long, PendingPut> _pending = new();
    private readonly List<WatchStream> _streams = [];
    private readonly KeySpace _keys = new(settings);
    private readonly byte[] _valueTail = KeySpace.Value(settings with { ValueSize = Math.Max(8, settings.ValueSize) }).ToByteArray();
    private KV.KVClient[] _clients = [];

    public IReadOnlyList<string> Series { get; } = ["event", "put-to-all"];

    public int OpSeries => 1;

    public async Task StartAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        _clients = Enumerable.Range(0, settings.Clients).Select(context.Connections.Kv).ToArray();
        for (var s = 0; s < settings.Streams; s++)
        {
            var count = settings.Watchers / settings.Streams + (s < settings.Watchers % settings.Streams ? 1 : 0);
            _streams.Add(new WatchStream(context.Connections.ForClient(s), count, context.Samples.NewLane(), OnPut));
        }

        await Task.WhenAll(_streams.Select(w => w.OpenAsync(Prefix, PrefixEnd, cancellationToken))).ConfigureAwait(false);
    }

    public async ValueTask<int> ExecuteAsync(int client, long sequence, CancellationToken cancellationToken)
    {
        var value = (byte[])_valueTail.Clone();
        BinaryPrimitives.WriteInt64BigEndian(value, sequence);
        byte[] key = [.. Prefix.Span, .. KeySpace.Encode(_keys.Choose(client, sequence), settings.KeySize)];
        var pending = new PendingPut(Stopwatch.GetTimestamp(), settings.Watchers);
        _pending[sequence] = pending;
        try
        {
            await _clients[client].PutAsync(
                    new PutRequest { Key = UnsafeByteOperations.UnsafeWrap(key), Value = UnsafeByteOperations.UnsafeWrap(value) }, deadline: Connections.Deadline(), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            try
            {
                await pending.Delivered.Task.WaitAsync(DeliveryTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new LoadError($"{pending.Remaining} of {settings.Watchers} watchers did not get the event within {DeliveryTimeout.TotalSeconds:0} s");
            }
        }
        finally
        {
            _pending.TryRemove(sequence, out _);
        }

        return -1;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_streams.Select(w => w.CloseAsync())).ConfigureAwait(false);
        _streams.Clear();
    }

    /// <summary>Runs on a stream's reader: one watcher got the event of a put.</summary>
    private void OnPut(SampleSet.Lane lane, KeyValue kv)
    {
        if (kv.Value.Length < 8 || !_pending.TryGetValue(BinaryPrimitives.ReadInt64BigEndian(kv.Value.Span), out var pending))
        {
            return;
        }

        lane.Record(0, Stopwatch.GetElapsedTime(pending.Started).TotalMilliseconds);
        if (Interlocked.Decrement(ref pending.Remaining) == 0)
        {
            pending.Delivered.TrySetResult();
        }
    }

    private sealed class PendingPut(long started, int watchers)
    {
        public int Remaining = watchers;

        public long Started { get; } = started;

        public TaskCompletionSource Delivered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

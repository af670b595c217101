using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Cairn.Api.Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cairn.Bench;

/// <summary>
/// The put workload of etcd's benchmark tool: <c>clients</c> concurrent loops share <c>conns</c> HTTP/2 connections,
/// each keeping one Put in flight until <c>total</c> puts were sent. Every latency is recorded.
/// </summary>
internal sealed class PutWorkload(PutSettings settings)
{
    private static readonly TimeSpan RequestDeadline = TimeSpan.FromSeconds(30);
    private int _issued = -1;
    private int _completed;
    private int _errors;
    private readonly ConcurrentQueue<string> _errorSamples = new();

    /// <summary>Requests finished so far (success or error), for progress display.</summary>
    public int Completed => Volatile.Read(ref _completed);

    /// <summary>Runs the whole load once and reports it.</summary>
    public async Task<BenchReport> RunAsync(string server, CancellationToken cancellationToken) =>
        BenchReport.From("put", server, settings, [await MeasureAsync(cancellationToken).ConfigureAwait(false)]);

    /// <summary>Runs the whole load once and returns the raw measurements.</summary>
    public async Task<PutRun> MeasureAsync(CancellationToken cancellationToken)
    {
        var channels = Enumerable.Range(0, settings.Conns).Select(i => CreateChannel(settings.Endpoints[i % settings.Endpoints.Count])).ToList();
        try
        {
            var clients = channels.Select(c => new KV.KVClient(c)).ToList();
            var valueBytes = new byte[settings.ValueSize];
            new Random(settings.Seed).NextBytes(valueBytes);
            var value = ByteString.CopyFrom(valueBytes);

            var latencies = new List<double>[settings.Clients];
            var clock = Stopwatch.StartNew();
            var loops = Enumerable.Range(0, settings.Clients).Select(c =>
            {
                latencies[c] = new List<double>(settings.Total / settings.Clients + 1);
                return Task.Run(() => ClientLoopAsync(clients[c % clients.Count], c, value, latencies[c], cancellationToken), cancellationToken);
            }).ToList();
            await Task.WhenAll(loops).ConfigureAwait(false);
            clock.Stop();

            return new PutRun(latencies.SelectMany(l => l).ToList(), _errors, clock.Elapsed.TotalSeconds, _errorSamples.ToList());
        }
        finally
        {
            foreach (var channel in channels)
            {
                channel.Dispose();
            }
        }
    }

    private async Task ClientLoopAsync(KV.KVClient client, int clientIndex, ByteString value, List<double> latencies, CancellationToken cancellationToken)
    {
        var random = new Random(HashCode.Combine(settings.Seed, clientIndex));
        var key = new byte[settings.KeySize];
        int request;
        while ((request = Interlocked.Increment(ref _issued)) < settings.Total)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var index = settings.SequentialKeys ? request % settings.KeySpaceSize : random.Next(settings.KeySpaceSize);
            FillKey(key, index);
            var started = Stopwatch.GetTimestamp();
            try
            {
                await client.PutAsync(
                    new PutRequest { Key = ByteString.CopyFrom(key), Value = value },
                    deadline: DateTime.UtcNow + RequestDeadline,
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _errors);
                if (_errorSamples.Count < 5)
                {
                    _errorSamples.Enqueue($"{e.StatusCode}: {e.Status.Detail}");
                }
            }

            Interlocked.Increment(ref _completed);
        }
    }

    /// <summary>The key index, big-endian, in the key's last bytes (up to 8); leading bytes stay zero.</summary>
    private static void FillKey(byte[] key, int index)
    {
        var value = (ulong)index;
        for (var i = key.Length - 1; i >= 0 && i >= key.Length - 8; i--)
        {
            key[i] = (byte)value;
            value >>= 8;
        }
    }

    /// <summary>One HTTP/2 connection per channel (no extra connections), plain text as etcd's benchmark uses.</summary>
    private static GrpcChannel CreateChannel(string endpoint)
    {
        var address = endpoint.Contains("://", StringComparison.Ordinal) ? endpoint : "http://" + endpoint;
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            AutomaticDecompression = DecompressionMethods.None,
        };
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }
}

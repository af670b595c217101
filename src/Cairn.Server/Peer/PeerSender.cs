using System.Security.Cryptography;
using System.Threading.Channels;
using Cairn.Raft;
using Cairn.Raft.Raftpb;
using Cairn.Server.Peer.Peerpb;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Peer;

/// <summary>
/// Sends raft messages to one peer over a long-lived stream, in batches. The queue is bounded: when the peer is
/// slow or down, messages are dropped (raft resends) and the peer is reported unreachable, so one bad peer never
/// blocks the raft loop or the other peers. A broken stream reconnects with backoff (100 ms doubling to 1 s).
/// Snapshots go on their own call so they never hold up heartbeats.
/// </summary>
internal sealed partial class PeerSender : IAsyncDisposable
{
    private const int QueueCapacity = 4096;
    private const int MaxBatch = 512;
    private const int SnapshotChunkBytes = 64 * 1024;
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    private readonly ulong peerId;
    private readonly IPeerHandler handler;
    private readonly ILogger logger;
    private readonly Channel<Message> queue = Channel.CreateBounded<Message>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource stop = new();
    private readonly GrpcChannel channel;
    private readonly RaftPeer.RaftPeerClient client;
    private readonly Task loop;
    private int snapshotsInFlight;

    public PeerSender(ulong peerId, Uri peerUrl, IPeerHandler handler, Func<Uri, GrpcChannel> connect, ILogger logger)
    {
        this.peerId = peerId;
        this.handler = handler;
        this.logger = logger;
        channel = connect(peerUrl);
        client = new RaftPeer.RaftPeerClient(channel);
        loop = RunAsync(stop.Token);
    }

    /// <summary>Queues a message without blocking; a full queue drops it and reports the peer unreachable.</summary>
    public void Send(Message message)
    {
        if (message.Type == MessageType.MsgSnap)
        {
            _ = SendSnapshotAsync(message, stop.Token);
            return;
        }
        if (!queue.Writer.TryWrite(message))
        {
            handler.ReportUnreachable(peerId);
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var backoff = MinBackoff;
        var reader = queue.Reader;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var call = client.Stream(
                    PeerHeaders.Create(handler.ClusterId, handler.MemberId, peerId), cancellationToken: ct);
                while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
                {
                    var batch = new MessageBatch();
                    while (batch.Messages.Count < MaxBatch && reader.TryRead(out var m))
                    {
                        batch.Messages.Add(m);
                    }
                    await call.RequestStream.WriteAsync(batch, ct).ConfigureAwait(false);
                    backoff = MinBackoff;
                }
                return;
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is RpcException or IOException or HttpRequestException or InvalidOperationException)
            {
                if (e is RpcException { StatusCode: StatusCode.FailedPrecondition or StatusCode.PermissionDenied } refused)
                {
                    // The peer refuses us (another cluster, wrong member, or we were removed): say why, loudly.
                    LogRefused(peerId, refused.Status.Detail);
                }
                else
                {
                    LogStreamBroken(peerId, e.Message);
                }
                handler.ReportUnreachable(peerId);
                try
                {
                    await Task.Delay(backoff, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = backoff * 2 > MaxBackoff ? MaxBackoff : backoff * 2;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Streams the MsgSnap and a consistent copy of the backend; reports the outcome to raft.</summary>
    private async Task SendSnapshotAsync(Message message, CancellationToken ct)
    {
        if (Interlocked.Exchange(ref snapshotsInFlight, 1) == 1)
        {
            handler.ReportSnapshot(peerId, SnapshotStatus.Failure);
            return;
        }
        var file = Path.GetTempFileName();
        try
        {
            await using (var copy = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                await handler.WriteBackendSnapshotAsync(copy, ct).ConfigureAwait(false);
            }
            using var call = client.Snapshot(
                PeerHeaders.Create(handler.ClusterId, handler.MemberId, peerId), cancellationToken: ct);
            await call.RequestStream.WriteAsync(new SnapshotChunk { Message = message }, ct).ConfigureAwait(false);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read))
            {
                var buffer = new byte[SnapshotChunkBytes];
                int n;
                while ((n = await source.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                {
                    sha.AppendData(buffer, 0, n);
                    await call.RequestStream.WriteAsync(
                        new SnapshotChunk { Data = ByteString.CopyFrom(buffer, 0, n) }, ct).ConfigureAwait(false);
                }
            }
            await call.RequestStream.WriteAsync(
                new SnapshotChunk { Sha256 = ByteString.CopyFrom(sha.GetHashAndReset()) }, ct).ConfigureAwait(false);
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            await call.ResponseAsync.ConfigureAwait(false);
            LogSnapshotSent(peerId, message.Snapshot.Metadata.Index, new FileInfo(file).Length);
            handler.ReportSnapshot(peerId, SnapshotStatus.Finish);
        }
        catch (Exception e) when (e is RpcException or IOException or HttpRequestException or OperationCanceledException)
        {
            LogSnapshotFailed(peerId, e.Message);
            handler.ReportSnapshot(peerId, SnapshotStatus.Failure);
        }
        finally
        {
            File.Delete(file);
            Volatile.Write(ref snapshotsInFlight, 0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        channel.Dispose();
        stop.Dispose();
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Debug, Message = "stream to peer {PeerId:x} broke: {Reason}")]
    private partial void LogStreamBroken(ulong peerId, string reason);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "peer {PeerId:x} refused our raft messages: {Reason}")]
    private partial void LogRefused(ulong peerId, string reason);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "sent snapshot at index {Index} ({Bytes} bytes of backend) to peer {PeerId:x}")]
    private partial void LogSnapshotSent(ulong peerId, ulong index, long bytes);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "sending a snapshot to peer {PeerId:x} failed: {Reason}")]
    private partial void LogSnapshotFailed(ulong peerId, string reason);
}

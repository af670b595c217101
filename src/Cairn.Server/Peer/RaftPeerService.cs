using System.Security.Cryptography;
using Cairn.Server.Peer.Peerpb;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Peer;

/// <summary>
/// The receiving side of the peer protocol. Traffic from another cluster, for another member, or from a removed
/// member is refused with a clear error, as etcd refuses it.
/// </summary>
internal sealed partial class RaftPeerService(IPeerHandler handler, EtcdServer server, ILogger<RaftPeerService> logger) : RaftPeer.RaftPeerBase
{
    public override async Task<StreamEnd> Stream(IAsyncStreamReader<MessageBatch> requestStream, ServerCallContext context)
    {
        Check(context);
        await foreach (var batch in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            foreach (var m in batch.Messages)
            {
                handler.Deliver(m);
            }
        }
        return new StreamEnd();
    }

    /// <summary>Receives the backend data into a file, checks its SHA-256, then hands the MsgSnap to raft.</summary>
    public override async Task<SnapshotAck> Snapshot(IAsyncStreamReader<SnapshotChunk> requestStream, ServerCallContext context)
    {
        Check(context);
        var path = handler.NewSnapshotPath();
        Cairn.Raft.Raftpb.Message? message = null;
        byte[]? expected = null;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            await foreach (var chunk in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                message ??= chunk.Message;
                if (!chunk.Data.IsEmpty)
                {
                    sha.AppendData(chunk.Data.Span);
                    await file.WriteAsync(chunk.Data.Memory, context.CancellationToken).ConfigureAwait(false);
                }
                if (!chunk.Sha256.IsEmpty)
                {
                    expected = chunk.Sha256.ToByteArray();
                }
            }
            await file.FlushAsync(context.CancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }
        if (message is null || expected is null || !expected.AsSpan().SequenceEqual(sha.GetHashAndReset()))
        {
            File.Delete(path);
            throw new RpcException(new Status(StatusCode.DataLoss, "snapshot data is incomplete or its SHA-256 does not match"));
        }
        handler.DeliverSnapshot(message, path);
        return new SnapshotAck();
    }

    public override Task<MembersResponse> Members(MembersRequest request, ServerCallContext context)
    {
        var response = new MembersResponse { ClusterId = server.ClusterId };
        response.Members.AddRange(server.Members);
        return Task.FromResult(response);
    }

    /// <summary>A follower forwards MemberPromote here; etcd errors reach it through the error interceptor.</summary>
    public override async Task<PromoteResponse> Promote(PromoteRequest request, ServerCallContext context)
    {
        Check(context);
        await server.PromoteOnLeaderAsync(request.MemberId, context.CancellationToken).ConfigureAwait(false);
        return new PromoteResponse();
    }

    private void Check(ServerCallContext context)
    {
        var headers = context.RequestHeaders;
        var cluster = PeerHeaders.Read(headers, PeerHeaders.ClusterId);
        if (cluster != handler.ClusterId)
        {
            LogRefused(PeerHeaders.Read(headers, PeerHeaders.From), $"cluster ID mismatch: local {handler.ClusterId:x}, remote {cluster:x}");
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"cluster ID mismatch: this member ({handler.MemberId:x}) belongs to cluster {handler.ClusterId:x}, " +
                $"the sender to cluster {cluster:x}; check --initial-cluster and --initial-cluster-token, or clear " +
                "the sender's data dir if it belongs to an old cluster"));
        }
        var to = PeerHeaders.Read(headers, PeerHeaders.To);
        if (to != handler.MemberId)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"member ID mismatch: the sender addressed member {to:x}, but this is member {handler.MemberId:x}"));
        }
        var from = PeerHeaders.Read(headers, PeerHeaders.From);
        if (handler.IsRemoved(from))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"member {from:x} was removed from the cluster and may not send raft messages"));
        }
    }

    [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "refused raft traffic from member {From:x}: {Reason}")]
    private partial void LogRefused(ulong from, string reason);
}

using Cairn.Api.Etcdserverpb;
using Grpc.Core;

namespace Cairn.Server.Services;

/// <summary>etcdserverpb.Maintenance. Methods not overridden here answer Unimplemented until their issue lands.</summary>
internal sealed class MaintenanceService(EtcdServer server) : Maintenance.MaintenanceBase
{
    public override Task<StatusResponse> Status(StatusRequest request, ServerCallContext context) =>
        Task.FromResult(new StatusResponse
        {
            Header = server.Fill(null),
            Version = ServerVersion.Etcd,
            DbSize = server.DbSize,
            DbSizeInUse = server.DbSizeInUse,
            Leader = server.LeaderId,
            RaftIndex = server.CommittedIndex,
            RaftTerm = server.Term,
            RaftAppliedIndex = server.AppliedIndex,
            IsLearner = server.IsLearner,
        });

    /// <summary>Moves leadership to the target member; only the leader accepts it (etcdctl finds the leader).</summary>
    public override async Task<MoveLeaderResponse> MoveLeader(MoveLeaderRequest request, ServerCallContext context)
    {
        await server.MoveLeaderAsync(request.TargetID, context.CancellationToken).ConfigureAwait(false);
        return new MoveLeaderResponse { Header = server.Fill(null) };
    }

    /// <summary>etcd's HashKV over the MVCC keyspace at a revision (0: current); equal on every member.</summary>
    public override Task<HashKVResponse> HashKV(HashKVRequest request, ServerCallContext context)
    {
        var (hash, revision, compactRevision) = server.HashKV(request.Revision);
        return Task.FromResult(new HashKVResponse
        {
            Header = server.Fill(new ResponseHeader { Revision = revision }),
            Hash = hash,
            CompactRevision = compactRevision,
        });
    }
}

using Cairn.Api.Errors;
using Cairn.Api.Etcdserverpb;
using Grpc.Core;
using LeaseBase = Cairn.Api.Etcdserverpb.Lease.LeaseBase;

namespace Cairn.Server.Services;

/// <summary>etcdserverpb.Lease: thin handlers over the member's lease methods (errors map in ErrorInterceptor).</summary>
internal sealed class LeaseService(EtcdServer server) : LeaseBase
{
    public override async Task<LeaseGrantResponse> LeaseGrant(LeaseGrantRequest request, ServerCallContext context)
    {
        var resp = await server.LeaseGrantAsync(request, context.CancellationToken).ConfigureAwait(false);
        resp.Header = server.Fill(resp.Header);
        return resp;
    }

    public override async Task<LeaseRevokeResponse> LeaseRevoke(LeaseRevokeRequest request, ServerCallContext context)
    {
        var resp = await server.LeaseRevokeAsync(request, context.CancellationToken).ConfigureAwait(false);
        resp.Header = server.Fill(resp.Header);
        return resp;
    }

    /// <summary>One answer per request, in order: the TTL renewed, or 0 for an unknown lease. The stream ends when
    /// the client closes it, or with "no leader" when it asked for a leader (hasleader) and the member lost it.</summary>
    public override async Task LeaseKeepAlive(
        IAsyncStreamReader<LeaseKeepAliveRequest> requestStream, IServerStreamWriter<LeaseKeepAliveResponse> responseStream,
        ServerCallContext context)
    {
        using var leader = LeaderRequirement.Start(server, context);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, leader.Lost);
        try
        {
            while (await requestStream.MoveNext(stop.Token).ConfigureAwait(false))
            {
                var id = requestStream.Current.ID;
                var resp = new LeaseKeepAliveResponse { ID = id, Header = server.Fill(null) };
                resp.TTL = await server.LeaseRenewAsync(id, stop.Token).ConfigureAwait(false);
                await responseStream.WriteAsync(resp, stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (leader.IsLost)
        {
            throw EtcdErrors.NoLeader.ToException();
        }
    }

    public override async Task<LeaseTimeToLiveResponse> LeaseTimeToLive(LeaseTimeToLiveRequest request, ServerCallContext context)
    {
        var resp = await server.LeaseTimeToLiveAsync(request, context.CancellationToken).ConfigureAwait(false);
        resp.Header = server.Fill(resp.Header);
        return resp;
    }

    public override Task<LeaseLeasesResponse> LeaseLeases(LeaseLeasesRequest request, ServerCallContext context)
    {
        var resp = server.LeaseLeases();
        resp.Header = server.Fill(resp.Header);
        return Task.FromResult(resp);
    }
}

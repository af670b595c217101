using Cairn.Api.Etcdserverpb;
using Cairn.Server.Peer.Peerpb;
using Grpc.Core;

namespace Cairn.Server.Services;

/// <summary>etcdserverpb.Cluster: membership as this member has applied it, and changes through consensus.</summary>
internal sealed class ClusterService(EtcdServer server) : Cluster.ClusterBase
{
    public override Task<MemberListResponse> MemberList(MemberListRequest request, ServerCallContext context)
    {
        var resp = new MemberListResponse { Header = server.Fill(null) };
        resp.Members.AddRange(server.Members.Select(ToMember));
        return Task.FromResult(resp);
    }

    public override async Task<MemberAddResponse> MemberAdd(MemberAddRequest request, ServerCallContext context)
    {
        var added = await server.AddMemberAsync(request.PeerURLs, request.IsLearner, context.CancellationToken).ConfigureAwait(false);
        var resp = new MemberAddResponse { Header = server.Fill(null), Member = ToMember(added) };
        resp.Members.AddRange(server.Members.Select(ToMember));
        return resp;
    }

    public override async Task<MemberRemoveResponse> MemberRemove(MemberRemoveRequest request, ServerCallContext context)
    {
        await server.RemoveMemberAsync(request.ID, context.CancellationToken).ConfigureAwait(false);
        var resp = new MemberRemoveResponse { Header = server.Fill(null) };
        resp.Members.AddRange(server.Members.Select(ToMember));
        return resp;
    }

    public override async Task<MemberUpdateResponse> MemberUpdate(MemberUpdateRequest request, ServerCallContext context)
    {
        await server.UpdateMemberAsync(request.ID, request.PeerURLs, context.CancellationToken).ConfigureAwait(false);
        var resp = new MemberUpdateResponse { Header = server.Fill(null) };
        resp.Members.AddRange(server.Members.Select(ToMember));
        return resp;
    }

    public override async Task<MemberPromoteResponse> MemberPromote(MemberPromoteRequest request, ServerCallContext context)
    {
        await server.PromoteMemberAsync(request.ID, context.CancellationToken).ConfigureAwait(false);
        var resp = new MemberPromoteResponse { Header = server.Fill(null) };
        resp.Members.AddRange(server.Members.Select(ToMember));
        return resp;
    }

    private static Api.Etcdserverpb.Member ToMember(MemberInfo m)
    {
        var member = new Api.Etcdserverpb.Member { ID = m.Id, Name = m.Name, IsLearner = m.IsLearner };
        member.PeerURLs.AddRange(m.PeerUrls);
        member.ClientURLs.AddRange(m.ClientUrls);
        return member;
    }
}

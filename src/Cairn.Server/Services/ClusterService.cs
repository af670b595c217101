using Cairn.Api.Etcdserverpb;
using Grpc.Core;

namespace Cairn.Server.Services;

/// <summary>etcdserverpb.Cluster: membership as this member knows it.</summary>
internal sealed class ClusterService(EtcdServer server) : Cluster.ClusterBase
{
    public override Task<MemberListResponse> MemberList(MemberListRequest request, ServerCallContext context)
    {
        var resp = new MemberListResponse { Header = server.Fill(null) };
        foreach (var m in server.Members)
        {
            var member = new Api.Etcdserverpb.Member { ID = m.Id, Name = m.Name, IsLearner = m.IsLearner };
            member.PeerURLs.AddRange(m.PeerUrls);
            member.ClientURLs.AddRange(m.ClientUrls);
            resp.Members.Add(member);
        }
        return Task.FromResult(resp);
    }
}

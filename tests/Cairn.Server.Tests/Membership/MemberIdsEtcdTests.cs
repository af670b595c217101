using System.Text.Json;
using Cairn.Server.Membership;
using Cairn.Testing;

namespace Cairn.Server.Tests.Membership;

/// <summary>Member and cluster IDs compared with what real etcd 3.4 computes for the same configuration.</summary>
[Collection("Processes")]
public sealed class MemberIdsEtcdTests
{
    [Theory(Timeout = 120_000)]
    [InlineData(1, "cairn-ids-one")]
    [InlineData(3, "cairn-ids-three")]
    public async Task MemberAndClusterIds_MatchRealEtcd(int size, string token)
    {
        await using var cluster = await ProcessCluster.StartAsync(ServerBinary.Etcd, size, new ClusterOptions { Token = token });
        var listed = await cluster.Etcdctl().SucceedAsync("member", "list", "-w", "json");
        using var json = JsonDocument.Parse(listed.Stdout);

        var byName = json.RootElement.GetProperty("members").EnumerateArray()
            .ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("ID").GetUInt64());
        Assert.Equal(size, byName.Count);
        var ours = new List<ulong>();
        foreach (var member in cluster.Members)
        {
            var id = MemberIds.ComputeMemberId([member.PeerUrl.GetLeftPart(UriPartial.Authority)], token);
            Assert.True(byName[member.Name] == id, $"{member.Name}: etcd {byName[member.Name]:x}, cairn {id:x}");
            ours.Add(id);
        }
        var clusterId = json.RootElement.GetProperty("header").GetProperty("cluster_id").GetUInt64();
        Assert.Equal(clusterId, MemberIds.ComputeClusterId(ours));
    }
}

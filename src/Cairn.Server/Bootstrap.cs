using Cairn.Raft;
using Cairn.Raft.Raftpb;
using Cairn.Server.Configuration;
using Cairn.Server.Membership;
using Cairn.Server.Peer;
using Cairn.Server.Peer.Peerpb;
using Cairn.Server.Raft;
using Cairn.Storage.Backend;
using Cairn.Storage.Wal;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Server;

/// <summary>
/// Starting a member with no WAL yet, as etcd does: "new" bootstraps a cluster from --initial-cluster (IDs derived
/// as etcd derives them); "existing" asks the running members for the membership and joins as the member that
/// `member add` announced.
/// </summary>
internal static class Bootstrap
{
    public static async Task<(Wal, EtcdServer.Recovered)> NewMemberAsync(
        ServerConfig config, DataDir dir, IBackend backend, Hosting.TlsSetup? peerTls, CancellationToken ct)
    {
        var initial = config.InitialCluster
            .Select(m => (Name: m.Key, Urls: m.Value.Select(u => u.OriginalString).ToList()))
            .ToList();
        CheckLocalMember(config, initial);
        CheckDuplicateUrls(initial);
        return config.InitialClusterState == "existing"
            ? await JoinExistingAsync(config, dir, backend, initial, peerTls, ct).ConfigureAwait(false)
            : BootstrapNew(config, dir, initial);
    }

    private static (Wal, EtcdServer.Recovered) BootstrapNew(ServerConfig config, DataDir dir, List<(string Name, List<string> Urls)> initial)
    {
        CheckAdvertiseMatchesCluster(config, initial);
        var members = initial
            .Select(m => new MemberInfo
            {
                Id = MemberIds.ComputeMemberId(m.Urls, config.InitialClusterToken),
                Name = m.Name,
                PeerUrls = { m.Urls },
            })
            .ToList();
        var self = members.Single(m => m.Name == config.Name);
        var clusterId = MemberIds.ComputeClusterId(members.Select(m => m.Id));
        var wal = Wal.Create(dir.WalDir, new WalMetadata(self.Id, clusterId).ToBytes());
        var peers = members.Select(m => new Cairn.Raft.Peer(m.Id, m.ToByteString())).ToList();
        return (wal, new EtcdServer.Recovered(self.Id, clusterId, new MemoryStorage(), 0, new ConfState(), peers, members.Count == 1));
    }

    /// <summary>Asks each other member in --initial-cluster for the membership until one answers.</summary>
    private static async Task<(Wal, EtcdServer.Recovered)> JoinExistingAsync(
        ServerConfig config, DataDir dir, IBackend backend, List<(string Name, List<string> Urls)> initial, Hosting.TlsSetup? peerTls, CancellationToken ct)
    {
        var ownUrls = config.InitialAdvertisePeerUrls.Select(u => u.OriginalString).Order(StringComparer.Ordinal).ToList();
        var errors = new List<string>();
        foreach (var (name, urls) in initial.Where(m => m.Name != config.Name))
        {
            foreach (var url in urls)
            {
                MembersResponse remote;
                try
                {
                    using var channel = PeerTransport.Connect(new Uri(url), peerTls);
                    var client = new RaftPeer.RaftPeerClient(channel);
                    remote = await client.MembersAsync(new MembersRequest(), deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: ct)
                        .ConfigureAwait(false);
                }
                catch (Exception e) when (e is RpcException or HttpRequestException or IOException)
                {
                    errors.Add($"{url}: {e.Message}");
                    continue;
                }
                var self = remote.Members.FirstOrDefault(m =>
                    m.PeerUrls.Order(StringComparer.Ordinal).SequenceEqual(ownUrls));
                if (self is null)
                {
                    throw new StartupException(
                        $"the cluster (asked at {url}) has no member with peer URLs {string.Join(",", ownUrls)}; add this " +
                        "member first with `etcdctl member add " + config.Name + " --peer-urls=" + string.Join(",", ownUrls) + "`");
                }
                var cluster = new RaftCluster(backend, remote.ClusterId);
                foreach (var m in remote.Members)
                {
                    cluster.Add(m);
                }
                backend.ForceCommit();
                var wal = Wal.Create(dir.WalDir, new WalMetadata(self.Id, remote.ClusterId).ToBytes());
                return (wal, new EtcdServer.Recovered(self.Id, remote.ClusterId, new MemoryStorage(), 0, new ConfState(), null, false));
            }
        }
        throw new StartupException(
            "--initial-cluster-state existing: could not get the cluster's membership from any other member of " +
            $"--initial-cluster ({string.Join("; ", errors)}); check that they run and that their peer URLs are reachable");
    }

    private static void CheckLocalMember(ServerConfig config, List<(string Name, List<string> Urls)> initial)
    {
        if (!initial.Any(m => m.Name == config.Name))
        {
            throw new StartupException($"couldn't find local name \"{config.Name}\" in the initial cluster configuration");
        }
    }

    private static void CheckDuplicateUrls(List<(string Name, List<string> Urls)> initial)
    {
        var all = initial.SelectMany(m => m.Urls).ToList();
        if (all.Count != all.Distinct(StringComparer.Ordinal).Count())
        {
            throw new StartupException($"initial cluster {UrlsMap(initial)} has duplicate url");
        }
    }

    /// <summary>etcd's advertiseMatchesCluster: this member's entry in --initial-cluster must list exactly its
    /// --initial-advertise-peer-urls.</summary>
    private static void CheckAdvertiseMatchesCluster(ServerConfig config, List<(string Name, List<string> Urls)> initial)
    {
        var inCluster = initial.First(m => m.Name == config.Name).Urls.ToHashSet(StringComparer.Ordinal);
        var advertised = config.InitialAdvertisePeerUrls.Select(u => u.OriginalString).Order(StringComparer.Ordinal).ToList();
        var missing = inCluster.Where(u => !advertised.Contains(u)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new StartupException(
                $"--initial-cluster has {string.Join(",", missing.Select(u => config.Name + "=" + u))} but missing from " +
                $"--initial-advertise-peer-urls={string.Join(",", advertised)} ({UrlsDiffer(advertised, [.. inCluster.Order(StringComparer.Ordinal)])})");
        }
        var extra = advertised.Where(u => !inCluster.Contains(u)).ToList();
        if (extra.Count > 0)
        {
            throw new StartupException(
                $"--initial-advertise-peer-urls has {string.Join(",", extra)} but missing from " +
                $"--initial-cluster={string.Join(",", advertised.Select(u => config.Name + "=" + u))}");
        }
    }

    /// <summary>Why two sorted URL lists differ, worded as etcd's netutil words it.</summary>
    private static string UrlsDiffer(List<string> a, List<string> b)
    {
        if (a.Count != b.Count)
        {
            return $"len([{string.Join(" ", a.Select(u => $"\"{u}\""))}]) != len([{string.Join(" ", b.Select(u => $"\"{u}\""))}])";
        }
        var i = Enumerable.Range(0, a.Count).First(i => a[i] != b[i]);
        return $"resolved urls: \"{a[i]}\" != \"{b[i]}\"";
    }

    private static string UrlsMap(List<(string Name, List<string> Urls)> initial) =>
        string.Join(",", initial.SelectMany(m => m.Urls.Select(u => m.Name + "=" + u)).Order(StringComparer.Ordinal));
}

using Cairn.Api.Cairnpb;
using Cairn.Api.Errors;
using Cairn.Raft.Raftpb;
using Cairn.Server.Membership;
using Cairn.Server.Peer.Peerpb;
using Cairn.Server.Raft;
using Google.Protobuf;

namespace Cairn.Server;

/// <summary>Membership changes (etcd's cluster API) as raft conf changes, leader transfer, and publishing this
/// member's attributes once a leader is known.</summary>
public sealed partial class EtcdServer
{
    private int publishing;

    internal async Task<MemberInfo> AddMemberAsync(IReadOnlyList<string> peerUrls, bool isLearner, CancellationToken ct)
    {
        var members = cluster.Members;
        if (peerUrls.Count == 0 || peerUrls.Any(u => !Uri.TryCreate(u, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https")))
        {
            throw EtcdErrors.MemberBadUrls.ToException();
        }
        if (members.Any(m => m.PeerUrls.Intersect(peerUrls, StringComparer.Ordinal).Any()))
        {
            throw EtcdErrors.PeerUrlExist.ToException();
        }
        if (isLearner && members.Count(m => m.IsLearner) >= 1)
        {
            throw EtcdErrors.TooManyLearners.ToException();
        }
        var member = new MemberInfo
        {
            Id = MemberIds.ComputeMemberId(peerUrls, config.InitialClusterToken, DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
            PeerUrls = { peerUrls },
            IsLearner = isLearner,
        };
        if (members.Any(m => m.Id == member.Id))
        {
            throw EtcdErrors.MemberExist.ToException();
        }
        var type = isLearner ? ConfChangeType.ConfChangeAddLearnerNode : ConfChangeType.ConfChangeAddNode;
        await ConfigureAsync(new ConfChange { Type = type, NodeId = member.Id, Context = member.ToByteString() }, ct).ConfigureAwait(false);
        return member;
    }

    internal async Task RemoveMemberAsync(ulong id, CancellationToken ct)
    {
        if (cluster.Get(id) is null)
        {
            throw EtcdErrors.MemberNotFound.ToException();
        }
        await ConfigureAsync(new ConfChange { Type = ConfChangeType.ConfChangeRemoveNode, NodeId = id }, ct).ConfigureAwait(false);
    }

    internal async Task UpdateMemberAsync(ulong id, IReadOnlyList<string> peerUrls, CancellationToken ct)
    {
        var member = cluster.Get(id) ?? throw EtcdErrors.MemberNotFound.ToException();
        if (cluster.Members.Any(m => m.Id != id && m.PeerUrls.Intersect(peerUrls, StringComparer.Ordinal).Any()))
        {
            throw EtcdErrors.PeerUrlExist.ToException();
        }
        member.PeerUrls.Clear();
        member.PeerUrls.AddRange(peerUrls);
        await ConfigureAsync(new ConfChange
        {
            Type = ConfChangeType.ConfChangeUpdateNode,
            NodeId = id,
            Context = member.ToByteString(),
        }, ct).ConfigureAwait(false);
    }

    /// <summary>Hands leadership to <paramref name="target"/>; only the leader can, and it waits for the handover.</summary>
    internal async Task MoveLeaderAsync(ulong target, CancellationToken ct)
    {
        if (!raft.IsLeader)
        {
            throw EtcdErrors.NotLeader.ToException();
        }
        if (cluster.Get(target) is not { IsLearner: false })
        {
            throw EtcdErrors.BadLeaderTransferee.ToException();
        }
        raft.TransferLeader(target);
        var deadline = DateTime.UtcNow + requestTimeout;
        while (raft.LeaderId != target)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw EtcdErrors.TimeoutLeaderTransfer.ToException();
            }
            await Task.Delay(TimeSpan.FromMilliseconds(config.HeartbeatIntervalMs), ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// On a graceful stop, a leader with other voters transfers leadership to the most up-to-date one and waits
    /// (at most an election timeout) for the handover, as etcd's TransferLeadership on stop.
    /// </summary>
    public async Task TransferLeadershipOnStopAsync()
    {
        if (!raft.IsLeader)
        {
            return;
        }
        var status = await raft.StatusAsync().ConfigureAwait(false);
        var target = status.Progress
            .Where(p => p.Key != MemberId && !p.Value.IsLearner)
            .OrderByDescending(p => p.Value.Match)
            .Select(p => p.Key)
            .FirstOrDefault();
        if (target == 0)
        {
            return;
        }
        raft.TransferLeader(target);
        var deadline = DateTime.UtcNow + TimeSpan.FromMilliseconds(config.ElectionTimeoutMs);
        while (raft.IsLeader && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(config.HeartbeatIntervalMs)).ConfigureAwait(false);
        }
    }

    private async Task ConfigureAsync(ConfChange change, CancellationToken ct)
    {
        if (raft.LeaderId == 0)
        {
            throw EtcdErrors.NoLeader.ToException();
        }
        change.Id = ids.Next();
        var wait = waits.Register(change.Id);
        raft.ProposeConfChange(change);
        ApplyResult result;
        try
        {
            result = await wait.WaitAsync(requestTimeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            waits.Cancel(change.Id);
            throw EtcdErrors.Timeout.ToException();
        }
        if (result.Error is { } error)
        {
            throw error;
        }
    }

    /// <summary>Runs on the raft loop: once a leader is known, publish this member's name and client URLs
    /// through consensus (etcd's publish), in the background.</summary>
    private void OnLeaderChanged(ulong leader, bool isLeader)
    {
        OnLessorLeadership(isLeader);
        if (leader == 0 || Interlocked.Exchange(ref publishing, 1) == 1)
        {
            return;
        }
        _ = Task.Run(PublishAsync);
    }

    /// <summary>The client URLs this member publishes, as configured.</summary>
    private IEnumerable<string> AdvertisedClientUrls => config.AdvertiseClientUrls.Select(u => u.OriginalString);

    /// <summary>Whether the applied cluster holds this member with its configured name and advertised client URLs.</summary>
    private bool IsPublished() =>
        cluster.Get(MemberId) is { } self && self.Name == config.Name && self.ClientUrls.SequenceEqual(AdvertisedClientUrls);

    private async Task PublishAsync()
    {
        try
        {
            while (stopped.Task.IsCompleted is false)
            {
                if (IsPublished())
                {
                    ready.TrySetResult();
                    return;
                }
                try
                {
                    var attrs = new ClusterMemberAttrSetRequest
                    {
                        MemberId = MemberId,
                        MemberAttributes = new MemberAttributes { Name = config.Name, ClientUrls = { AdvertisedClientUrls } },
                    };
                    await ProposeAsync(new InternalRaftRequest { ClusterMemberAttrSet = attrs }, CancellationToken.None).ConfigureAwait(false);
                }
                catch (EtcdException)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(config.ElectionTimeoutMs)).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Volatile.Write(ref publishing, 0);
        }
    }
}

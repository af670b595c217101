using Cairn.Api.Errors;
using Cairn.Raft.Raftpb;
using Cairn.Server.Peer;
using Cairn.Server.Peer.Peerpb;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Server;

/// <summary>
/// etcd's PromoteMember: only the leader sees whether a learner's log is in sync, so a follower forwards the request
/// to the leader over the peer protocol, retrying while leadership moves, until the request timeout.
/// </summary>
public sealed partial class EtcdServer
{
    /// <summary>The leader's answers a follower rethrows as etcd errors (NotLeader is then retried).</summary>
    private static readonly EtcdError[] PromoteErrors =
        [EtcdErrors.LearnerNotReady, EtcdErrors.MemberNotFound, EtcdErrors.MemberNotLearner, EtcdErrors.NotLeader];

    internal async Task PromoteMemberAsync(ulong id, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(requestTimeout);
        try
        {
            while (true)
            {
                try
                {
                    if (raft.IsLeader)
                    {
                        await PromoteOnLeaderAsync(id, timeout.Token).ConfigureAwait(false);
                        return;
                    }
                    if (cluster.Get(raft.LeaderId) is { } leader && await ForwardPromoteAsync(leader, id, timeout.Token).ConfigureAwait(false))
                    {
                        return;
                    }
                }
                catch (EtcdException e) when (e.Error == EtcdErrors.NotLeader)
                {
                    // Leadership moved between the check and the call: ask the new leader.
                }
                await Task.Delay(TimeSpan.FromMilliseconds(config.HeartbeatIntervalMs), timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw EtcdErrors.Timeout.ToException();
        }
    }

    /// <summary>
    /// On the leader: only a learner whose log has reached 90% of the leader's may become a voter. Elsewhere
    /// "etcdserver: not leader".
    /// </summary>
    internal async Task PromoteOnLeaderAsync(ulong id, CancellationToken ct)
    {
        var member = cluster.Get(id) ?? throw EtcdErrors.MemberNotFound.ToException();
        if (!member.IsLearner)
        {
            throw EtcdErrors.MemberNotLearner.ToException();
        }
        var status = await raft.StatusAsync().ConfigureAwait(false);
        if (!raft.IsLeader)
        {
            throw EtcdErrors.NotLeader.ToException();
        }
        if (!status.Progress.TryGetValue(id, out var progress) || progress.Match * 10 < status.Progress[MemberId].Match * 9)
        {
            throw EtcdErrors.LearnerNotReady.ToException();
        }
        await ConfigureAsync(new ConfChange { Type = ConfChangeType.ConfChangeAddNode, NodeId = id, Context = member.ToByteString() }, ct)
            .ConfigureAwait(false);
    }

    /// <summary>True once the leader promoted the learner; false when none of its peer URLs answered.</summary>
    private async Task<bool> ForwardPromoteAsync(MemberInfo leader, ulong id, CancellationToken ct)
    {
        foreach (var url in leader.PeerUrls)
        {
            try
            {
                using var channel = PeerTransport.Connect(new Uri(url), peerTls);
                await new RaftPeer.RaftPeerClient(channel).PromoteAsync(
                    new PromoteRequest { MemberId = id }, PeerHeaders.Create(ClusterId, MemberId, leader.Id), cancellationToken: ct)
                    .ConfigureAwait(false);
                return true;
            }
            catch (RpcException e) when (Array.Find(PromoteErrors, f => f.Code == e.StatusCode && f.Message == e.Status.Detail) is { } known)
            {
                throw known.ToException();
            }
            catch (Exception e) when (e is RpcException or HttpRequestException or IOException)
            {
                // Unreachable at this URL: try the next, then wait for the next round.
            }
        }
        return false;
    }
}

using Cairn.Api.Cairnpb;
using Cairn.Api.Errors;
using Cairn.Api.Etcdserverpb;
using Cairn.Server.Configuration;
using Cairn.Server.Lease;
using Cairn.Server.Raft;
using Cairn.Storage.Backend;
using Cairn.Storage.Mvcc;
using Grpc.Core;

namespace Cairn.Server;

/// <summary>
/// Leases: grants and revokes go through consensus and are applied by the <see cref="Lessor"/> on every member;
/// keep-alives and TimeToLive are answered by the primary lessor (the leader's) without consensus; the leader's
/// expiry loop proposes a LeaseRevoke for each expired lease.
/// </summary>
public sealed partial class EtcdServer
{
    private readonly Lessor lessor;
    private LeaseExpiryLoop? leaseExpiry;
    private LeaseForwarder? leaseForwarder;
    // Set from raft's soft state (on the raft loop); the lessor is promoted when this leader's first entry is
    // applied (on the applier): the gate keeps a late promotion from overtaking a demotion.
    private readonly Lock leadershipGate = new();
    private bool leading;

    internal Lessor Lessor => lessor;

    /// <summary>The lessor over this member's backend and MVCC, recovered from the "lease" bucket with its keys
    /// re-attached; it also becomes MVCC's lease hook. Create it before any entry is applied.</summary>
    private static Lessor CreateLessor(ServerConfig config, IBackend backend, MvccStore store, TimeProvider time)
    {
        var lessor = new Lessor(backend, store, new LessorOptions
        {
            MinTtlSeconds = LessorOptions.MinTtlFor(config.HeartbeatIntervalMs, config.ElectionTimeoutMs),
            PersistCheckpoints = config.ExperimentalEnableLeaseCheckpointPersist,
        }, time);
        store.LeaseHook = lessor;
        return lessor;
    }

    /// <summary>Starts the expiry loop; it revokes only while the lessor is primary.</summary>
    private void StartLeaseExpiry(TimeProvider time)
    {
        leaseForwarder = new LeaseForwarder(config.ClientTransportSecurity);
        leaseExpiry = new LeaseExpiryLoop(lessor, RevokeExpiredAsync, time, logger);
    }

    /// <summary>
    /// Leadership moved (raft's soft state changed). Losing it demotes the lessor at once: leases stop expiring
    /// here. Gaining it only takes effect in <see cref="OnLeaderEntryApplied"/>.
    /// </summary>
    internal void OnLessorLeadership(bool isLeader)
    {
        lock (leadershipGate)
        {
            leading = isLeader;
            if (!isLeader)
            {
                lessor.Demote();
            }
        }
    }

    /// <summary>
    /// An empty entry was applied: a new leader's first entry of its term. Once it is applied, everything from
    /// earlier terms is too, so the leader promotes its lessor, which extends every lease by an election timeout
    /// (failover never expires a lease early), as etcd does.
    /// </summary>
    private void OnLeaderEntryApplied(ulong entryTerm)
    {
        lock (leadershipGate)
        {
            // An empty entry of an earlier term (applied late) is not this leadership's first entry.
            if (leading && entryTerm == raft.Term)
            {
                lessor.Promote(TimeSpan.FromMilliseconds(config.ElectionTimeoutMs));
            }
        }
    }

    /// <summary>A snapshot replaced the backend: leases are reloaded from it and watchers catch up from history.</summary>
    private void OnSnapshotInstalled()
    {
        lessor.Restore();
        watches.Restore();
    }

    /// <summary>ID 0 lets the member choose a positive int63 (from its request ID generator, as etcd does).</summary>
    public async Task<LeaseGrantResponse> LeaseGrantAsync(LeaseGrantRequest r, CancellationToken ct)
    {
        var request = r.Clone();
        while (request.ID == 0)
        {
            request.ID = (long)(ids.Next() & long.MaxValue);
        }
        var result = await ProposeAsync(new InternalRaftRequest { LeaseGrant = request }, ct).ConfigureAwait(false);
        return (LeaseGrantResponse)result.Response!;
    }

    public async Task<LeaseRevokeResponse> LeaseRevokeAsync(LeaseRevokeRequest r, CancellationToken ct)
    {
        var result = await ProposeAsync(new InternalRaftRequest { LeaseRevoke = r }, ct).ConfigureAwait(false);
        return (LeaseRevokeResponse)result.Response!;
    }

    /// <summary>
    /// Keep-alive: the granted TTL, or 0 for an unknown (or just revoked) lease, as etcd answers. Only the leader's
    /// lessor renews: a follower forwards to the leader, and a leader not yet promoted retries, until the request
    /// timeout ("request timed out").
    /// </summary>
    public async Task<long> LeaseRenewAsync(long id, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(requestTimeout);
        try
        {
            while (true)
            {
                try
                {
                    return await lessor.RenewAsync(id, limit.Token).ConfigureAwait(false);
                }
                catch (EtcdException e) when (e.Error == EtcdErrors.LeaseNotFound)
                {
                    return 0;
                }
                catch (EtcdException e) when (e.Error == EtcdErrors.LeaseNotPrimary)
                {
                    // Renewed by the leader's lessor.
                }
                foreach (var url in LeaderClientUrls())
                {
                    try
                    {
                        return await leaseForwarder!.RenewAsync(url, id, limit.Token).ConfigureAwait(false);
                    }
                    catch (RpcException) when (!limit.IsCancellationRequested)
                    {
                        // Try the leader's next URL, then again after a pause.
                    }
                }
                await Task.Delay(50, limit.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException && limit.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw EtcdErrors.Timeout.ToException();
        }
    }

    /// <summary>TTL −1 for an unknown lease, as etcd answers. A follower asks the leader, whose lessor knows the
    /// remaining time.</summary>
    public async Task<LeaseTimeToLiveResponse> LeaseTimeToLiveAsync(LeaseTimeToLiveRequest r, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(requestTimeout);
        try
        {
            while (true)
            {
                if (LeaderId == MemberId)
                {
                    return LeaseTimeToLive(r);
                }
                foreach (var url in LeaderClientUrls())
                {
                    try
                    {
                        var resp = await leaseForwarder!.TimeToLiveAsync(url, r, limit.Token).ConfigureAwait(false);
                        resp.Header = new ResponseHeader { Revision = resp.Header?.Revision ?? 0 };
                        return resp;
                    }
                    catch (RpcException) when (!limit.IsCancellationRequested)
                    {
                        // Try the leader's next URL, then again after a pause.
                    }
                }
                await Task.Delay(50, limit.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException && limit.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw EtcdErrors.Timeout.ToException();
        }
    }

    /// <summary>This member's lessor's answer (the leader's is authoritative).</summary>
    internal LeaseTimeToLiveResponse LeaseTimeToLive(LeaseTimeToLiveRequest r)
    {
        var resp = new LeaseTimeToLiveResponse { ID = r.ID, TTL = -1 };
        if (lessor.TimeToLive(r.ID, r.Keys) is { } lease)
        {
            resp.TTL = lease.RemainingSeconds;
            resp.GrantedTTL = lease.GrantedTtl;
            resp.Keys.AddRange(lease.Keys);
        }
        return resp;
    }

    /// <summary>The leader's advertised client URLs; none while there is no leader or this member leads.</summary>
    private IReadOnlyList<string> LeaderClientUrls()
    {
        var leader = LeaderId;
        if (leader == 0 || leader == MemberId)
        {
            return [];
        }
        return Members.FirstOrDefault(m => m.Id == leader)?.ClientUrls is { Count: > 0 } urls ? [.. urls] : [];
    }

    public LeaseLeasesResponse LeaseLeases()
    {
        var resp = new LeaseLeasesResponse();
        foreach (var id in lessor.Leases())
        {
            resp.Leases.Add(new LeaseStatus { ID = id });
        }
        return resp;
    }

    private async Task RevokeExpiredAsync(long id, CancellationToken ct) =>
        await LeaseRevokeAsync(new LeaseRevokeRequest { ID = id }, ct).ConfigureAwait(false);

    /// <summary>The apply side of lease_grant, lease_revoke and lease_checkpoint (errors come back as EtcdException).</summary>
    private ApplyResult ApplyLease(InternalRaftRequest request)
    {
        switch (request.RequestCase)
        {
            case InternalRaftRequest.RequestOneofCase.LeaseGrant:
                var (id, ttl) = lessor.Grant(request.LeaseGrant.ID, request.LeaseGrant.TTL);
                return new ApplyResult(new LeaseGrantResponse
                {
                    Header = new ResponseHeader { Revision = store.CurrentRevision },
                    ID = id,
                    TTL = ttl,
                }, null);
            case InternalRaftRequest.RequestOneofCase.LeaseRevoke:
                lessor.Revoke(request.LeaseRevoke.ID);
                return new ApplyResult(new LeaseRevokeResponse { Header = new ResponseHeader { Revision = store.CurrentRevision } }, null);
            case InternalRaftRequest.RequestOneofCase.LeaseCheckpoint:
                foreach (var checkpoint in request.LeaseCheckpoint.Checkpoints)
                {
                    lessor.Checkpoint(checkpoint.ID, checkpoint.RemainingTTL);
                }
                return new ApplyResult(new LeaseCheckpointResponse { Header = new ResponseHeader { Revision = store.CurrentRevision } }, null);
            default:
                throw new InvalidOperationException($"{request.RequestCase} is not a lease request");
        }
    }

    private async ValueTask StopLeaseExpiryAsync()
    {
        if (leaseExpiry is not null)
        {
            await leaseExpiry.DisposeAsync().ConfigureAwait(false);
        }
        leaseForwarder?.Dispose();
    }
}

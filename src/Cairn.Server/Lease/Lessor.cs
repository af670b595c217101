using Cairn.Api.Errors;
using Cairn.Api.Etcdserverpb;
using Cairn.Storage.Backend;
using Cairn.Storage.Mvcc;
using Google.Protobuf;

namespace Cairn.Server.Lease;

/// <summary>
/// The member's leases (etcd's lessor). Grant, Revoke and Checkpoint run on the apply thread, from committed
/// entries, so every member holds the same leases; they persist to the "lease" bucket in the apply's batch scope.
/// Renewals (keep-alive) do not go through consensus: only the primary lessor, on the leader, renews and tracks
/// expiry; it hands expired leases out through <see cref="FindExpired"/> for the member to propose a LeaseRevoke.
/// <para><see cref="Promote"/> makes this lessor primary and extends every lease (a new leader never expires a lease
/// early); <see cref="Demote"/> stops expiry here. Keys are attached and detached by MVCC through
/// <see cref="IKeyLeaseHook"/> inside write txns. One lock guards everything; no MVCC call is made under it.</para>
/// </summary>
internal sealed partial class Lessor : IKeyLeaseHook
{
    /// <summary>etcd's MaxLeaseTTL (about 285 years); larger grants fail with "too large lease TTL".</summary>
    public const long MaxTtl = 9_000_000_000;

    /// <summary>etcd's leaseRevokeRate: expired leases handed out per second, at most.</summary>
    public const int RevokeRate = 1000;

    /// <summary>An expired lease whose revoke has not been applied by then is handed out again.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(3);

    /// <summary>What TimeToLive reports for a lease that never expires here: etcd's MaxInt64 nanoseconds in seconds.</summary>
    private const long ForeverSeconds = long.MaxValue / 1_000_000_000;

    private readonly Lock gate = new();
    private readonly Dictionary<long, LeaseEntry> leases = [];
    // Lease IDs by the timestamp they are queued under; entries whose time differs from the lease's QueuedAt are stale.
    private readonly PriorityQueue<long, long> expiries = new();
    private readonly IBackend backend;
    private readonly MvccStore store;
    private readonly LessorOptions options;
    private readonly TimeProvider time;
    // Non-null while this lessor is primary; completed (and cleared) by Demote.
    private TaskCompletionSource? primary;

    /// <summary>Loads the leases persisted in the backend (not primary: they never expire until a promotion) and
    /// re-attaches the keys MVCC holds with a lease. Call before MVCC applies any write.</summary>
    public Lessor(IBackend backend, MvccStore store, LessorOptions options, TimeProvider time)
    {
        this.backend = backend;
        this.store = store;
        this.options = options;
        this.time = time;
        Recover();
    }

    /// <summary>Proposes a checkpoint through consensus; a renewal of a checkpointed lease uses it to clear the
    /// remainder on every member. Null: nothing is proposed.</summary>
    public Func<LeaseCheckpointRequest, CancellationToken, Task>? Checkpointer { get; set; }

    public bool IsPrimary
    {
        get
        {
            lock (gate)
            {
                return primary is not null;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (gate)
            {
                return leases.Count;
            }
        }
    }

    /// <summary>Whether the lease exists (a put with an unknown lease fails with "requested lease not found").</summary>
    public bool Exists(long id)
    {
        lock (gate)
        {
            return leases.ContainsKey(id);
        }
    }

    /// <summary>
    /// Applies a grant: a TTL over <see cref="MaxTtl"/> fails with LeaseTtlTooLarge, an existing ID with LeaseExist;
    /// a TTL below the minimum is raised to it. Returns the ID and the TTL granted.
    /// </summary>
    public (long Id, long Ttl) Grant(long id, long ttl)
    {
        if (id == 0)
        {
            throw EtcdErrors.LeaseNotFound.ToException();
        }
        if (ttl > MaxTtl)
        {
            throw EtcdErrors.LeaseTtlTooLarge.ToException();
        }
        LeaseEntry lease;
        lock (gate)
        {
            if (leases.ContainsKey(id))
            {
                throw EtcdErrors.LeaseExist.ToException();
            }
            lease = new LeaseEntry(id, Math.Max(ttl, options.MinTtlSeconds));
            if (primary is not null)
            {
                Refresh(lease, TimeSpan.Zero);
            }
            leases[id] = lease;
        }
        Persist(lease);
        return (id, lease.Ttl);
    }

    /// <summary>
    /// Applies a revoke: deletes every attached key in ONE write txn (one revision; none when there are no keys),
    /// in key order so every member deletes alike, and removes the lease and its record. Unknown: LeaseNotFound.
    /// </summary>
    public void Revoke(long id)
    {
        LeaseEntry lease;
        ByteString[] keys;
        lock (gate)
        {
            if (!leases.TryGetValue(id, out lease!))
            {
                throw EtcdErrors.LeaseNotFound.ToException();
            }
            keys = [.. lease.Keys];
        }
        Array.Sort(keys, static (a, b) => a.Span.SequenceCompareTo(b.Span));
        using (var txn = store.Write())
        {
            foreach (var key in keys)
            {
                txn.DeleteRange(key.Span, default);
            }
            lock (gate)
            {
                leases.Remove(id);
            }
            using (var batch = backend.BatchTx())
            {
                batch.Delete(Buckets.Lease, LeaseRecord.KeyOf(id));
            }
            txn.End();
        }
        lease.Revoked.TrySetResult();
    }

    /// <summary>Applies a checkpoint: records the remaining TTL a later promotion refreshes from. Unknown IDs are ignored.</summary>
    public void Checkpoint(long id, long remainingTtl)
    {
        LeaseEntry? lease;
        lock (gate)
        {
            if (!leases.TryGetValue(id, out lease))
            {
                return;
            }
            lease.RemainingTtl = remainingTtl;
        }
        if (options.PersistCheckpoints)
        {
            Persist(lease);
        }
    }

    /// <summary>
    /// Keep-alive: restarts the lease's TTL and returns it. Not primary: LeaseNotPrimary (the member forwards to
    /// the leader). Unknown: LeaseNotFound. An expired lease waiting for its revoke is not renewed: the call waits
    /// for the revoke (then LeaseNotFound) or a demotion (then LeaseNotPrimary).
    /// </summary>
    public async Task<long> RenewAsync(long id, CancellationToken ct)
    {
        Task? revoked = null;
        Task? demoted = null;
        lock (gate)
        {
            if (primary is null)
            {
                throw EtcdErrors.LeaseNotPrimary.ToException();
            }
            if (!leases.TryGetValue(id, out var lease))
            {
                throw EtcdErrors.LeaseNotFound.ToException();
            }
            if (lease.Expiry > Now)
            {
                if (lease.RemainingTtl == 0 || Checkpointer is null)
                {
                    lease.RemainingTtl = 0;
                    Refresh(lease, TimeSpan.Zero);
                    return lease.Ttl;
                }
            }
            else
            {
                revoked = lease.Revoked.Task;
                demoted = primary.Task;
            }
        }
        if (revoked is null || demoted is null)
        {
            return await RenewCheckpointedAsync(id, ct).ConfigureAwait(false);
        }
        var first = await Task.WhenAny(revoked, demoted).WaitAsync(ct).ConfigureAwait(false);
        throw (first == revoked ? EtcdErrors.LeaseNotFound : EtcdErrors.LeaseNotPrimary).ToException();
    }

    /// <summary>A lease with a checkpointed remainder: the remainder is cleared on every member through consensus
    /// first, so no member later refreshes from a stale one; then the full TTL restarts.</summary>
    private async Task<long> RenewCheckpointedAsync(long id, CancellationToken ct)
    {
        var clear = new LeaseCheckpointRequest();
        clear.Checkpoints.Add(new LeaseCheckpoint { ID = id, RemainingTTL = 0 });
        await Checkpointer!(clear, ct).ConfigureAwait(false);
        lock (gate)
        {
            if (primary is null)
            {
                throw EtcdErrors.LeaseNotPrimary.ToException();
            }
            if (!leases.TryGetValue(id, out var lease))
            {
                throw EtcdErrors.LeaseNotFound.ToException();
            }
            lease.RemainingTtl = 0;
            Refresh(lease, TimeSpan.Zero);
            return lease.Ttl;
        }
    }

    /// <summary>The lease's remaining seconds (truncated; 0 once expired and awaiting its revoke), granted TTL and,
    /// when asked, its keys in key order; null when unknown.</summary>
    public LeaseTimeToLive? TimeToLive(long id, bool withKeys)
    {
        lock (gate)
        {
            if (!leases.TryGetValue(id, out var lease))
            {
                return null;
            }
            var remaining = lease.Expiry == LeaseEntry.Forever
                ? ForeverSeconds
                : Math.Max(0, (lease.Expiry - Now) / time.TimestampFrequency);
            ByteString[] keys = [];
            if (withKeys)
            {
                keys = [.. lease.Keys];
                Array.Sort(keys, static (a, b) => a.Span.SequenceCompareTo(b.Span));
            }
            return new LeaseTimeToLive(id, remaining, lease.Ttl, keys);
        }
    }

    /// <summary>Every lease ID, soonest expiry first (etcd's order), ties by ID.</summary>
    public IReadOnlyList<long> Leases()
    {
        lock (gate)
        {
            return [.. leases.Values.OrderBy(l => l.Expiry).ThenBy(l => l.Id).Select(l => l.Id)];
        }
    }

    public void Attach(long leaseId, ReadOnlySpan<byte> key)
    {
        lock (gate)
        {
            if (leases.TryGetValue(leaseId, out var lease))
            {
                lease.Keys.Add(ByteString.CopyFrom(key));
            }
        }
    }

    public void Detach(long leaseId, ReadOnlySpan<byte> key)
    {
        lock (gate)
        {
            if (leases.TryGetValue(leaseId, out var lease))
            {
                lease.Keys.Remove(ByteString.CopyFrom(key));
            }
        }
    }

    private long Now => time.GetTimestamp();

    private void Persist(LeaseEntry lease)
    {
        var record = new LeaseRecord(lease.Id, lease.Ttl, lease.RemainingTtl);
        using var batch = backend.BatchTx();
        batch.Put(Buckets.Lease, record.Key(), record.ToBytes());
    }

    /// <summary>
    /// The backend was replaced (a snapshot from the leader): drops every lease and loads them again from it, with
    /// their keys, not primary. Renewals waiting on a dropped lease end with LeaseNotFound.
    /// </summary>
    public void Restore()
    {
        List<LeaseEntry> dropped;
        lock (gate)
        {
            dropped = [.. leases.Values];
            leases.Clear();
            expiries.Clear();
            foreach (var lease in dropped)
            {
                lease.Expiry = LeaseEntry.Forever;
                lease.QueuedAt = LeaseEntry.Forever;
            }
        }
        foreach (var lease in dropped)
        {
            lease.Revoked.TrySetResult();
        }
        Recover();
    }

    private void Recover()
    {
        var records = new List<LeaseRecord>();
        using (var read = backend.ReadTx())
        {
            read.Range(Buckets.Lease, [], [], (_, value) =>
            {
                records.Add(LeaseRecord.Parse(value));
                return true;
            });
        }
        lock (gate)
        {
            foreach (var record in records)
            {
                leases[record.Id] = new LeaseEntry(record.Id, Math.Max(record.Ttl, options.MinTtlSeconds))
                {
                    RemainingTtl = record.RemainingTtl,
                };
            }
        }
        store.ForEachLeasedKey((key, id) => Attach(id, key));
        lock (gate)
        {
            if (primary is not null)
            {
                foreach (var lease in leases.Values)
                {
                    Refresh(lease, TimeSpan.Zero);
                }
            }
        }
    }
}

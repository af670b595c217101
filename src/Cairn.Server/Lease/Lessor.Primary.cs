namespace Cairn.Server.Lease;

/// <summary>The primary lessor's side: promotion, demotion and the expiry queue.</summary>
internal sealed partial class Lessor
{
    /// <summary>
    /// Makes this lessor primary (its member became leader and has applied everything from earlier terms) and
    /// restarts every lease's clock with <paramref name="extend"/> added, from the checkpointed remainder when there is
    /// one. When leases would pile up (more than 3/4 of the revoke rate expiring within one second), later ones in a
    /// window are pushed back so the new leader never has to revoke faster than <see cref="RevokeRate"/> per second.
    /// </summary>
    public void Promote(TimeSpan extend)
    {
        lock (gate)
        {
            primary = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            expiries.Clear();
            foreach (var lease in leases.Values)
            {
                Refresh(lease, extend);
            }
            if (leases.Count < RevokeRate)
            {
                return;
            }
            var now = Now;
            var second = time.TimestampFrequency;
            var ordered = leases.Values.OrderBy(l => l.Expiry).ToList();
            var baseWindow = ordered[0].Expiry - now;
            var nextWindow = baseWindow + second;
            var expires = 0;
            var target = 3 * RevokeRate / 4;
            foreach (var lease in ordered)
            {
                var remaining = lease.Expiry - now;
                if (remaining > nextWindow)
                {
                    baseWindow = remaining;
                    nextWindow = baseWindow + second;
                    expires = 1;
                    continue;
                }
                expires++;
                if (expires <= target)
                {
                    continue;
                }
                // Leases already ahead of the window's base need less delay to land in a later second.
                var delay = (long)(second * ((double)expires / target)) - (remaining - baseWindow);
                nextWindow = baseWindow + delay;
                Refresh(lease, extend + TimeSpan.FromSeconds((double)delay / second));
            }
        }
    }

    /// <summary>Stops expiry here (leadership lost): every lease lives forever on this member until promoted again;
    /// renewals waiting on an expired lease fail with LeaseNotPrimary.</summary>
    public void Demote()
    {
        TaskCompletionSource? demoted;
        lock (gate)
        {
            foreach (var lease in leases.Values)
            {
                lease.Expiry = LeaseEntry.Forever;
                lease.QueuedAt = LeaseEntry.Forever;
            }
            expiries.Clear();
            demoted = primary;
            primary = null;
        }
        demoted?.TrySetResult();
    }

    /// <summary>
    /// The primary's expired leases, at most <paramref name="limit"/>, for the member to revoke through consensus.
    /// Each one handed out is queued again <see cref="RetryInterval"/> later, so a revoke that was lost (leader
    /// change, timeout) is proposed again; a renewal in between would not succeed (it waits for the revoke).
    /// </summary>
    public IReadOnlyList<long> FindExpired(int limit)
    {
        var expired = new List<long>();
        lock (gate)
        {
            if (primary is null)
            {
                return expired;
            }
            var now = Now;
            while (expired.Count < limit && expiries.TryPeek(out var id, out var at))
            {
                if (!leases.TryGetValue(id, out var lease) || lease.QueuedAt != at)
                {
                    expiries.Dequeue();
                    continue;
                }
                if (at > now)
                {
                    break;
                }
                expiries.Dequeue();
                Queue(lease, AddSaturating(now, Ticks(RetryInterval)));
                expired.Add(id);
            }
        }
        return expired;
    }

    /// <summary>Restarts the lease's clock: expires <paramref name="extend"/> plus its effective TTL from now. Under the lock.</summary>
    private void Refresh(LeaseEntry lease, TimeSpan extend)
    {
        var ticks = AddSaturating(Ticks(extend), SecondsToTicks(lease.EffectiveTtl));
        lease.Expiry = AddSaturating(Now, ticks);
        Queue(lease, lease.Expiry);
    }

    private void Queue(LeaseEntry lease, long at)
    {
        lease.QueuedAt = at;
        expiries.Enqueue(lease.Id, at);
        // Renewals leave stale entries behind; rebuild when they outnumber the live ones.
        if (expiries.Count > 2 * leases.Count + 1024)
        {
            expiries.Clear();
            foreach (var l in leases.Values)
            {
                if (l.QueuedAt != LeaseEntry.Forever)
                {
                    expiries.Enqueue(l.Id, l.QueuedAt);
                }
            }
        }
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);

    private long SecondsToTicks(long seconds) =>
        seconds > long.MaxValue / time.TimestampFrequency ? long.MaxValue : seconds * time.TimestampFrequency;

    private static long AddSaturating(long a, long b) => a > long.MaxValue - b ? long.MaxValue - 1 : a + b;
}

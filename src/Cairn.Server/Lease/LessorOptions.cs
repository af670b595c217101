namespace Cairn.Server.Lease;

/// <summary>The lessor's settings, derived from the member's configuration.</summary>
internal sealed record LessorOptions
{
    /// <summary>Grants below it are raised to it: ceil(1.5 election timeouts) in seconds, 2 with etcd's defaults.</summary>
    public long MinTtlSeconds { get; init; } = 2;

    /// <summary>--experimental-enable-lease-checkpoint-persist: write checkpointed remainders to the lease bucket.</summary>
    public bool PersistCheckpoints { get; init; }

    /// <summary>etcd's minimum TTL: (3 × election ticks / 2) heartbeats, rounded up to whole seconds.</summary>
    public static long MinTtlFor(int heartbeatMs, int electionMs)
    {
        var heartbeat = Math.Max(1, heartbeatMs);
        var electionTicks = electionMs / heartbeat;
        var minMs = (long)(3 * electionTicks / 2) * heartbeat;
        return (long)Math.Ceiling(minMs / 1000.0);
    }
}

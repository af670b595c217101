using Google.Protobuf;

namespace Cairn.Server.Lease;

/// <summary>One granted lease as the <see cref="Lessor"/> holds it. Every mutable member is guarded by the lessor's lock.</summary>
internal sealed class LeaseEntry(long id, long ttl)
{
    /// <summary>A lease on a member that is not the primary lessor never expires there.</summary>
    public const long Forever = long.MaxValue;

    public long Id { get; } = id;

    /// <summary>Seconds, as granted (after the minimum-TTL raise).</summary>
    public long Ttl { get; } = ttl;

    /// <summary>Seconds left at the last checkpoint; 0 when none. A promotion refreshes from it instead of the TTL.</summary>
    public long RemainingTtl { get; set; }

    /// <summary>When the lease expires, as a <see cref="TimeProvider"/> timestamp; <see cref="Forever"/> when not primary.</summary>
    public long Expiry { get; set; } = Forever;

    /// <summary>The timestamp under which the lease currently sits in the expiry queue (older queue entries are stale).</summary>
    public long QueuedAt { get; set; } = Forever;

    public HashSet<ByteString> Keys { get; } = [];

    /// <summary>Completes when the lease is revoked: a renewal of an expired lease waits for it.</summary>
    public TaskCompletionSource Revoked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What a refresh counts from: the checkpointed remainder when there is one, else the TTL.</summary>
    public long EffectiveTtl => RemainingTtl > 0 ? RemainingTtl : Ttl;
}

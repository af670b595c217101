using System;

namespace Cairn.Raft;

/// <summary>How read-only requests (<see cref="RawNode.ReadIndex"/>) are confirmed.</summary>
public enum ReadOnlyOption
{
    /// <summary>The leader confirms it is still leader by a heartbeat round acknowledged by a quorum (§6.4).
    /// The default, and safe under any clock behaviour.</summary>
    Safe = 0,

    /// <summary>The leader trusts its lease: with CheckQuorum it steps down if it cannot reach a quorum within an
    /// election timeout, so it answers at once. Unsafe if clocks drift without bound.</summary>
    LeaseBased = 1,
}

/// <summary>Parameters of one Raft node (etcd-io/raft's Config).</summary>
public sealed class Config
{
    /// <summary>This node's ID; nonzero.</summary>
    public ulong Id { get; set; }

    /// <summary>Ticks a follower waits without hearing from a leader before campaigning. The actual timeout is
    /// drawn from [ElectionTick, 2*ElectionTick) per election. Must exceed HeartbeatTick (etcd suggests 10x).</summary>
    public int ElectionTick { get; set; }

    /// <summary>Ticks between leader heartbeats.</summary>
    public int HeartbeatTick { get; set; }

    /// <summary>Stable storage. A restarted node reads its state from here.</summary>
    public IRaftStorage Storage { get; set; } = null!;

    /// <summary>The last applied index, set only when restarting; committed entries at or below it are not
    /// handed out again. The configuration is restored from the storage's snapshot ConfState, and conf change
    /// entries after the snapshot take effect only when applied again: so Applied must not pass a conf change
    /// entry that the snapshot does not include (Applied = snapshot index is always safe).</summary>
    public ulong Applied { get; set; }

    /// <summary>Cap on the byte size of entries in one append message; 0 means one entry per message.</summary>
    public ulong MaxSizePerMsg { get; set; }

    /// <summary>Cap on the byte size of committed entries in one Ready; 0 means MaxSizePerMsg.</summary>
    public ulong MaxCommittedSizePerReady { get; set; }

    /// <summary>Cap on the aggregate payload size of the leader's uncommitted tail; proposals beyond it are
    /// dropped. 0 means no limit.</summary>
    public ulong MaxUncommittedEntriesSize { get; set; }

    /// <summary>Cap on append messages in flight to one follower while it is replicating.</summary>
    public int MaxInflightMsgs { get; set; }

    /// <summary>Cap on the bytes of entries in flight to one follower; 0 means no limit.</summary>
    public ulong MaxInflightBytes { get; set; }

    /// <summary>The leader steps down when it has not heard from a quorum within an election timeout.</summary>
    public bool CheckQuorum { get; set; }

    /// <summary>Run a pre-election (§9.6) before incrementing the term, so a rejoining node cannot disrupt the
    /// cluster with a higher term.</summary>
    public bool PreVote { get; set; }

    public ReadOnlyOption ReadOnlyOption { get; set; } = ReadOnlyOption.Safe;

    /// <summary>Followers drop proposals instead of forwarding them to the leader.</summary>
    public bool DisableProposalForwarding { get; set; }

    /// <summary>Seed of this node's election-timeout randomness. Same seed, same inputs, same behaviour.</summary>
    public int Seed { get; set; }

    public IRaftLogger Logger { get; set; } = NullRaftLogger.Instance;

    /// <summary>Throws <see cref="ArgumentException"/> for a configuration the core cannot run with.</summary>
    public void Validate()
    {
        if (Id == 0)
        {
            throw new ArgumentException("cannot use none as id");
        }
        if (HeartbeatTick <= 0)
        {
            throw new ArgumentException("heartbeat tick must be greater than 0");
        }
        if (ElectionTick <= HeartbeatTick)
        {
            throw new ArgumentException("election tick must be greater than heartbeat tick");
        }
        if (Storage is null)
        {
            throw new ArgumentException("storage cannot be nil");
        }
        if (MaxInflightMsgs <= 0)
        {
            throw new ArgumentException("max inflight messages must be greater than 0");
        }
        if (MaxInflightBytes != 0 && MaxInflightBytes < MaxSizePerMsg)
        {
            throw new ArgumentException("max inflight bytes must be >= max message size");
        }
        if (ReadOnlyOption == ReadOnlyOption.LeaseBased && !CheckQuorum)
        {
            throw new ArgumentException("CheckQuorum must be enabled when ReadOnlyOption is LeaseBased");
        }
    }

    internal ulong EffectiveMaxCommittedSizePerReady =>
        MaxCommittedSizePerReady == 0 ? MaxSizePerMsg : MaxCommittedSizePerReady;

    internal ulong EffectiveMaxUncommittedEntriesSize =>
        MaxUncommittedEntriesSize == 0 ? ulong.MaxValue : MaxUncommittedEntriesSize;
}

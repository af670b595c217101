namespace Cairn.Raft.Tracker;

/// <summary>How the leader replicates to one follower (see <see cref="Progress"/>).</summary>
public enum ProgressState : byte
{
    /// <summary>The leader does not know where the follower's log diverges: at most one append per heartbeat.</summary>
    Probe = 0,

    /// <summary>The follower is caught up: appends are streamed optimistically, bounded by the inflight window.</summary>
    Replicate = 1,

    /// <summary>The follower needs a snapshot: appends stop until it is applied or reported failed.</summary>
    Snapshot = 2,
}

public static class ProgressStateExtensions
{
    /// <summary>etcd-io/raft's spelling, used in debug output: StateProbe, StateReplicate, StateSnapshot.</summary>
    public static string Name(this ProgressState state) => state switch
    {
        ProgressState.Probe => "StateProbe",
        ProgressState.Replicate => "StateReplicate",
        ProgressState.Snapshot => "StateSnapshot",
        _ => $"ProgressState({(byte)state})",
    };
}

namespace Cairn.Raft;

/// <summary>
/// Expected, typed outcomes of the Raft core and its storage (etcd-io/raft's Err* values).
/// <see cref="None"/> means success. Anything else that goes wrong inside the core is a bug and throws.
/// </summary>
public enum RaftError
{
    None = 0,

    /// <summary>The requested index precedes the storage's first index: it was compacted into a snapshot.</summary>
    Compacted,

    /// <summary>The snapshot being applied or created is older than the storage's current snapshot.</summary>
    SnapOutOfDate,

    /// <summary>The requested entries lie beyond the storage's last index.</summary>
    Unavailable,

    /// <summary>Storage cannot produce a snapshot right now; the leader retries later.</summary>
    SnapshotTemporarilyUnavailable,

    /// <summary>A proposal was dropped: no known leader, a leader transfer is in progress, this node is not in
    /// the configuration, or the uncommitted log exceeds <see cref="Config.MaxUncommittedEntriesSize"/>.
    /// The caller may retry (etcd-io/raft's ErrProposalDropped).</summary>
    ProposalDropped,

    /// <summary>A local message type (MsgHup, MsgBeat, ...) was passed to <see cref="RawNode.Step"/>.</summary>
    StepLocalMsg,

    /// <summary>A response message arrived from a node that is not in the configuration.</summary>
    StepPeerNotFound,
}

/// <summary>Human-readable text for <see cref="RaftError"/> values, worded as etcd-io/raft words them.</summary>
public static class RaftErrors
{
    public static string Message(this RaftError error) => error switch
    {
        RaftError.None => "ok",
        RaftError.Compacted => "requested index is unavailable due to compaction",
        RaftError.SnapOutOfDate => "requested index is older than the existing snapshot",
        RaftError.Unavailable => "requested entry at index is unavailable",
        RaftError.SnapshotTemporarilyUnavailable => "snapshot is temporarily unavailable",
        RaftError.ProposalDropped => "raft proposal dropped",
        RaftError.StepLocalMsg => "raft: cannot step raft local message",
        RaftError.StepPeerNotFound => "raft: cannot step as peer not found",
        _ => error.ToString(),
    };
}

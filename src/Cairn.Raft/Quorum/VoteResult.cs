namespace Cairn.Raft.Quorum;

/// <summary>The outcome of tallying votes against a quorum configuration.</summary>
public enum VoteResult : byte
{
    /// <summary>The decision depends on future votes: neither "yes" nor "no" has reached a quorum yet.</summary>
    Pending = 1,

    /// <summary>A quorum has voted "no" (or can no longer vote "yes").</summary>
    Lost = 2,

    /// <summary>A quorum has voted "yes".</summary>
    Won = 3,
}

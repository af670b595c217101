using System.Collections.Generic;
using Cairn.Raft.Raftpb;
using Cairn.Raft.Tracker;

namespace Cairn.Raft;

/// <summary>A node's state that is cheap to read: identity, persistent and volatile state, applied index.</summary>
public record BasicStatus(ulong Id, HardState HardState, SoftState SoftState, ulong Applied, ulong LeadTransferee);

/// <summary>
/// <see cref="BasicStatus"/> plus the active configuration and, on a leader, a copy of every peer's replication
/// progress (sorted by ID). Everything is a copy; mutating it does not affect the node.
/// </summary>
public sealed record Status(
    ulong Id,
    HardState HardState,
    SoftState SoftState,
    ulong Applied,
    ulong LeadTransferee,
    TrackerConfig Config,
    ConfState ConfState,
    IReadOnlyDictionary<ulong, Progress> Progress)
    : BasicStatus(Id, HardState, SoftState, Applied, LeadTransferee)
{
    internal static BasicStatus BasicOf(Raft r) =>
        new(r.Id, r.HardState(), r.SoftState(), r.RaftLog.Applied, r.LeadTransferee);

    internal static Status Of(Raft r)
    {
        var progress = new SortedDictionary<ulong, Progress>();
        if (r.State == StateType.Leader)
        {
            foreach (var (id, pr) in r.Trk.Progress)
            {
                progress[id] = pr.Clone();
            }
        }
        return new Status(r.Id, r.HardState(), r.SoftState(), r.RaftLog.Applied, r.LeadTransferee,
            r.Trk.Config.Clone(), r.Trk.ConfState(), progress);
    }
}

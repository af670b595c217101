using System.Collections.Generic;
using Cairn.Raft.Raftpb;
using Cairn.Raft.Tracker;

namespace Cairn.Raft.Confchange;

/// <summary>Rebuilds a tracker configuration from a <see cref="ConfState"/> (a snapshot's, or the storage's at start).</summary>
internal static class ConfStateRestorer
{
    /// <summary>
    /// Replays <paramref name="cs"/> as a series of changes on top of the changer's configuration (normally empty).
    /// A non-joint state is added one change at a time. A joint state first builds its outgoing voters as a simple
    /// configuration, then enters the joint configuration with changes that produce the incoming half:
    /// for voters=(1 2 3) learners=(5) outgoing=(1 2 4 6) learners_next=(4), the outgoing step adds 1, 2, 4, 6;
    /// the joint step removes 1, 2, 4, 6, adds 1, 2, 3, and adds learners 5 and 4 (4 is staged, being an outgoing
    /// voter).
    /// </summary>
    public static ChangeResult Restore(
        TrackerConfig config, ProgressMap progress, int maxInflight, ulong maxInflightBytes, ulong lastIndex, ConfState cs)
    {
        var (outgoing, incoming) = ToConfChangeSingles(cs);
        var cfg = config;
        var trk = progress;

        ChangeResult Step(ChangeResult result)
        {
            if (result.IsOk)
            {
                cfg = result.Config!;
                trk = result.Progress!;
            }

            return result;
        }

        Changer Changer() => new(cfg, trk, maxInflight, maxInflightBytes, lastIndex);

        if (outgoing.Count == 0)
        {
            foreach (var cc in incoming)
            {
                if (Step(Changer().Simple(cc)) is { IsOk: false } failed)
                {
                    return failed;
                }
            }
        }
        else
        {
            foreach (var cc in outgoing)
            {
                if (Step(Changer().Simple(cc)) is { IsOk: false } failed)
                {
                    return failed;
                }
            }

            if (Step(Changer().EnterJoint(cs.AutoLeave, incoming)) is { IsOk: false } failed2)
            {
                return failed2;
            }
        }

        return ChangeResult.Ok(cfg, trk);
    }

    /// <summary>Restores onto an empty configuration with the tracker's inflight limits.</summary>
    public static ChangeResult Restore(ProgressTracker tracker, ulong lastIndex, ConfState cs) =>
        Restore(new TrackerConfig(), new ProgressMap(), tracker.MaxInflight, tracker.MaxInflightBytes, lastIndex, cs);

    private static (List<ConfChangeSingle> Outgoing, List<ConfChangeSingle> Incoming) ToConfChangeSingles(ConfState cs)
    {
        var outgoing = new List<ConfChangeSingle>();
        var incoming = new List<ConfChangeSingle>();
        foreach (ulong id in cs.VotersOutgoing)
        {
            outgoing.Add(Single(ConfChangeType.ConfChangeAddNode, id));
            incoming.Add(Single(ConfChangeType.ConfChangeRemoveNode, id));
        }

        foreach (ulong id in cs.Voters)
        {
            incoming.Add(Single(ConfChangeType.ConfChangeAddNode, id));
        }

        foreach (ulong id in cs.Learners)
        {
            incoming.Add(Single(ConfChangeType.ConfChangeAddLearnerNode, id));
        }

        // Staged learners are outgoing voters that become learners when the joint configuration is left.
        foreach (ulong id in cs.LearnersNext)
        {
            incoming.Add(Single(ConfChangeType.ConfChangeAddLearnerNode, id));
        }

        return (outgoing, incoming);
    }

    private static ConfChangeSingle Single(ConfChangeType type, ulong id) => new() { Type = type, NodeId = id };
}

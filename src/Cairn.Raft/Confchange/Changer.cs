using System.Collections.Generic;
using Cairn.Raft.Raftpb;
using Cairn.Raft.Tracker;

// The namespace is spelled "Confchange" (as etcd-io/raft's confchange package) rather than "ConfChange": a namespace
// Cairn.Raft.ConfChange would hide the Raftpb.ConfChange message type from every file under Cairn.Raft.
namespace Cairn.Raft.Confchange;

/// <summary>
/// Computes configuration changes, simple (one voter at a time, Raft thesis §4.1) and joint (§4.3), on top of a
/// tracker's configuration. Every method works on copies and returns the new configuration and progress map, which
/// the caller switches to; the tracker itself is not modified. Invalid changes return an error instead.
/// </summary>
internal sealed class Changer
{
    private readonly TrackerConfig _config;
    private readonly ProgressMap _progress;
    private readonly int _maxInflight;
    private readonly ulong _maxInflightBytes;
    private readonly ulong _lastIndex;

    /// <param name="tracker">The current configuration and progress.</param>
    /// <param name="lastIndex">The log's last index: new peers start probing from it.</param>
    public Changer(ProgressTracker tracker, ulong lastIndex)
        : this(tracker.Config, tracker.Progress, tracker.MaxInflight, tracker.MaxInflightBytes, lastIndex)
    {
    }

    public Changer(TrackerConfig config, ProgressMap progress, int maxInflight, ulong maxInflightBytes, ulong lastIndex)
    {
        _config = config;
        _progress = progress;
        _maxInflight = maxInflight;
        _maxInflightBytes = maxInflightBytes;
        _lastIndex = lastIndex;
    }

    /// <summary>
    /// Rebuilds the configuration described by <paramref name="cs"/> on top of this changer's configuration
    /// (normally empty: a fresh tracker), see <see cref="ConfStateRestorer"/>.
    /// </summary>
    public static ChangeResult Restore(Changer changer, ConfState cs) =>
        ConfStateRestorer.Restore(changer._config, changer._progress, changer._maxInflight, changer._maxInflightBytes, changer._lastIndex, cs);

    /// <summary>
    /// Enters a joint configuration: the current voters become the outgoing half, and <paramref name="changes"/>
    /// are applied to the incoming half. <paramref name="autoLeave"/> records whether the leader should leave the
    /// joint configuration by itself once this one is committed.
    /// </summary>
    public ChangeResult EnterJoint(bool autoLeave, params IReadOnlyList<ConfChangeSingle> changes)
    {
        if (!CheckAndCopy(out var cfg, out var trk, out string? error))
        {
            return ChangeResult.Fail(error);
        }

        if (cfg.Voters.IsJoint)
        {
            return ChangeResult.Fail("config is already joint");
        }

        if (cfg.Voters.Incoming.Count == 0)
        {
            // Adding voters to an empty configuration is allowed (bootstrap, tests), but not as a joint change.
            return ChangeResult.Fail("can't make a zero-voter config joint");
        }

        cfg.Voters.Outgoing.Clear();
        foreach (ulong id in cfg.Voters.Incoming)
        {
            cfg.Voters.Outgoing.Add(id);
        }

        if (Apply(cfg, trk, changes) is { } applyError)
        {
            return ChangeResult.Fail(applyError);
        }

        cfg.AutoLeave = autoLeave;
        return CheckAndReturn(cfg, trk);
    }

    /// <summary>
    /// Leaves a joint configuration: staged learners become learners, the outgoing half is dropped, and peers that
    /// are in neither the incoming voters nor the learners stop being tracked.
    /// </summary>
    public ChangeResult LeaveJoint()
    {
        if (!CheckAndCopy(out var cfg, out var trk, out string? error))
        {
            return ChangeResult.Fail(error);
        }

        if (!cfg.Voters.IsJoint)
        {
            return ChangeResult.Fail("can't leave a non-joint config");
        }

        foreach (ulong id in cfg.LearnersNext)
        {
            cfg.Learners.Add(id);
            trk[id].IsLearner = true;
        }

        cfg.LearnersNext.Clear();
        foreach (ulong id in cfg.Voters.Outgoing)
        {
            if (!cfg.Voters.Incoming.Contains(id) && !cfg.Learners.Contains(id))
            {
                trk.Remove(id);
            }
        }

        cfg.Voters.Outgoing.Clear();
        cfg.AutoLeave = false;
        return CheckAndReturn(cfg, trk);
    }

    /// <summary>
    /// Applies <paramref name="changes"/> without joint consensus. Only valid outside a joint configuration, and
    /// only when the set of voters changes by at most one (a larger change could lose quorum overlap).
    /// </summary>
    public ChangeResult Simple(params IReadOnlyList<ConfChangeSingle> changes)
    {
        if (!CheckAndCopy(out var cfg, out var trk, out string? error))
        {
            return ChangeResult.Fail(error);
        }

        if (cfg.Voters.IsJoint)
        {
            return ChangeResult.Fail("can't apply simple config change in joint config");
        }

        if (Apply(cfg, trk, changes) is { } applyError)
        {
            return ChangeResult.Fail(applyError);
        }

        if (SymmetricDifference(_config.Voters.Incoming, cfg.Voters.Incoming) > 1)
        {
            return ChangeResult.Fail("more than one voter changed without entering joint config");
        }

        return CheckAndReturn(cfg, trk);
    }

    // Applies the changes to the incoming half; returns an error or null.
    private string? Apply(TrackerConfig cfg, ProgressMap trk, IReadOnlyList<ConfChangeSingle> changes)
    {
        foreach (var cc in changes)
        {
            if (cc.NodeId == 0)
            {
                // The application may zero a change's node ID to decline it (etcd does); such changes are no-ops.
                continue;
            }

            switch (cc.Type)
            {
                case ConfChangeType.ConfChangeAddNode:
                    MakeVoter(cfg, trk, cc.NodeId);
                    break;
                case ConfChangeType.ConfChangeAddLearnerNode:
                    MakeLearner(cfg, trk, cc.NodeId);
                    break;
                case ConfChangeType.ConfChangeRemoveNode:
                    Remove(cfg, trk, cc.NodeId);
                    break;
                case ConfChangeType.ConfChangeUpdateNode:
                    break;
                default:
                    return $"unexpected conf type {(int)cc.Type}";
            }
        }

        return cfg.Voters.Incoming.Count == 0 ? "removed all voters" : null;
    }

    private void MakeVoter(TrackerConfig cfg, ProgressMap trk, ulong id)
    {
        if (trk.Get(id) is not { } pr)
        {
            InitProgress(cfg, trk, id, isLearner: false);
            return;
        }

        pr.IsLearner = false;
        cfg.Learners.Remove(id);
        cfg.LearnersNext.Remove(id);
        cfg.Voters.Incoming.Add(id);
    }

    // A voter of the outgoing half cannot become a learner until the joint configuration is left (it still votes
    // there), so it is staged in LearnersNext; anyone else becomes a learner right away.
    private void MakeLearner(TrackerConfig cfg, ProgressMap trk, ulong id)
    {
        if (trk.Get(id) is not { } pr)
        {
            InitProgress(cfg, trk, id, isLearner: true);
            return;
        }

        if (pr.IsLearner)
        {
            return;
        }

        // Remove the voter from the incoming half, but keep its progress.
        Remove(cfg, trk, id);
        trk[id] = pr;
        if (cfg.Voters.Outgoing.Contains(id))
        {
            cfg.LearnersNext.Add(id);
        }
        else
        {
            pr.IsLearner = true;
            cfg.Learners.Add(id);
        }
    }

    private static void Remove(TrackerConfig cfg, ProgressMap trk, ulong id)
    {
        if (!trk.ContainsKey(id))
        {
            return;
        }

        cfg.Voters.Incoming.Remove(id);
        cfg.Learners.Remove(id);
        cfg.LearnersNext.Remove(id);
        // A voter of the outgoing half keeps its progress until the joint configuration is left.
        if (!cfg.Voters.Outgoing.Contains(id))
        {
            trk.Remove(id);
        }
    }

    private void InitProgress(TrackerConfig cfg, ProgressMap trk, ulong id, bool isLearner)
    {
        if (isLearner)
        {
            cfg.Learners.Add(id);
        }
        else
        {
            cfg.Voters.Incoming.Add(id);
        }

        trk[id] = new Progress(new Inflights(_maxInflight, _maxInflightBytes))
        {
            // Probing from the last index assumes the new peer is nearly caught up; if it is not, the first
            // rejection moves Next back (or to a snapshot). Next must stay above Match = 0.
            Match = 0,
            Next = _lastIndex > 1 ? _lastIndex : 1,
            IsLearner = isLearner,
            // A new peer counts as active, or CheckQuorum could depose the leader before the peer ever answered.
            RecentActive = true,
        };
    }

    private bool CheckAndCopy(out TrackerConfig cfg, out ProgressMap trk, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        cfg = _config.Clone();
        // Shallow copies suffice: changes only flip IsLearner; the inflight windows carry over.
        trk = _progress.ShallowCopy();
        error = CheckInvariants(cfg, trk);
        return error is null;
    }

    private static ChangeResult CheckAndReturn(TrackerConfig cfg, ProgressMap trk) =>
        CheckInvariants(cfg, trk) is { } error ? ChangeResult.Fail(error) : ChangeResult.Ok(cfg, trk);

    /// <summary>
    /// The invariants of a configuration and its progress map; returns the first violation or null. The empty
    /// configuration is valid: it is where bootstrap starts.
    /// </summary>
    internal static string? CheckInvariants(TrackerConfig cfg, ProgressMap trk)
    {
        foreach (ulong id in cfg.Voters.Ids().Slice())
        {
            if (!trk.ContainsKey(id))
            {
                return $"no progress for {id}";
            }
        }

        foreach (ulong id in cfg.Learners)
        {
            if (!trk.ContainsKey(id))
            {
                return $"no progress for {id}";
            }
        }

        foreach (ulong id in cfg.LearnersNext)
        {
            if (!trk.ContainsKey(id))
            {
                return $"no progress for {id}";
            }
        }

        // A staged learner was staged because it is still a voter of the outgoing half.
        foreach (ulong id in cfg.LearnersNext)
        {
            if (!cfg.Voters.Outgoing.Contains(id))
            {
                return $"{id} is in LearnersNext, but not Voters[1]";
            }

            if (trk[id].IsLearner)
            {
                return $"{id} is in LearnersNext, but is already marked as learner";
            }
        }

        // Learners and voters never overlap.
        foreach (ulong id in cfg.Learners)
        {
            if (cfg.Voters.Outgoing.Contains(id))
            {
                return $"{id} is in Learners and Voters[1]";
            }

            if (cfg.Voters.Incoming.Contains(id))
            {
                return $"{id} is in Learners and Voters[0]";
            }

            if (!trk[id].IsLearner)
            {
                return $"{id} is in Learners, but is not marked as learner";
            }
        }

        if (!cfg.Voters.IsJoint)
        {
            if (cfg.LearnersNext.Count > 0)
            {
                return "cfg.LearnersNext must be empty when not joint";
            }

            if (cfg.AutoLeave)
            {
                return "AutoLeave must be false when not joint";
            }
        }

        return null;
    }

    private static int SymmetricDifference(Quorum.MajorityConfig left, Quorum.MajorityConfig right)
    {
        int n = 0;
        foreach (ulong id in left)
        {
            if (!right.Contains(id))
            {
                n++;
            }
        }

        foreach (ulong id in right)
        {
            if (!left.Contains(id))
            {
                n++;
            }
        }

        return n;
    }
}

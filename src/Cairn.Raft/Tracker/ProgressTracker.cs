using System;
using System.Collections.Generic;
using Cairn.Raft.Quorum;
using Cairn.Raft.Raftpb;

namespace Cairn.Raft.Tracker;

/// <summary>
/// The leader's (and candidate's) view of the cluster: the active configuration, the progress of every peer in it,
/// and the votes of the current election. It makes the quorum decisions: the commit index and election outcomes.
/// </summary>
internal sealed class ProgressTracker
{
    public ProgressTracker(int maxInflight, ulong maxInflightBytes)
    {
        MaxInflight = maxInflight;
        MaxInflightBytes = maxInflightBytes;
    }

    public TrackerConfig Config { get; set; } = new();

    /// <summary>Progress of every voter and learner of <see cref="Config"/> (and of nobody else).</summary>
    public ProgressMap Progress { get; set; } = new();

    /// <summary>Votes received in the current election: voter ID → granted.</summary>
    public Dictionary<ulong, bool> Votes { get; } = [];

    /// <summary>Inflight window size for new progresses (messages).</summary>
    public int MaxInflight { get; }

    /// <summary>Inflight window size for new progresses (payload bytes; 0 = unlimited).</summary>
    public ulong MaxInflightBytes { get; }

    /// <summary>True when the configuration is exactly one voter (that can commit and win on its own).</summary>
    public bool IsSingleton() => Config.Voters.Incoming.Count == 1 && Config.Voters.Outgoing.Count == 0;

    /// <summary>A fresh inflight window with this tracker's limits.</summary>
    public Inflights NewInflights() => new(MaxInflight, MaxInflightBytes);

    /// <summary>The active configuration as a <see cref="ConfState"/>, every ID list sorted.</summary>
    public ConfState ConfState()
    {
        var cs = new ConfState { AutoLeave = Config.AutoLeave };
        cs.Voters.AddRange(Config.Voters.Incoming.Slice());
        cs.VotersOutgoing.AddRange(Config.Voters.Outgoing.Slice());
        cs.Learners.AddRange(Config.Learners);
        cs.LearnersNext.AddRange(Config.LearnersNext);
        return cs;
    }

    /// <summary>The largest index replicated (by Match) on a quorum of the active configuration.</summary>
    public ulong Committed() => Config.Voters.CommittedIndex(Progress);

    /// <summary>Calls <paramref name="visitor"/> for every tracked peer in ascending ID order.</summary>
    public void Visit(Action<ulong, Progress> visitor)
    {
        foreach (var (id, pr) in Progress)
        {
            visitor(id, pr);
        }
    }

    /// <summary>
    /// True when a quorum of voters was recently active (see <see cref="Tracker.Progress.RecentActive"/>); the
    /// leader steps down under CheckQuorum otherwise.
    /// </summary>
    public bool QuorumActive()
    {
        var votes = new Dictionary<ulong, bool>(Progress.Count);
        foreach (var (id, pr) in Progress)
        {
            if (!pr.IsLearner)
            {
                votes[id] = pr.RecentActive;
            }
        }

        return Config.Voters.VoteResult(votes) == VoteResult.Won;
    }

    /// <summary>Every voter (either half of a joint configuration), sorted.</summary>
    public ulong[] VoterNodes() => Config.Voters.Ids().Slice();

    /// <summary>Every learner, sorted (staged learners in LearnersNext excluded: they still vote).</summary>
    public ulong[] LearnerNodes() => [.. Config.Learners];

    /// <summary>Forgets the votes of the previous election.</summary>
    public void ResetVotes() => Votes.Clear();

    /// <summary>Records <paramref name="id"/>'s vote; only its first vote of the election counts.</summary>
    public void RecordVote(ulong id, bool granted) => Votes.TryAdd(id, granted);

    /// <summary>Counts granted and rejected votes from voters, and decides the election.</summary>
    public (int Granted, int Rejected, VoteResult Result) TallyVotes()
    {
        int granted = 0;
        int rejected = 0;
        foreach (var (id, pr) in Progress)
        {
            if (pr.IsLearner || !Votes.TryGetValue(id, out bool vote))
            {
                continue;
            }

            if (vote)
            {
                granted++;
            }
            else
            {
                rejected++;
            }
        }

        return (granted, rejected, Config.Voters.VoteResult(Votes));
    }
}

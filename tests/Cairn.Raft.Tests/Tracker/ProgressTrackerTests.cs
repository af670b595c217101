using Cairn.Raft.Quorum;
using Cairn.Raft.Tracker;

namespace Cairn.Raft.Tests.Tracker;

public sealed class ProgressTrackerTests
{
    private static ProgressTracker Tracker(ulong[] voters, ulong[]? outgoing = null, ulong[]? learners = null)
    {
        var t = new ProgressTracker(16, 0);
        foreach (ulong id in voters)
        {
            t.Config.Voters.Incoming.Add(id);
        }

        foreach (ulong id in outgoing ?? [])
        {
            t.Config.Voters.Outgoing.Add(id);
        }

        foreach (ulong id in learners ?? [])
        {
            t.Config.Learners.Add(id);
        }

        foreach (ulong id in t.Config.Voters.Ids().Slice().Concat(t.Config.Learners))
        {
            t.Progress[id] = new Progress(t.NewInflights())
            {
                Next = 1,
                IsLearner = t.Config.Learners.Contains(id),
                RecentActive = true,
            };
        }

        return t;
    }

    [Fact]
    public void Committed_UsesMatchOfVotersOnly()
    {
        var t = Tracker([1, 2, 3], learners: [4, 5]);
        t.Progress[1].Match = 10;
        t.Progress[2].Match = 7;
        t.Progress[4].Match = 100;
        t.Progress[5].Match = 100;
        Assert.Equal(7UL, t.Committed());
    }

    [Fact]
    public void Committed_Joint_NeedsBothHalves()
    {
        var t = Tracker([1, 2, 3], outgoing: [1, 4, 5]);
        t.Progress[1].Match = 10;
        t.Progress[2].Match = 10;
        t.Progress[3].Match = 10;
        t.Progress[4].Match = 4;
        Assert.Equal(4UL, t.Committed());
    }

    [Fact]
    public void Votes_FirstVoteCounts_LearnersIgnored()
    {
        var t = Tracker([1, 2, 3], learners: [4]);
        t.RecordVote(1, true);
        t.RecordVote(1, false);
        t.RecordVote(4, true);
        Assert.Equal((1, 0, VoteResult.Pending), t.TallyVotes());
        t.RecordVote(2, false);
        Assert.Equal((1, 1, VoteResult.Pending), t.TallyVotes());
        t.RecordVote(3, true);
        Assert.Equal((2, 1, VoteResult.Won), t.TallyVotes());
        t.ResetVotes();
        Assert.Equal((0, 0, VoteResult.Pending), t.TallyVotes());
        t.RecordVote(2, false);
        t.RecordVote(3, false);
        Assert.Equal((0, 2, VoteResult.Lost), t.TallyVotes());
    }

    [Fact]
    public void QuorumActive_CountsRecentlyActiveVoters()
    {
        var t = Tracker([1, 2, 3], learners: [4]);
        t.Progress[2].RecentActive = false;
        Assert.True(t.QuorumActive());
        t.Progress[3].RecentActive = false;
        Assert.False(t.QuorumActive());
        t.Progress[4].RecentActive = true; // learners do not count
        Assert.False(t.QuorumActive());
    }

    [Fact]
    public void Visit_IsInAscendingIdOrder()
    {
        var t = Tracker([9, 3, 7, 1, 5], learners: [2, 8]);
        var seen = new List<ulong>();
        t.Visit((id, _) => seen.Add(id));
        Assert.Equal([1UL, 2, 3, 5, 7, 8, 9], seen);
        t.Progress.Remove(3);
        t.Progress[4] = new Progress(t.NewInflights());
        seen.Clear();
        t.Visit((id, _) => seen.Add(id));
        Assert.Equal([1UL, 2, 4, 5, 7, 8, 9], seen);
        Assert.Equal([1UL, 2, 4, 5, 7, 8, 9], t.Progress.Ids.ToArray());
    }

    [Fact]
    public void Nodes_AndConfState_AreSorted()
    {
        var t = Tracker([3, 1], outgoing: [2, 1], learners: [6, 5]);
        t.Config.LearnersNext.Add(2);
        t.Config.AutoLeave = true;
        Assert.Equal([1UL, 2, 3], t.VoterNodes());
        Assert.Equal([5UL, 6], t.LearnerNodes());
        var cs = t.ConfState();
        Assert.Equal([1UL, 3], cs.Voters);
        Assert.Equal([1UL, 2], cs.VotersOutgoing);
        Assert.Equal([5UL, 6], cs.Learners);
        Assert.Equal([2UL], cs.LearnersNext);
        Assert.True(cs.AutoLeave);
        Assert.Equal("voters=(1 3)&&(1 2) learners=(5 6) learners_next=(2) autoleave", t.Config.ToString());
    }

    [Fact]
    public void IsSingleton_OnlyForOneNonJointVoter()
    {
        Assert.True(Tracker([1]).IsSingleton());
        Assert.True(Tracker([1], learners: [2]).IsSingleton());
        Assert.False(Tracker([1, 2]).IsSingleton());
        Assert.False(Tracker([1], outgoing: [2]).IsSingleton());
    }

    [Fact]
    public void ProgressMap_ToString_OneLinePerPeerInIdOrder()
    {
        var t = Tracker([2, 1]);
        t.Progress[2].BecomeReplicate();
        Assert.Equal("1: StateProbe match=0 next=1\n2: StateReplicate match=0 next=1\n", t.Progress.ToString());
    }

    [Fact]
    public void ProgressMap_Get_ReturnsNullWhenUntracked()
    {
        var t = Tracker([1]);
        Assert.Null(t.Progress.Get(2));
        Assert.NotNull(t.Progress.Get(1));
        Assert.False(t.Progress.Remove(2));
    }
}

using Cairn.Raft.Raftpb;
using Cairn.Raft.Tests.Support;
using static Cairn.Raft.Tests.Support.RaftTestUtil;

namespace Cairn.Raft.Tests.Paper;

/// <summary>Rules of the Raft paper (Ongaro and Ousterhout, extended version), §5.1 and §5.2, one test each.</summary>
public sealed class PaperElectionTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    // §5.1: "If one server's current term is smaller than the other's, then it updates its current term to the
    // larger value. If a candidate or leader discovers that its term is out of date, it immediately reverts to
    // follower state."
    [Theory]
    [InlineData(StateType.Follower)]
    [InlineData(StateType.PreCandidate)]
    [InlineData(StateType.Candidate)]
    [InlineData(StateType.Leader)]
    public void Section5_1_ServerUpdatesTermFromMessageAndRevertsToFollower(StateType state)
    {
        var r = NewRaft(1, Three);
        switch (state)
        {
            case StateType.Follower:
                r.BecomeFollower(1, 2);
                break;
            case StateType.PreCandidate:
                r.BecomePreCandidate();
                break;
            case StateType.Candidate:
                r.BecomeCandidate();
                break;
            case StateType.Leader:
                r.BecomeCandidate();
                r.BecomeLeader();
                break;
        }

        r.Step(new Message { Type = MessageType.MsgApp, From = 2, Term = 2 });

        Assert.Equal(2UL, r.Term);
        Assert.Equal(StateType.Follower, r.State);
    }

    // §5.1: "If a server receives a request with a stale term number, it rejects the request."
    // The stale append is ignored: the follower's log and commit index stay as they are.
    [Fact]
    public void Section5_1_RequestWithStaleTermIsRejected()
    {
        var storage = NewStorage(Three);
        storage.SetHardState(new HardState { Term = 2 });
        var r = NewRaft(1, 10, 1, storage);

        r.Step(AppendMsg(2, 1, term: 1, logTerm: 0, index: 0, commit: 1, Ent(1, 1, "stale")));

        Assert.Equal(0UL, r.RaftLog.LastIndex());
        Assert.Equal(0UL, r.RaftLog.Committed);
        Assert.Equal(2UL, r.Term);
    }

    // §5.2: "When servers start up, they begin as followers."
    [Fact]
    public void Section5_2_ServersStartAsFollowers()
    {
        var r = NewRaft(1, Three);
        Assert.Equal(StateType.Follower, r.State);
    }

    // §5.2: "Leaders send periodic heartbeats (AppendEntries RPCs that carry no log entries) to all followers in
    // order to maintain their authority."
    [Fact]
    public void Section5_2_LeaderBroadcastsHeartbeatsWithoutEntries()
    {
        const int heartbeat = 1;
        var r = NewRaft(1, Three, election: 10, heartbeat: heartbeat);
        r.BecomeCandidate();
        r.BecomeLeader();
        for (ulong i = 0; i < 10; i++)
        {
            Assert.Equal(RaftError.None, r.Step(Prop(1, $"{i}")));
        }
        r.TakeMessages();

        for (int i = 0; i < heartbeat; i++)
        {
            r.Tick();
        }

        var msgs = ReadMessages(r).OrderBy(m => m.To).ToList();
        Assert.Equal(
            ["1->2 MsgHeartbeat Term:1 Log:0/0", "1->3 MsgHeartbeat Term:1 Log:0/0"],
            msgs.Select(Util.DescribeMessage));
        Assert.All(msgs, m => Assert.Empty(m.Entries));
    }

    // §5.2: "If a follower receives no communication over a period of time called the election timeout, then it
    // assumes there is no viable leader and begins an election to choose a new leader. To begin an election, a
    // follower increments its current term and transitions to candidate state. It then votes for itself and
    // issues RequestVote RPCs in parallel to each of the other servers in the cluster."
    // The same holds for a candidate whose election times out: it starts a new election in a new term.
    [Theory]
    [InlineData(StateType.Follower)]
    [InlineData(StateType.Candidate)]
    public void Section5_2_ElectionTimeoutStartsElectionWithSelfVoteAndVoteRequests(StateType state)
    {
        const int election = 10;
        var r = NewRaft(1, Three, election);
        if (state == StateType.Follower)
        {
            r.BecomeFollower(1, 2);
        }
        else
        {
            r.BecomeCandidate();
            r.TakeMessages();
        }

        for (int i = 1; i < 2 * election; i++)
        {
            r.Tick();
        }

        Assert.Equal(2UL, r.Term);
        Assert.Equal(StateType.Candidate, r.State);
        Assert.True(r.Trk.Votes[r.Id]);
        var msgs = ReadMessages(r).OrderBy(m => m.To).ToList();
        Assert.Equal(
            ["1->2 MsgVote Term:2 Log:0/0", "1->3 MsgVote Term:2 Log:0/0"],
            msgs.Select(Util.DescribeMessage));
    }

    // §5.2: "A candidate wins an election if it receives votes from a majority of the servers in the full cluster
    // for the same term." It stays a candidate while the outcome is open, and reverts to follower once a majority
    // has rejected it.
    [Theory]
    [InlineData(1, new ulong[0], new ulong[0], StateType.Leader)]
    [InlineData(3, new ulong[] { 2, 3 }, new ulong[0], StateType.Leader)]
    [InlineData(3, new ulong[] { 2 }, new ulong[0], StateType.Leader)]
    [InlineData(5, new ulong[] { 2, 3, 4, 5 }, new ulong[0], StateType.Leader)]
    [InlineData(5, new ulong[] { 2, 3, 4 }, new ulong[0], StateType.Leader)]
    [InlineData(5, new ulong[] { 2, 3 }, new ulong[0], StateType.Leader)]
    [InlineData(3, new ulong[0], new ulong[0], StateType.Candidate)]
    [InlineData(5, new ulong[] { 2 }, new ulong[0], StateType.Candidate)]
    [InlineData(5, new ulong[] { 2 }, new ulong[] { 3 }, StateType.Candidate)]
    [InlineData(3, new ulong[0], new ulong[] { 2, 3 }, StateType.Follower)]
    [InlineData(5, new ulong[] { 2 }, new ulong[] { 3, 4, 5 }, StateType.Follower)]
    public void Section5_2_CandidateWinsWithMajorityOfVotes(int size, ulong[] granted, ulong[] rejected, StateType expected)
    {
        ulong[] ids = Enumerable.Range(1, size).Select(i => (ulong)i).ToArray();
        var r = NewRaft(1, ids);

        r.Step(new Message { From = 1, To = 1, Type = MessageType.MsgHup });
        foreach (ulong id in granted)
        {
            r.Step(new Message { From = id, To = 1, Term = r.Term, Type = MessageType.MsgVoteResp });
        }
        foreach (ulong id in rejected)
        {
            r.Step(new Message { From = id, To = 1, Term = r.Term, Type = MessageType.MsgVoteResp, Reject = true });
        }

        Assert.Equal(expected, r.State);
        Assert.Equal(1UL, r.Term);
    }

    // §5.2: "Each server will vote for at most one candidate in a given term, on a first-come-first-served basis."
    [Theory]
    [InlineData(Raft.None, 2UL, false)]
    [InlineData(Raft.None, 3UL, false)]
    [InlineData(2UL, 2UL, false)]
    [InlineData(3UL, 3UL, false)]
    [InlineData(2UL, 3UL, true)]
    [InlineData(3UL, 2UL, true)]
    public void Section5_2_FollowerVotesForAtMostOneCandidatePerTerm(ulong vote, ulong candidate, bool expectReject)
    {
        var storage = NewStorage(Three);
        storage.SetHardState(new HardState { Term = 1, Vote = vote });
        var r = NewRaft(1, 10, 1, storage);

        r.Step(new Message { From = candidate, To = 1, Term = 1, Type = MessageType.MsgVote });

        var resp = Assert.Single(ReadMessages(r));
        Assert.Equal(MessageType.MsgVoteResp, resp.Type);
        Assert.Equal(candidate, resp.To);
        Assert.Equal(expectReject, resp.Reject);
        Assert.Equal(expectReject ? vote : candidate, r.Vote);
    }

    // §5.2: "While waiting for votes, a candidate may receive an AppendEntries RPC from another server claiming to
    // be leader. If the leader's term is at least as large as the candidate's current term, then the candidate
    // recognizes the leader as legitimate and returns to follower state."
    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    public void Section5_2_CandidateFallsBackToFollowerOnLegitimateLeader(ulong leaderTerm)
    {
        var r = NewRaft(1, Three);
        r.Step(new Message { From = 1, To = 1, Type = MessageType.MsgHup });
        Assert.Equal(StateType.Candidate, r.State);

        r.Step(new Message { From = 2, To = 1, Term = leaderTerm, Type = MessageType.MsgApp });

        Assert.Equal(StateType.Follower, r.State);
        Assert.Equal(leaderTerm, r.Term);
        Assert.Equal(2UL, r.Lead);
    }

    // §5.2: "Raft uses randomized election timeouts ... election timeouts are chosen randomly from a fixed interval".
    // Here the interval is [ElectionTick, 2*ElectionTick), and every value in it occurs.
    [Theory]
    [InlineData(StateType.Follower)]
    [InlineData(StateType.Candidate)]
    public void Section5_2_ElectionTimeoutIsRandomizedOverTheInterval(StateType state)
    {
        const int election = 10;
        var r = NewRaft(1, Three, election);
        var seen = new HashSet<int>();
        for (int round = 0; round < 50 * election; round++)
        {
            if (state == StateType.Follower)
            {
                r.BecomeFollower(r.Term + 1, 2);
            }
            else
            {
                r.BecomeFollower(r.Term, Raft.None);
                r.BecomeCandidate();
            }
            ulong term = r.Term;
            int ticks = 0;
            while (r.Term == term)
            {
                r.Tick();
                ticks++;
            }
            r.TakeMessages();
            seen.Add(ticks);
        }

        Assert.Equal(Enumerable.Range(election, election), seen.Order());
    }

    // §5.2: "election timeouts are chosen randomly ... This spreads out the servers so that in most cases only a
    // single server will time out". Servers with different seeds rarely time out on the same tick.
    [Theory]
    [InlineData(StateType.Follower)]
    [InlineData(StateType.Candidate)]
    public void Section5_2_InMostCasesOnlyOneServerTimesOut(StateType state)
    {
        const int election = 10;
        const int size = 5;
        const int rounds = 1000;
        ulong[] ids = Enumerable.Range(1, size).Select(i => (ulong)i).ToArray();
        var nodes = ids.Select(id => NewRaft(id, ids, election)).ToArray();
        int conflicts = 0;
        for (int round = 0; round < rounds; round++)
        {
            foreach (var r in nodes)
            {
                if (state == StateType.Follower)
                {
                    r.BecomeFollower(r.Term + 1, Raft.None);
                }
                else
                {
                    r.BecomeFollower(r.Term, Raft.None);
                    r.BecomeCandidate();
                }
            }
            int timedOut = 0;
            while (timedOut == 0)
            {
                foreach (var r in nodes)
                {
                    ulong term = r.Term;
                    r.Tick();
                    if (r.Term != term)
                    {
                        timedOut++;
                    }
                }
            }
            foreach (var r in nodes)
            {
                r.TakeMessages();
            }
            if (timedOut > 1)
            {
                conflicts++;
            }
        }

        // With 5 servers and 10 possible timeouts, a collision of the earliest timeout is rare.
        Assert.True(conflicts / (double)rounds <= 0.3, $"{conflicts} of {rounds} rounds had several timeouts");
    }
}

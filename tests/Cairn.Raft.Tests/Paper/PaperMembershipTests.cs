using Cairn.Raft.Raftpb;
using Cairn.Raft.Tests.Support;
using Google.Protobuf;
using static Cairn.Raft.Tests.Support.RaftTestUtil;

namespace Cairn.Raft.Tests.Paper;

/// <summary>Rules of the Raft paper, §6 (cluster membership changes), one test each. As in etcd-io/raft, a
/// configuration takes effect when its entry is applied (<see cref="Raft.ApplyConfChange"/>).</summary>
public sealed class PaperMembershipTests
{
    // §6: "Agreement (for elections and entry commitment) requires separate majorities from both the old and new
    // configurations." Elections first.
    [Fact]
    public void Section6_JointConsensusElectionNeedsMajoritiesOfBothConfigurations()
    {
        var r = NewRaft(1, 10, 1, NewStorage(Joint([1, 2, 3], [1, 4, 5])));
        r.Step(Hup(1));
        Assert.Equal(
            ["1->2 MsgVote Term:1 Log:0/0", "1->3 MsgVote Term:1 Log:0/0", "1->4 MsgVote Term:1 Log:0/0", "1->5 MsgVote Term:1 Log:0/0"],
            ReadMessages(r).Select(Util.DescribeMessage));

        r.Step(Vote(2, 1, 1));
        Assert.Equal(StateType.Candidate, r.State); // a majority of the new configuration only

        r.Step(Vote(4, 1, 1));
        Assert.Equal(StateType.Leader, r.State);
    }

    // §6: "Agreement (for elections and entry commitment) requires separate majorities from both the old and new
    // configurations." Now commitment.
    [Fact]
    public void Section6_JointConsensusCommitNeedsMajoritiesOfBothConfigurations()
    {
        var r = NewRaft(1, 10, 1, NewStorage(Joint([1, 2, 3], [1, 4, 5])));
        r.Step(Hup(1));
        r.Step(Vote(2, 1, 1));
        r.Step(Vote(4, 1, 1));
        Assert.Equal(StateType.Leader, r.State);
        r.TakeMessages();

        r.Step(AppResp(2, 1, 1, 1));
        r.Step(AppResp(3, 1, 1, 1));
        Assert.Equal(0UL, r.RaftLog.Committed); // the old configuration (1 4 5) has one replica

        r.Step(AppResp(4, 1, 1, 1));
        Assert.Equal(1UL, r.RaftLog.Committed);
    }

    // §6: "Any server from either configuration may serve as leader." A server only in the old configuration and
    // one only in the new configuration can both win with the joint majorities.
    [Theory]
    [InlineData(3UL)]
    [InlineData(4UL)]
    public void Section6_AnyServerFromEitherConfigurationMayLead(ulong candidate)
    {
        var r = NewRaft(candidate, 10, 1, NewStorage(Joint([1, 2, 4], [1, 2, 3])));
        r.Step(Hup(candidate));
        r.Step(Vote(1, candidate, 1));
        r.Step(Vote(2, candidate, 1));
        Assert.Equal(StateType.Leader, r.State);
    }

    // §6: "there will be a period of time (while it is committing C_new) when the leader is managing a cluster that
    // does not include itself; it replicates log entries but does not count itself in majorities." It also takes no
    // new proposals.
    [Fact]
    public void Section6_RemovedLeaderReplicatesButDoesNotCountItselfInMajorities()
    {
        var (r, _) = NewLeader([1, 2, 3]);
        r.Step(Prop(1, "x"));
        Assert.Equal(2UL, r.RaftLog.LastIndex());
        r.TakeMessages();

        r.ApplyConfChange(ConfChangeParser.Parse("r1"));

        r.Step(AppResp(2, 1, 1, 2));
        Assert.Equal(1UL, r.RaftLog.Committed); // 1 and 2 would be a majority of (1 2 3), but 1 no longer counts
        r.Step(AppResp(3, 1, 1, 2));
        Assert.Equal(2UL, r.RaftLog.Committed);
        Assert.Equal(RaftError.ProposalDropped, r.Step(Prop(1, "y")));
    }

    // §6 (and §4.1 of the thesis): configuration changes happen one at a time; "the leader will not begin a new
    // configuration change until the previous one has been applied". A second change is neutralized into an empty
    // normal entry.
    [Fact]
    public void Section6_LeaderAcceptsOneConfigurationChangeAtATime()
    {
        var (r, _) = NewLeader([1, 2, 3]);

        r.Step(ConfChangeProp(ConfChangeParser.Parse("v4")));
        r.Step(ConfChangeProp(ConfChangeParser.Parse("v5")));

        var entries = r.RaftLog.AllEntries();
        Assert.Equal(EntryType.EntryConfChangeV2, entries[1].Type);
        Assert.Equal(EntryType.EntryNormal, entries[2].Type);
        Assert.True(entries[2].Data.IsEmpty);
        Assert.Equal(2UL, r.PendingConfIndex);
    }

    // §6: "new servers may not initially store any log entries ... Raft introduces an additional phase before the
    // configuration change, in which the new servers join the cluster as non-voting members (the leader replicates
    // log entries to them, but they are not considered for majorities)." These are learners.
    [Fact]
    public void Section6_NonVotingMembersReceiveTheLogButDoNotCountForMajorities()
    {
        var s = NewStorage([1, 2], learners: [3]);
        var r = NewRaft(1, 10, 1, s);
        r.BecomeCandidate();
        r.BecomeLeader();
        r.Step(Prop(1, "x"));
        Assert.Contains(r.TakeMessages(), m => m.To == 3 && m.Type == MessageType.MsgApp);

        r.Step(AppResp(3, 1, 1, 2));
        Assert.Equal(0UL, r.RaftLog.Committed);
        r.Step(AppResp(2, 1, 1, 2));
        Assert.Equal(2UL, r.RaftLog.Committed);

        // A non-voting member never campaigns.
        var learner = NewRaft(3, 10, 1, NewStorage([1, 2], learners: [3]));
        for (int i = 0; i < 100; i++)
        {
            learner.Tick();
        }
        Assert.Equal(StateType.Follower, learner.State);
        Assert.Empty(learner.TakeMessages());
    }

    // §6: "servers disregard RequestVote RPCs when they believe a current leader exists. Specifically, if a server
    // receives a RequestVote RPC within the minimum election timeout of hearing from a current leader, it does not
    // update its term or grant its vote." (CheckQuorum enables this lease.)
    [Fact]
    public void Section6_ServerDisregardsVoteRequestsWithinMinimumElectionTimeoutOfLeader()
    {
        var cfg = NewConfig(2, 10, 1, NewStorage([1, 2, 3]));
        cfg.CheckQuorum = true;
        var r = new Raft(cfg);
        r.Step(new Message { From = 1, To = 2, Term = 1, Type = MessageType.MsgHeartbeat });
        r.TakeMessages();

        r.Step(new Message { From = 3, To = 2, Term = 5, Type = MessageType.MsgVote });

        Assert.Equal(1UL, r.Term);
        Assert.Equal(Raft.None, r.Vote);
        Assert.Empty(r.TakeMessages());
    }

    internal static (Raft R, MemoryStorage S) NewLeader(ulong[] peers)
    {
        var s = NewStorage(peers);
        var r = NewRaft(1, 10, 1, s);
        r.BecomeCandidate();
        r.BecomeLeader();
        CommitNoopEntry(r, s);
        return (r, s);
    }

    internal static Message ConfChangeProp(ConfChangeV2 cc)
    {
        var m = new Message { From = 1, To = 1, Type = MessageType.MsgProp };
        m.Entries.Add(new Entry { Type = EntryType.EntryConfChangeV2, Data = cc.ToByteString() });
        return m;
    }
}

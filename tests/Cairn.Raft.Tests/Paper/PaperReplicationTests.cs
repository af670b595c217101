using Cairn.Raft.Raftpb;
using Cairn.Raft.Tests.Support;
using static Cairn.Raft.Tests.Support.RaftTestUtil;

namespace Cairn.Raft.Tests.Paper;

/// <summary>Rules of the Raft paper, §5.3 (log replication), one test each.</summary>
public sealed class PaperReplicationTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    private static (Raft R, MemoryStorage S) NewLeader(ulong[] peers)
    {
        var s = NewStorage(peers);
        var r = NewRaft(1, 10, 1, s);
        r.BecomeCandidate();
        r.BecomeLeader();
        CommitNoopEntry(r, s);
        return (r, s);
    }

    private static Message AcceptAndReply(Message m) =>
        new()
        {
            From = m.To,
            To = m.From,
            Term = m.Term,
            Type = MessageType.MsgAppResp,
            Index = m.Index + (ulong)m.Entries.Count,
        };

    // §5.3: "The leader appends the command to its log as a new entry, then issues AppendEntries RPCs in parallel
    // to each of the other servers to replicate the entry. ... When sending an AppendEntries RPC, the leader
    // includes the index and term of the entry in its log that immediately precedes the new entries."
    [Fact]
    public void Section5_3_LeaderAppendsThenReplicatesWithPrecedingIndexAndTerm()
    {
        var (r, _) = NewLeader(Three);
        ulong li = r.RaftLog.LastIndex();

        r.Step(Prop(1, "some data"));

        Assert.Equal(li + 1, r.RaftLog.LastIndex());
        Assert.Equal(li, r.RaftLog.Committed);
        Assert.Equal(
            ["1->2 MsgApp Term:1 Log:1/1 Commit:1 Entries:[1/2 some data]",
             "1->3 MsgApp Term:1 Log:1/1 Commit:1 Entries:[1/2 some data]"],
            ReadMessages(r).OrderBy(m => m.To).Select(Util.DescribeMessage));
        Assert.Equal(["1/2 some data"], r.RaftLog.UnstableEntries().Select(Util.DescribeEntry));
    }

    // §5.3: "When the entry has been safely replicated, the leader applies the entry to its state machine ...
    // The leader keeps track of the highest index it knows to be committed, and it includes that index in future
    // AppendEntries RPCs (including heartbeats) so that the other servers eventually find out."
    [Fact]
    public void Section5_3_LeaderCommitsReplicatedEntryAndAnnouncesCommitIndex()
    {
        var (r, s) = NewLeader(Three);
        ulong li = r.RaftLog.LastIndex();
        r.Step(Prop(1, "some data"));

        foreach (var m in ReadMessages(r))
        {
            r.Step(AcceptAndReply(m));
        }

        Assert.Equal(li + 1, r.RaftLog.Committed);
        Assert.Equal(["1/2 some data"], NextEnts(r, s).Select(Util.DescribeEntry));
        var msgs = ReadMessages(r).OrderBy(m => m.To).ToList();
        Assert.Equal([2UL, 3UL], msgs.Select(m => m.To));
        Assert.All(msgs, m => Assert.Equal((MessageType.MsgApp, li + 1), (m.Type, m.Commit)));
    }

    // §5.3: "A log entry is committed once the leader that created the entry has replicated it on a majority of
    // the servers."
    [Theory]
    [InlineData(1, new ulong[0], true)]
    [InlineData(3, new ulong[0], false)]
    [InlineData(3, new ulong[] { 2 }, true)]
    [InlineData(3, new ulong[] { 2, 3 }, true)]
    [InlineData(5, new ulong[0], false)]
    [InlineData(5, new ulong[] { 2 }, false)]
    [InlineData(5, new ulong[] { 2, 3 }, true)]
    [InlineData(5, new ulong[] { 2, 3, 4 }, true)]
    [InlineData(5, new ulong[] { 2, 3, 4, 5 }, true)]
    public void Section5_3_EntryCommitsOnceReplicatedOnMajority(int size, ulong[] acceptors, bool committed)
    {
        ulong[] ids = Enumerable.Range(1, size).Select(i => (ulong)i).ToArray();
        var (r, _) = NewLeader(ids);
        ulong li = r.RaftLog.LastIndex();
        r.Step(Prop(1, "some data"));

        foreach (var m in ReadMessages(r))
        {
            if (acceptors.Contains(m.To))
            {
                r.Step(AcceptAndReply(m));
            }
        }

        Assert.Equal(committed, r.RaftLog.Committed > li);
    }

    // §5.3: "When the leader commits an entry, it also commits all preceding entries in the leader's log,
    // including entries created by previous leaders."
    [Theory]
    [InlineData(new ulong[0])]
    [InlineData(new ulong[] { 2 })]
    [InlineData(new ulong[] { 1, 1 })]
    [InlineData(new ulong[] { 1, 2 })]
    public void Section5_3_CommittingAnEntryCommitsAllPrecedingEntries(ulong[] previousTerms)
    {
        var s = StorageWithTerms(Three, previousTerms);
        s.SetHardState(new HardState { Term = 2 });
        var r = NewRaft(1, 10, 1, s);
        r.BecomeCandidate();
        r.BecomeLeader();
        r.Step(Prop(1, "some data"));

        foreach (var m in ReadMessages(r))
        {
            r.Step(AcceptAndReply(m));
        }

        ulong li = (ulong)previousTerms.Length;
        var expected = previousTerms.Select((t, i) => $"{t}/{i + 1}")
            .Append($"3/{li + 1}")
            .Append($"3/{li + 2} some data");
        Assert.Equal(expected, NextEnts(r, s).Select(Util.DescribeEntry));
    }

    // §5.3: "Once a follower learns that a log entry is committed, it applies the entry to its local state machine
    // (in log order)."
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(2, 1)]
    public void Section5_3_FollowerAppliesCommittedEntriesInLogOrder(int count, ulong commit)
    {
        var s = NewStorage(Three);
        var r = NewRaft(1, 10, 1, s);
        r.BecomeFollower(1, 2);
        var entries = Enumerable.Range(1, count).Select(i => Ent((ulong)i, 1, $"data{i}")).ToArray();

        r.Step(AppendMsg(2, 1, term: 1, logTerm: 0, index: 0, commit: commit, entries));

        Assert.Equal(commit, r.RaftLog.Committed);
        Assert.Equal(
            entries.Take((int)commit).Select(Util.DescribeEntry),
            NextEnts(r, s).Select(Util.DescribeEntry));
    }

    // §5.3: "When sending an AppendEntries RPC, the leader includes the index and term of the entry in its log
    // that immediately precedes the new entries. If the follower does not find an entry in its log with the same
    // index and term, then it refuses the new entries." A refusal carries a hint: the last index at or below the
    // probe whose term is at most the probe's term, and that term.
    [Theory]
    [InlineData(0UL, 0UL, "1->2 MsgAppResp Term:2 Log:0/1")] // below our commit index: answer with the commit
    [InlineData(1UL, 1UL, "1->2 MsgAppResp Term:2 Log:0/1")]
    [InlineData(2UL, 2UL, "1->2 MsgAppResp Term:2 Log:0/2")]
    [InlineData(1UL, 2UL, "1->2 MsgAppResp Term:2 Log:1/2 Rejected (Hint: 1)")] // term mismatch at index 2
    [InlineData(3UL, 3UL, "1->2 MsgAppResp Term:2 Log:2/3 Rejected (Hint: 2)")] // we lack index 3
    public void Section5_3_FollowerRefusesEntriesWithoutMatchingPrecedingEntry(ulong term, ulong index, string expected)
    {
        var s = StorageWithTerms(Three, 1, 2);
        s.SetHardState(new HardState { Commit = 1 });
        var r = NewRaft(1, 10, 1, s);
        r.BecomeFollower(2, 2);

        r.Step(AppendMsg(2, 1, term: 2, logTerm: term, index: index, commit: index));

        Assert.Equal(expected, Util.DescribeMessage(Assert.Single(ReadMessages(r))));
    }

    // §5.3: "If an existing entry conflicts with a new one (same index but different terms), delete the existing
    // entry and all that follow it; append any new entries not already in the log."
    [Theory]
    [InlineData(2UL, 2UL, new[] { "3/3" }, new[] { "1/1", "2/2", "3/3" }, new[] { "3/3" })]
    [InlineData(1UL, 1UL, new[] { "3/2", "4/3" }, new[] { "1/1", "3/2", "4/3" }, new[] { "3/2", "4/3" })]
    [InlineData(0UL, 0UL, new[] { "1/1" }, new[] { "1/1", "2/2" }, new string[0])]
    [InlineData(0UL, 0UL, new[] { "3/1" }, new[] { "3/1" }, new[] { "3/1" })]
    public void Section5_3_FollowerDeletesConflictingEntriesAndAppendsNewOnes(
        ulong index, ulong term, string[] entries, string[] expectedLog, string[] expectedUnstable)
    {
        var s = StorageWithTerms(Three, 1, 2);
        var r = NewRaft(1, 10, 1, s);
        r.BecomeFollower(2, 2);
        var ents = entries.Select(e => e.Split('/')).Select(p => Ent(ulong.Parse(p[1]), ulong.Parse(p[0]))).ToArray();

        r.Step(AppendMsg(2, 1, term: 2, logTerm: term, index: index, commit: 0, ents));

        Assert.Equal(expectedLog, r.RaftLog.AllEntries().Select(Util.DescribeEntry));
        Assert.Equal(expectedUnstable, r.RaftLog.UnstableEntries().Select(Util.DescribeEntry));
    }

    // §5.3, Figure 7: "the leader must find the latest log entry where the two logs agree, delete any entries in
    // the follower's log after that point, and send the follower all of the leader's entries after that point."
    // Followers (a)-(f) of Figure 7 end up with exactly the leader's log.
    [Theory]
    [InlineData(new ulong[] { 1, 1, 1, 4, 4, 5, 5, 6, 6 })]                    // (a) missing entries
    [InlineData(new ulong[] { 1, 1, 1, 4 })]                                   // (b) missing entries
    [InlineData(new ulong[] { 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6 })]              // (c) extra uncommitted entries
    [InlineData(new ulong[] { 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7 })]           // (d) extra entries
    [InlineData(new ulong[] { 1, 1, 1, 4, 4, 4, 4 })]                          // (e) missing and extra
    [InlineData(new ulong[] { 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3 })]              // (f) missing and extra
    public void Section5_3_LeaderBringsFollowerLogIntoConsistency(ulong[] followerTerms)
    {
        ulong[] leaderTerms = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
        var leadStorage = StorageWithTerms(Three, leaderTerms);
        leadStorage.SetHardState(new HardState { Term = 8, Commit = (ulong)leaderTerms.Length });
        var lead = NewRaft(1, 10, 1, leadStorage);
        var followerStorage = StorageWithTerms(Three, followerTerms);
        followerStorage.SetHardState(new HardState { Term = 7 });
        var follower = NewRaft(2, 10, 1, followerStorage);

        // Node 3 grants its vote and then goes silent: node 1 leads node 2 alone.
        var net = new Network(new RaftPeer(lead), new RaftPeer(follower), new BlackHole());
        net.Send(new Message { From = 1, To = 1, Type = MessageType.MsgHup });
        net.Send(new Message { From = 3, To = 1, Type = MessageType.MsgVoteResp, Term = lead.Term });
        net.Send(Prop(1, ""));

        Assert.Equal(StateType.Leader, lead.State);
        Assert.Equal(
            lead.RaftLog.AllEntries().Select(Util.DescribeEntry),
            follower.RaftLog.AllEntries().Select(Util.DescribeEntry));
        Assert.Equal(lead.RaftLog.Committed, follower.RaftLog.Committed);
    }

    // §5.3: "If followers crash or run slowly, or if network packets are lost, the leader retries AppendEntries
    // RPCs indefinitely until all followers eventually store all log entries."
    [Fact]
    public void Section5_3_LeaderRetriesAppendEntriesUntilFollowerStoresAllEntries()
    {
        var net = Network.OfSize(3);
        net.Send(Hup(1));
        net.Drop(1, 3, 1.0); // everything to 3 is lost for a while
        for (int i = 0; i < 5; i++)
        {
            net.Send(Prop(1, $"e{i}"));
        }
        Assert.Equal(1UL, net.Raft(3).RaftLog.LastIndex());

        net.Recover();
        var leader = net.Raft(1);
        for (int i = 0; i < 3; i++)
        {
            leader.Tick(); // heartbeats prompt the retries
            net.Send(leader.TakeMessages().ToArray());
        }

        Assert.Equal(
            leader.RaftLog.AllEntries().Select(Util.DescribeEntry),
            net.Raft(3).RaftLog.AllEntries().Select(Util.DescribeEntry));
        Assert.Equal(leader.RaftLog.Committed, net.Raft(3).RaftLog.Committed);
    }

    // §5.3, Figure 3 (Leader Append-Only): "a leader never overwrites or deletes entries in its log; it only
    // appends new entries." A (bogus) append of the same term with conflicting entries does not touch its log.
    [Fact]
    public void Section5_3_LeaderNeverOverwritesOrDeletesItsEntries()
    {
        var (r, _) = NewLeader(Three);
        r.Step(Prop(1, "mine"));
        var before = r.RaftLog.AllEntries().Select(Util.DescribeEntry).ToList();

        r.Step(AppendMsg(2, 1, term: 1, logTerm: 0, index: 0, commit: 0, Ent(1, 1, "other"), Ent(2, 1, "other")));

        Assert.Equal(StateType.Leader, r.State);
        Assert.Equal(before, r.RaftLog.AllEntries().Select(Util.DescribeEntry));
    }

    // §5.5: "Raft RPCs are idempotent ... if a follower receives an AppendEntries request that includes log entries
    // already present in its log, it ignores those entries in the new request."
    [Fact]
    public void Section5_5_RepeatedAppendEntriesHasNoFurtherEffect()
    {
        var s = NewStorage(Three);
        var r = NewRaft(1, 10, 1, s);
        r.BecomeFollower(1, 2);
        var m = AppendMsg(2, 1, term: 1, logTerm: 0, index: 0, commit: 1, Ent(1, 1, "a"), Ent(2, 1, "b"));
        r.Step(m);
        var log = r.RaftLog.AllEntries().Select(Util.DescribeEntry).ToList();

        r.Step(m);
        // A late duplicate of an earlier, shorter append must not truncate the newer entries either.
        r.Step(AppendMsg(2, 1, term: 1, logTerm: 0, index: 0, commit: 1, Ent(1, 1, "a")));

        Assert.Equal(log, r.RaftLog.AllEntries().Select(Util.DescribeEntry));
        Assert.Equal(1UL, r.RaftLog.Committed);
        Assert.Empty(r.RaftLog.UnstableEntries().Skip(2));
    }
}

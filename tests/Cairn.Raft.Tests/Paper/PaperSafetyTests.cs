using Cairn.Raft.Raftpb;
using static Cairn.Raft.Tests.Support.RaftTestUtil;

namespace Cairn.Raft.Tests.Paper;

/// <summary>Rules of the Raft paper, §5.4 (safety), one test each.</summary>
public sealed class PaperSafetyTests
{
    // §5.4.1: "The RequestVote RPC implements this restriction: the RPC includes information about the
    // candidate's log" (the index and term of its last entry).
    [Theory]
    [InlineData(new ulong[] { 1 }, 2UL)]
    [InlineData(new ulong[] { 1, 2 }, 3UL)]
    public void Section5_4_1_VoteRequestCarriesCandidatesLastLogIndexAndTerm(ulong[] terms, ulong campaignTerm)
    {
        var r = NewRaft(1, [1, 2, 3]);
        var entries = terms.Select((t, i) => Ent((ulong)i + 1, t)).ToArray();
        r.Step(AppendMsg(2, 1, term: campaignTerm - 1, logTerm: 0, index: 0, commit: 0, entries));
        r.TakeMessages();

        for (int i = 1; i < 20; i++)
        {
            r.Tick();
        }

        ulong lastIndex = (ulong)terms.Length;
        ulong lastTerm = terms[^1];
        Assert.Equal(
            [$"1->2 MsgVote Term:{campaignTerm} Log:{lastTerm}/{lastIndex}", $"1->3 MsgVote Term:{campaignTerm} Log:{lastTerm}/{lastIndex}"],
            ReadMessages(r).OrderBy(m => m.To).Select(Util.DescribeMessage));
    }

    // §5.4.1: "the voter denies its vote if its own log is more up-to-date than that of the candidate. ... If the
    // logs have last entries with different terms, then the log with the later term is more up-to-date. If the
    // logs end with the same term, then whichever log is longer is more up-to-date."
    [Theory]
    // same last term
    [InlineData(new ulong[] { 1 }, 1UL, 1UL, false)]
    [InlineData(new ulong[] { 1 }, 1UL, 2UL, false)]
    [InlineData(new ulong[] { 1, 1 }, 1UL, 1UL, true)]
    // candidate has a later last term
    [InlineData(new ulong[] { 1 }, 2UL, 1UL, false)]
    [InlineData(new ulong[] { 1 }, 2UL, 2UL, false)]
    [InlineData(new ulong[] { 1, 1 }, 2UL, 1UL, false)]
    // voter has a later last term
    [InlineData(new ulong[] { 2 }, 1UL, 1UL, true)]
    [InlineData(new ulong[] { 2 }, 1UL, 2UL, true)]
    [InlineData(new ulong[] { 2, 1 }, 1UL, 1UL, true)]
    public void Section5_4_1_VoterDeniesCandidateWithLessUpToDateLog(ulong[] voterTerms, ulong logTerm, ulong index, bool reject)
    {
        var r = NewRaft(1, 10, 1, StorageWithTerms([1, 2], voterTerms));

        r.Step(new Message { From = 2, To = 1, Type = MessageType.MsgVote, Term = 3, LogTerm = logTerm, Index = index });

        var resp = Assert.Single(ReadMessages(r));
        Assert.Equal(MessageType.MsgVoteResp, resp.Type);
        Assert.Equal(reject, resp.Reject);
    }

    // §5.4.2: "Raft never commits log entries from previous terms by counting replicas. Only log entries from the
    // leader's current term are committed by counting replicas; once an entry from the current term has been
    // committed in this way, then all prior entries are committed indirectly."
    [Theory]
    [InlineData(1UL, 0UL)]
    [InlineData(2UL, 0UL)]
    [InlineData(3UL, 3UL)]
    public void Section5_4_2_LeaderOnlyCommitsEntriesOfItsCurrentTermByCountingReplicas(ulong ackIndex, ulong expectedCommit)
    {
        var s = StorageWithTerms([1, 2], 1, 2);
        s.SetHardState(new HardState { Term = 2 });
        var r = NewRaft(1, 10, 1, s);
        r.BecomeCandidate();
        r.BecomeLeader();
        r.TakeMessages();
        // The leader's own empty entry of term 3 sits at index 3.

        r.Step(new Message { From = 2, To = 1, Type = MessageType.MsgAppResp, Term = r.Term, Index = ackIndex });

        Assert.Equal(expectedCommit, r.RaftLog.Committed);
    }

    // §5.4.3 (Leader Completeness, as used by the election restriction): a node whose log lacks a committed entry
    // cannot be elected, because every majority contains a voter holding that entry.
    [Fact]
    public void Section5_4_3_NodeMissingCommittedEntryCannotWinElection()
    {
        var net = Support.Network.OfSize(3);
        net.Send(new Message { From = 1, To = 1, Type = MessageType.MsgHup });
        // Node 3 misses the committed entry.
        net.Isolate(3);
        net.Send(Prop(1, "committed"));
        Assert.Equal(2UL, net.Raft(1).RaftLog.Committed);
        net.Recover();
        // Node 1 goes away; node 3 campaigns, but node 2 has the committed entry and refuses it.
        net.Isolate(1);
        net.Send(new Message { From = 3, To = 3, Type = MessageType.MsgHup });

        Assert.NotEqual(StateType.Leader, net.Raft(3).State);
        net.Send(new Message { From = 2, To = 2, Type = MessageType.MsgHup });
        Assert.Equal(StateType.Leader, net.Raft(2).State);
    }
}

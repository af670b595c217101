using Cairn.Raft.Raftpb;
using Cairn.Raft.Tests.Support;
using Google.Protobuf;
using static Cairn.Raft.Tests.Support.RaftTestUtil;

namespace Cairn.Raft.Tests.Paper;

/// <summary>Rules of the Raft paper, §8 (client interaction: read-only operations), one test each.</summary>
public sealed class PaperClientTests
{
    private static Message ReadIndexMsg(string ctx)
    {
        var m = new Message { From = 1, To = 1, Type = MessageType.MsgReadIndex };
        m.Entries.Add(new Entry { Data = ByteString.CopyFromUtf8(ctx) });
        return m;
    }

    // §8: "a leader must have the latest information on which entries are committed ... Raft handles this by
    // having each leader commit a blank no-op entry into the log at the start of its term."
    [Fact]
    public void Section8_NewLeaderCommitsBlankEntryAtStartOfTerm()
    {
        var net = Network.OfSize(3);
        net.Send(Hup(1));

        var leader = net.Raft(1);
        Assert.Equal(StateType.Leader, leader.State);
        var entry = Assert.Single(leader.RaftLog.AllEntries());
        Assert.Equal((1UL, 1UL, true), (entry.Index, entry.Term, entry.Data.IsEmpty));
        Assert.Equal(1UL, leader.RaftLog.Committed);
    }

    // §8: "a leader must check whether it has been deposed before processing a read-only request ... Raft handles
    // this by having the leader exchange heartbeat messages with a majority of the cluster before responding to
    // read-only requests."
    [Fact]
    public void Section8_ReadIsAnsweredOnlyAfterHeartbeatExchangeWithMajority()
    {
        var (r, _) = PaperMembershipTests.NewLeader([1, 2, 3]);

        r.Step(ReadIndexMsg("ctx"));
        Assert.Empty(r.ReadStates);
        var heartbeats = r.TakeMessages();
        Assert.Equal(
            ["1->2 MsgHeartbeat Term:1 Log:0/0 Commit:1 Context:ctx", "1->3 MsgHeartbeat Term:1 Log:0/0 Commit:1 Context:ctx"],
            heartbeats.Select(Util.DescribeMessage));

        r.Step(new Message { From = 2, To = 1, Term = 1, Type = MessageType.MsgHeartbeatResp, Context = ByteString.CopyFromUtf8("ctx") });

        var rs = Assert.Single(r.ReadStates);
        Assert.Equal((1UL, "ctx"), (rs.Index, rs.RequestCtx.ToStringUtf8()));
    }

    // §8: the read index is the leader's commit index, which is only known to be current once the leader has
    // committed an entry of its own term; a read arriving earlier waits for that.
    [Fact]
    public void Section8_ReadWaitsUntilLeaderCommittedEntryOfItsTerm()
    {
        var s = StorageWithTerms([1, 2, 3], 1, 1);
        s.SetHardState(new HardState { Term = 1, Commit = 1 });
        var r = NewRaft(1, 10, 1, s);
        r.BecomeCandidate();
        r.BecomeLeader();
        r.TakeMessages();

        r.Step(ReadIndexMsg("early"));
        Assert.DoesNotContain(r.TakeMessages(), m => m.Type == MessageType.MsgHeartbeat);

        r.Step(AppResp(2, 1, 2, 3));
        Assert.Equal(3UL, r.RaftLog.Committed);
        Assert.Contains(r.TakeMessages(), m => m.Type == MessageType.MsgHeartbeat && m.Context.ToStringUtf8() == "early");
        r.Step(new Message { From = 3, To = 1, Term = 2, Type = MessageType.MsgHeartbeatResp, Context = ByteString.CopyFromUtf8("early") });

        Assert.Equal(3UL, Assert.Single(r.ReadStates).Index);
    }
}

using Cairn.Raft.Raftpb;
using Cairn.Raft.Tests.Support;
using Google.Protobuf;

namespace Cairn.Raft.Tests;

public sealed class RawNodeTests
{
    private static (RawNode Node, MemoryStorage Storage) NewNode(ulong id = 1, Action<Config>? configure = null, MemoryStorage? storage = null)
    {
        storage ??= new MemoryStorage();
        var cfg = RaftTestUtil.NewConfig(id, 10, 1, storage);
        configure?.Invoke(cfg);
        return (new RawNode(cfg), storage);
    }

    /// <summary>Processes one Ready the way a host must: persist, (send), apply, advance.</summary>
    private static Ready Handle(RawNode node, MemoryStorage storage)
    {
        var rd = node.Ready();
        if (rd.Snapshot is not null)
        {
            storage.ApplySnapshot(rd.Snapshot);
        }
        storage.Append(rd.Entries);
        if (rd.HardState is not null)
        {
            storage.SetHardState(rd.HardState);
        }
        foreach (var e in rd.CommittedEntries)
        {
            if (e.Type == EntryType.EntryConfChange)
            {
                node.ApplyConfChange(Raftpb.ConfChange.Parser.ParseFrom(e.Data));
            }
            else if (e.Type == EntryType.EntryConfChangeV2)
            {
                node.ApplyConfChange(ConfChangeV2.Parser.ParseFrom(e.Data));
            }
        }
        node.Advance(rd);
        return rd;
    }

    private static List<Ready> Drain(RawNode node, MemoryStorage storage)
    {
        var all = new List<Ready>();
        while (node.HasReady())
        {
            all.Add(Handle(node, storage));
        }
        return all;
    }

    [Fact]
    public void SingleNode_BootstrapCampaignPropose_CommitsProposal()
    {
        var (node, storage) = NewNode();
        node.Bootstrap([new Peer(1)]);
        var first = Drain(node, storage);
        Assert.Equal(1UL, Assert.Single(first).CommittedEntries.Single().Index);

        Assert.Equal(RaftError.None, node.Campaign());
        var elected = Drain(node, storage);
        Assert.Contains(elected, rd => rd.SoftState is { RaftState: StateType.Leader, Lead: 1 });

        Assert.Equal(RaftError.None, node.Propose(ByteString.CopyFromUtf8("foo")));
        var rd = node.Ready();
        Assert.Equal("foo", Assert.Single(rd.Entries).Data.ToStringUtf8());
        Assert.Equal("foo", Assert.Single(rd.CommittedEntries).Data.ToStringUtf8());
        Assert.True(rd.MustSync);
        Assert.Equal(3UL, rd.HardState!.Commit);
        storage.Append(rd.Entries);
        storage.SetHardState(rd.HardState);
        node.Advance(rd);
        Assert.False(node.HasReady());
        Assert.Equal(3UL, node.BasicStatus().Applied);
    }

    [Fact]
    public void Propose_NoLeader_ReturnsProposalDropped()
    {
        var (node, storage) = NewNode();
        node.Bootstrap([new Peer(1), new Peer(2)]);
        Drain(node, storage);

        Assert.Equal(RaftError.ProposalDropped, node.Propose(ByteString.CopyFromUtf8("x")));
        Assert.Equal("raft proposal dropped", RaftError.ProposalDropped.Message());
    }

    [Fact]
    public void Step_LocalMessageOrUnknownResponder_IsRefused()
    {
        var (node, storage) = NewNode();
        node.Bootstrap([new Peer(1)]);
        Drain(node, storage);

        Assert.Equal(RaftError.StepLocalMsg, node.Step(new Message { Type = MessageType.MsgHup, From = 1 }));
        Assert.Equal(RaftError.StepPeerNotFound, node.Step(new Message { Type = MessageType.MsgAppResp, From = 9, Term = 1 }));
    }

    [Fact]
    public void Ready_HardStateChange_PersistedBeforeMessages()
    {
        var (node, storage) = NewNode();
        node.Bootstrap([new Peer(1), new Peer(2)]);
        Drain(node, storage);

        node.Campaign();
        var rd = node.Ready();

        // The vote request goes out in the same Ready that carries the new term and self-vote to persist first.
        Assert.Equal(new HardState { Term = 2, Vote = 1, Commit = 2 }, rd.HardState);
        Assert.True(rd.MustSync);
        Assert.Equal("1->2 MsgVote Term:2 Log:1/2", Util.DescribeMessage(Assert.Single(rd.Messages)));
    }

    [Fact]
    public void Ready_CommitOnlyChange_DoesNotRequireSync()
    {
        var (node, storage) = NewNode();
        node.Bootstrap([new Peer(1), new Peer(2)]);
        Drain(node, storage);
        node.Step(new Message { From = 2, To = 1, Type = MessageType.MsgApp, Term = 2, LogTerm = 1, Index = 2, Entries = { new Entry { Term = 2, Index = 3 } } });
        Drain(node, storage);

        node.Step(new Message { From = 2, To = 1, Type = MessageType.MsgHeartbeat, Term = 2, Commit = 3 });
        var rd = node.Ready();

        Assert.Equal(3UL, rd.HardState!.Commit);
        Assert.False(rd.MustSync);
        Assert.Single(rd.CommittedEntries);
    }

    [Fact]
    public void Restart_FromStorage_RestoresStateWithoutReapplying()
    {
        var (node, storage) = NewNode();
        node.Bootstrap([new Peer(1)]);
        Drain(node, storage);
        node.Campaign();
        Drain(node, storage);
        node.Propose(ByteString.CopyFromUtf8("a"));
        Drain(node, storage);
        // The configuration comes from the storage's snapshot: snapshot what was applied, then restart there.
        storage.CreateSnapshot(3, node.Status().ConfState, ByteString.CopyFromUtf8("state"), out _);
        storage.Compact(3);

        var (restarted, _) = NewNode(storage: storage, configure: c => c.Applied = 3);

        var st = restarted.BasicStatus();
        Assert.Equal(new HardState { Term = 2, Vote = 1, Commit = 3 }, st.HardState);
        Assert.Equal(StateType.Follower, st.SoftState.RaftState);
        Assert.False(restarted.HasReady());
        Assert.Equal(Util.DescribeConfState(new ConfState { Voters = { 1 } }), Util.DescribeConfState(restarted.Status().ConfState));
    }

    [Fact]
    public void Restart_WithoutApplied_RedeliversCommittedEntries()
    {
        var (node, storage) = NewNode();
        node.Bootstrap([new Peer(1)]);
        Drain(node, storage);
        node.Campaign();
        Drain(node, storage);
        node.Propose(ByteString.CopyFromUtf8("a"));
        Drain(node, storage);

        var (restarted, _) = NewNode(storage: storage);

        var rd = restarted.Ready();
        Assert.Equal(["1/1 ConfChange v1", "2/2", "2/3 a"], rd.CommittedEntries.Select(Util.DescribeEntry));
        Assert.Empty(rd.Entries);
    }

    [Fact]
    public void ReadIndex_SingleVoter_AnsweredAtOnce()
    {
        var (node, storage) = NewNode();
        node.Bootstrap([new Peer(1)]);
        Drain(node, storage);
        node.Campaign();
        Drain(node, storage);

        node.ReadIndex(ByteString.CopyFromUtf8("req-1"));

        var rd = node.Ready();
        var rs = Assert.Single(rd.ReadStates);
        Assert.Equal((2UL, "req-1"), (rs.Index, rs.RequestCtx.ToStringUtf8()));
    }

    [Fact]
    public void ProposeConfChange_AddVoter_AppliesNewConfiguration()
    {
        var (node, storage) = NewNode();
        node.Bootstrap([new Peer(1)]);
        Drain(node, storage);
        node.Campaign();
        Drain(node, storage);

        var cc = new Raftpb.ConfChange { Type = ConfChangeType.ConfChangeAddNode, NodeId = 2 };
        Assert.Equal(RaftError.None, node.ProposeConfChange(cc));
        var readies = Drain(node, storage);

        Assert.Contains(readies.SelectMany(r => r.CommittedEntries), e => e.Type == EntryType.EntryConfChange);
        Assert.Equal([1UL, 2UL], node.Status().ConfState.Voters);
        // The new voter is probed at once.
        Assert.Contains(readies.SelectMany(r => r.Messages), m => m.To == 2 && m.Type == MessageType.MsgApp);
    }

    [Fact]
    public void Status_OnLeader_IncludesProgressOfEveryPeer()
    {
        var (node, storage) = NewNode();
        node.Bootstrap([new Peer(1), new Peer(2), new Peer(3)]);
        Drain(node, storage);
        node.Campaign();
        Drain(node, storage);
        node.Step(new Message { From = 2, To = 1, Type = MessageType.MsgVoteResp, Term = 2 });
        Drain(node, storage);

        var status = node.Status();
        Assert.Equal(StateType.Leader, status.SoftState.RaftState);
        Assert.Equal([1UL, 2UL, 3UL], status.Progress.Keys);
        Assert.Equal(4UL, status.Progress[1].Match);
    }

    [Fact]
    public void Bootstrap_NonEmptyStorage_Throws()
    {
        var (node, storage) = NewNode();
        node.Bootstrap([new Peer(1)]);
        Drain(node, storage);
        var (again, _) = NewNode(storage: storage);
        Assert.Throws<InvalidOperationException>(() => again.Bootstrap([new Peer(1)]));
    }
}

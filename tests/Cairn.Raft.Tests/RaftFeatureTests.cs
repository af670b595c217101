using Cairn.Raft.Raftpb;
using Cairn.Raft.Tests.Support;
using Cairn.Raft.Tracker;
using Google.Protobuf;
using static Cairn.Raft.Tests.Support.RaftTestUtil;

namespace Cairn.Raft.Tests;

/// <summary>Each feature of the core pinned by a test that fails when the feature is switched off.</summary>
public sealed class RaftFeatureTests
{
    private static Raft Leader(Network net)
    {
        net.Send(Hup(1));
        var r = net.Raft(1);
        Assert.Equal(StateType.Leader, r.State);
        return r;
    }

    [Fact]
    public void PreVote_IsolatedNodeCampaigns_TermDoesNotMove()
    {
        var net = Network.OfSize(3, c => c.PreVote = true);
        Leader(net);
        net.Isolate(3);
        net.Send(Prop(1, "missed-by-3")); // 3's log becomes stale

        for (int i = 0; i < 5; i++)
        {
            net.Send(Hup(3));
        }

        Assert.Equal(StateType.PreCandidate, net.Raft(3).State);
        Assert.Equal(1UL, net.Raft(3).Term);
        net.Recover();
        net.Send(Hup(3));
        // The rejoining node with its stale log did not disturb the leader.
        Assert.Equal(StateType.Leader, net.Raft(1).State);
        Assert.Equal(1UL, net.Raft(1).Term);
    }

    [Fact]
    public void PreVote_WinningPreElection_StartsRealElection()
    {
        var net = Network.OfSize(3, c => c.PreVote = true);
        net.Send(Hup(2));
        Assert.Equal(StateType.Leader, net.Raft(2).State);
        Assert.Equal(1UL, net.Raft(2).Term);
    }

    [Fact]
    public void CheckQuorum_LeaderWithoutQuorum_StepsDown()
    {
        var net = Network.OfSize(3, c => c.CheckQuorum = true);
        var r = Leader(net);
        net.Isolate(1);

        for (int i = 0; i < 2 * 10 + 1; i++)
        {
            r.Tick();
        }

        Assert.Equal(StateType.Follower, r.State);
    }

    [Fact]
    public void CheckQuorum_LeaderWithQuorum_StaysLeader()
    {
        var net = Network.OfSize(3, c => c.CheckQuorum = true);
        var r = Leader(net);
        for (int i = 0; i < 50; i++)
        {
            r.Tick();
            net.Send(r.TakeMessages().ToArray());
        }
        Assert.Equal(StateType.Leader, r.State);
    }

    [Fact]
    public void StaleLeader_WithCheckQuorum_LearnsNewTermFromAppendResponse()
    {
        var cfg = NewConfig(1, 10, 1, NewStorage([1, 2, 3]));
        cfg.CheckQuorum = true;
        var r = new Raft(cfg);
        r.BecomeFollower(3, 2);

        r.Step(AppendMsg(3, 1, term: 1, logTerm: 0, index: 0, commit: 0));

        var resp = Assert.Single(r.TakeMessages());
        Assert.Equal((MessageType.MsgAppResp, 3UL), (resp.Type, resp.Term));
    }

    [Fact]
    public void ReportUnreachable_ReplicatingFollower_FallsBackToProbe()
    {
        var (r, _) = Paper.PaperMembershipTests.NewLeader([1, 2]);
        Assert.Equal(ProgressState.Replicate, r.Trk.Progress[2].State);

        r.Step(new Message { From = 2, To = 1, Type = MessageType.MsgUnreachable });

        Assert.Equal(ProgressState.Probe, r.Trk.Progress[2].State);
    }

    [Fact]
    public void MaxSizePerMsg_LimitsEntriesPerAppend()
    {
        var s = NewStorage([1, 2]);
        var cfg = NewConfig(1, 10, 1, s);
        ulong entrySize = (ulong)Ent(2, 1, "0123456789").CalculateSize();
        cfg.MaxSizePerMsg = 2 * entrySize;
        var r = new Raft(cfg);
        r.BecomeCandidate();
        r.BecomeLeader();
        CommitNoopEntry(r, s);
        r.Trk.Progress[2].BecomeProbe();
        r.Trk.Progress[2].MsgAppFlowPaused = true;
        for (int i = 0; i < 5; i++)
        {
            r.Step(Prop(1, "0123456789"));
        }
        r.TakeMessages();

        r.Trk.Progress[2].MsgAppFlowPaused = false;
        r.Step(new Message { From = 2, To = 1, Term = 1, Type = MessageType.MsgHeartbeatResp });

        var app = Assert.Single(r.TakeMessages(), m => m.Type == MessageType.MsgApp);
        Assert.Equal(2, app.Entries.Count);
    }

    [Fact]
    public void MaxInflightMsgs_FullWindow_PausesAppends()
    {
        var s = NewStorage([1, 2]);
        var cfg = NewConfig(1, 10, 1, s);
        cfg.MaxInflightMsgs = 3;
        var r = new Raft(cfg);
        r.BecomeCandidate();
        r.BecomeLeader();
        CommitNoopEntry(r, s);

        for (int i = 0; i < 5; i++)
        {
            r.Step(Prop(1, $"{i}"));
        }

        Assert.Equal(3, r.TakeMessages().Count(m => m.Type == MessageType.MsgApp && m.Entries.Count > 0));
        Assert.True(r.Trk.Progress[2].IsPaused);
    }

    [Fact]
    public void MaxInflightBytes_FullWindow_PausesAppends()
    {
        var s = NewStorage([1, 2]);
        var cfg = NewConfig(1, 10, 1, s);
        cfg.MaxSizePerMsg = 10;
        cfg.MaxInflightBytes = 25;
        var r = new Raft(cfg);
        r.BecomeCandidate();
        r.BecomeLeader();
        CommitNoopEntry(r, s);

        for (int i = 0; i < 5; i++)
        {
            r.Step(Prop(1, "0123456789"));
        }

        // 10 payload bytes per append: the third reaches 30 >= 25 bytes and fills the window.
        Assert.Equal(3, r.TakeMessages().Count(m => m.Type == MessageType.MsgApp && m.Entries.Count > 0));
        Assert.Equal(30UL, r.Trk.Progress[2].Inflights.Bytes);
    }

    [Fact]
    public void MaxUncommittedEntriesSize_DropsProposalsBeyondTheLimit()
    {
        var s = NewStorage([1, 2]);
        var cfg = NewConfig(1, 10, 1, s);
        cfg.MaxUncommittedEntriesSize = 20;
        var r = new Raft(cfg);
        r.BecomeCandidate();
        r.BecomeLeader();

        Assert.Equal(RaftError.None, r.Step(Prop(1, "0123456789")));
        Assert.Equal(RaftError.None, r.Step(Prop(1, "0123456789")));
        Assert.Equal(RaftError.ProposalDropped, r.Step(Prop(1, "x")));
    }

    [Fact]
    public void MaxCommittedSizePerReady_LimitsCommittedEntriesPerReady()
    {
        var storage = new MemoryStorage();
        var cfg = NewConfig(1, 10, 1, storage);
        ulong size = (ulong)Ent(2, 1, "0123456789").CalculateSize();
        cfg.MaxCommittedSizePerReady = 2 * size;
        var node = new RawNode(cfg);
        node.Bootstrap([new Peer(1)]);
        var rd = node.Ready();
        storage.Append(rd.Entries);
        node.Advance(rd);
        node.Campaign();
        rd = node.Ready();
        storage.Append(rd.Entries);
        node.Advance(rd);
        for (int i = 0; i < 4; i++)
        {
            node.Propose(ByteString.CopyFromUtf8("0123456789"));
        }

        rd = node.Ready();

        Assert.Equal(4, rd.Entries.Count);
        Assert.Equal(2, rd.CommittedEntries.Count);
    }

    [Fact]
    public void DisableProposalForwarding_FollowerDropsProposal()
    {
        var net = Network.OfSize(3, c => c.DisableProposalForwarding = true);
        Leader(net);
        Assert.Equal(RaftError.ProposalDropped, net.Raft(2).Step(Prop(2, "x")));

        var forwarding = Network.OfSize(3);
        Leader(forwarding);
        Assert.Equal(RaftError.None, forwarding.Raft(2).Step(Prop(2, "x")));
        Assert.Equal(MessageType.MsgProp, Assert.Single(forwarding.Raft(2).TakeMessages()).Type);
    }

    [Fact]
    public void Proposal_DuplicatedForwardedMessage_DoesNotCorruptLeaderLog()
    {
        var net = Network.OfSize(3);
        var leader = Leader(net);
        var follower = net.Raft(2);
        follower.Step(Prop(2, "x"));
        var forwarded = Assert.Single(follower.TakeMessages());

        leader.Step(forwarded);
        leader.Step(forwarded);

        Assert.Equal(["1/1", "1/2 x", "1/3 x"], leader.RaftLog.AllEntries().Select(Util.DescribeEntry));
    }

    [Fact]
    public void TransferLeader_TransfereeRemoved_TransferAborted()
    {
        var (r, _) = Paper.PaperMembershipTests.NewLeader([1, 2, 3]);
        r.Trk.Progress[3].Match = 0; // 3 lags: the transfer waits for it to catch up
        r.Step(new Message { From = 3, To = 1, Type = MessageType.MsgTransferLeader });
        Assert.Equal(3UL, r.LeadTransferee);

        r.ApplyConfChange(ConfChangeParser.Parse("r3"));

        Assert.Equal(Raft.None, r.LeadTransferee);
    }

    [Fact]
    public void TransferLeader_ToLearner_IsIgnored()
    {
        var s = NewStorage([1, 2], learners: [3]);
        var r = NewRaft(1, 10, 1, s);
        r.BecomeCandidate();
        r.BecomeLeader();

        r.Step(new Message { From = 3, To = 1, Type = MessageType.MsgTransferLeader });

        Assert.Equal(Raft.None, r.LeadTransferee);
    }

    [Fact]
    public void TimeoutNow_TransfereeCampaignsIgnoringLeaseOfVoters()
    {
        var net = Network.OfSize(3, c => { c.CheckQuorum = true; c.PreVote = true; });
        Leader(net);

        net.Send(new Message { From = 2, To = 1, Type = MessageType.MsgTransferLeader });

        Assert.Equal(StateType.Leader, net.Raft(2).State);
        Assert.Equal(2UL, net.Raft(2).Term);
        Assert.Equal(StateType.Follower, net.Raft(1).State);
    }

    [Fact]
    public void ReadIndex_LaterAcknowledgementConfirmsEarlierRequests()
    {
        var (r, _) = Paper.PaperMembershipTests.NewLeader([1, 2, 3]);
        foreach (string ctx in new[] { "a", "b" })
        {
            var m = new Message { From = 1, To = 1, Type = MessageType.MsgReadIndex };
            m.Entries.Add(new Entry { Data = ByteString.CopyFromUtf8(ctx) });
            r.Step(m);
        }

        r.Step(new Message { From = 2, To = 1, Term = 1, Type = MessageType.MsgHeartbeatResp, Context = ByteString.CopyFromUtf8("b") });

        Assert.Equal(["a", "b"], r.ReadStates.Select(rs => rs.RequestCtx.ToStringUtf8()));
    }

    [Fact]
    public void ReadIndex_LeaseBased_AnsweredWithoutHeartbeatRound()
    {
        var net = Network.OfSize(3, c => { c.CheckQuorum = true; c.ReadOnlyOption = ReadOnlyOption.LeaseBased; });
        var r = Leader(net);
        var m = new Message { From = 1, To = 1, Type = MessageType.MsgReadIndex };
        m.Entries.Add(new Entry { Data = ByteString.CopyFromUtf8("ctx") });

        r.Step(m);

        Assert.Equal(1UL, Assert.Single(r.ReadStates).Index);
        Assert.Empty(r.TakeMessages());
    }

    [Fact]
    public void ReadIndex_FromFollower_ForwardedAndAnswered()
    {
        var net = Network.OfSize(3);
        Leader(net);
        var m = new Message { From = 2, To = 2, Type = MessageType.MsgReadIndex };
        m.Entries.Add(new Entry { Data = ByteString.CopyFromUtf8("ctx") });

        net.Send(m);

        var rs = Assert.Single(net.Raft(2).ReadStates);
        Assert.Equal((1UL, "ctx"), (rs.Index, rs.RequestCtx.ToStringUtf8()));
    }

    [Fact]
    public void Snapshot_NotIncludingRecipient_IsIgnored()
    {
        var r = NewRaft(3, 10, 1, NewStorage([1, 2, 3]));
        var snap = new Snapshot { Metadata = new SnapshotMetadata { Index = 11, Term = 11, ConfState = new ConfState { Voters = { 1, 2 } } } };

        r.Step(new Message { From = 1, To = 3, Type = MessageType.MsgSnap, Term = 11, Snapshot = snap });

        Assert.Equal(0UL, r.RaftLog.Committed);
        Assert.Equal(0UL, Assert.Single(r.TakeMessages()).Index);
    }

    [Fact]
    public void Snapshot_MatchingLog_OnlyFastForwardsCommit()
    {
        var s = StorageWithTerms([1, 2], 1, 1, 1);
        var r = NewRaft(2, 10, 1, s);
        var snap = new Snapshot { Metadata = new SnapshotMetadata { Index = 2, Term = 1, ConfState = new ConfState { Voters = { 1, 2 } } } };

        r.Step(new Message { From = 1, To = 2, Type = MessageType.MsgSnap, Term = 1, Snapshot = snap });

        Assert.Equal(2UL, r.RaftLog.Committed);
        Assert.Equal(3UL, r.RaftLog.LastIndex()); // the log was kept
        Assert.False(r.RaftLog.HasPendingSnapshot());
    }

    [Fact]
    public void Snapshot_Installed_RestoresConfigurationAndLog()
    {
        var r = NewRaft(3, 10, 1, NewStorage([1, 2, 3]));
        var snap = new Snapshot { Metadata = new SnapshotMetadata { Index = 11, Term = 11, ConfState = new ConfState { Voters = { 1, 2, 3 }, Learners = { 4 } } } };

        r.Step(new Message { From = 1, To = 3, Type = MessageType.MsgSnap, Term = 11, Snapshot = snap });

        Assert.Equal(11UL, r.RaftLog.LastIndex());
        Assert.Equal(11UL, r.RaftLog.Committed);
        Assert.Equal([1UL, 2UL, 3UL, 4UL], r.Trk.Progress.Ids.ToArray());
        Assert.Equal(11UL, Assert.Single(r.TakeMessages()).Index);
    }

    [Fact]
    public void Leader_ProbesFollowerNeedingCompactedEntries_WithSnapshot()
    {
        var s = NewStorage([1, 2]);
        var r = NewRaft(1, 10, 1, s);
        r.BecomeCandidate();
        r.BecomeLeader();
        CommitNoopEntry(r, s);
        r.Step(Prop(1, "x"));
        NextEnts(r, s);
        s.CreateSnapshot(2, null, ByteString.CopyFromUtf8("state"), out _);
        s.Compact(2);
        r.TakeMessages();
        var pr = r.Trk.Progress[2];
        pr.BecomeProbe();
        pr.Next = 1;
        pr.RecentActive = true;

        r.Step(new Message { From = 2, To = 1, Term = 1, Type = MessageType.MsgHeartbeatResp });

        var snap = Assert.Single(r.TakeMessages());
        Assert.Equal(MessageType.MsgSnap, snap.Type);
        Assert.Equal(ProgressState.Snapshot, pr.State);
        Assert.Equal(2UL, pr.PendingSnapshot);
    }

    [Fact]
    public void JointAutoLeave_LeaderProposesLeaveOnceJointEntryApplies()
    {
        var node = new RawNode(NewConfig(1, 10, 1, new MemoryStorage()));
        var storage = (MemoryStorage)node.Raft.RaftLog.Storage;
        node.Bootstrap([new Peer(1)]);
        Process(node, storage);
        node.Campaign();
        Process(node, storage);

        node.ProposeConfChange(ConfChangeParser.Parse("l2 l3"));
        Process(node, storage);

        var entries = storage.Entries(storage.FirstIndex(), storage.LastIndex() + 1, ulong.MaxValue, out var all) == RaftError.None ? all : [];
        Assert.Equal("2/4 ConfChangeV2 leave-joint", Util.DescribeEntry(entries[^1]));
        Assert.False(node.Raft.Trk.Config.Voters.IsJoint);
        Assert.Equal([2UL, 3UL], node.Raft.Trk.Config.Learners);
    }

    [Fact]
    public void JointExplicit_StaysJointUntilLeaveProposed()
    {
        var node = new RawNode(NewConfig(1, 10, 1, new MemoryStorage()));
        var storage = (MemoryStorage)node.Raft.RaftLog.Storage;
        node.Bootstrap([new Peer(1)]);
        Process(node, storage);
        node.Campaign();
        Process(node, storage);

        node.ProposeConfChange(ConfChangeParser.Parse("l2", ConfChangeTransition.JointExplicit));
        Process(node, storage);
        Assert.True(node.Raft.Trk.Config.Voters.IsJoint);

        node.ProposeConfChange(new ConfChangeV2());
        Process(node, storage);
        Assert.False(node.Raft.Trk.Config.Voters.IsJoint);
    }

    [Fact]
    public void TickQuiesced_AdvancesElectionClockWithoutCampaigning()
    {
        var node = new RawNode(NewConfig(1, 10, 1, NewStorage([1, 2, 3])));
        for (int i = 0; i < 100; i++)
        {
            node.TickQuiesced();
        }
        Assert.Equal(StateType.Follower, node.BasicStatus().SoftState.RaftState);
        // The next real tick finds the timeout long passed.
        node.Tick();
        Assert.Equal(StateType.Candidate, node.BasicStatus().SoftState.RaftState);
    }

    [Fact]
    public void Ready_CalledTwiceWithoutAdvance_Throws()
    {
        var node = new RawNode(NewConfig(1, 10, 1, NewStorage([1])));
        node.Campaign();
        node.Ready();
        Assert.Throws<InvalidOperationException>(() => node.Ready());
    }

    private static void Process(RawNode node, MemoryStorage storage)
    {
        while (node.HasReady())
        {
            var rd = node.Ready();
            storage.Append(rd.Entries);
            if (rd.HardState is not null)
            {
                storage.SetHardState(rd.HardState);
            }
            foreach (var e in rd.CommittedEntries)
            {
                if (e.Type == EntryType.EntryConfChangeV2)
                {
                    node.ApplyConfChange(ConfChangeV2.Parser.ParseFrom(e.Data));
                }
                else if (e.Type == EntryType.EntryConfChange)
                {
                    node.ApplyConfChange(Raftpb.ConfChange.Parser.ParseFrom(e.Data));
                }
            }
            node.Advance(rd);
        }
    }
}

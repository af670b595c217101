using Cairn.Raft.Raftpb;
using Google.Protobuf;

namespace Cairn.Raft.Tests.Confchange;

/// <summary>The V1/V2 conversions and the joint-transition detection that decide how a change is applied.</summary>
public sealed class ConfChangeConversionTests
{
    [Fact]
    public void V1_AsV2_KeepsTypeNodeAndContext()
    {
        var v1 = new Raftpb.ConfChange { Type = ConfChangeType.ConfChangeAddLearnerNode, NodeId = 7, Context = ByteString.CopyFromUtf8("ctx") };
        var v2 = v1.AsV2();
        Assert.Equal(ConfChangeTransition.Auto, v2.Transition);
        var single = Assert.Single(v2.Changes);
        Assert.Equal((ConfChangeType.ConfChangeAddLearnerNode, 7UL), (single.Type, single.NodeId));
        Assert.Equal("ctx", v2.Context.ToStringUtf8());
        Assert.Same(v1, v1.AsV1());
        Assert.Null(v2.AsV1());
        Assert.Equal(EntryType.EntryConfChange, v1.EntryType);
        Assert.Equal(EntryType.EntryConfChangeV2, v2.EntryType);
    }

    [Theory]
    [InlineData(ConfChangeTransition.Auto, 0, false, false)]
    [InlineData(ConfChangeTransition.Auto, 1, false, false)]
    [InlineData(ConfChangeTransition.Auto, 2, true, true)]
    [InlineData(ConfChangeTransition.JointImplicit, 0, true, true)]
    [InlineData(ConfChangeTransition.JointImplicit, 1, true, true)]
    [InlineData(ConfChangeTransition.JointExplicit, 1, true, false)]
    [InlineData(ConfChangeTransition.JointExplicit, 3, true, false)]
    public void EnterJoint_DependsOnTransitionAndChangeCount(
        ConfChangeTransition transition, int changes, bool wantJoint, bool wantAutoLeave)
    {
        var cc = new ConfChangeV2 { Transition = transition };
        for (int i = 0; i < changes; i++)
        {
            cc.Changes.Add(new ConfChangeSingle { Type = ConfChangeType.ConfChangeAddNode, NodeId = (ulong)i + 1 });
        }

        Assert.Equal(wantJoint, cc.EnterJoint(out bool autoLeave));
        Assert.Equal(wantAutoLeave, autoLeave);
    }

    [Fact]
    public void LeaveJoint_OnlyForTheEmptyAutoChange_ContextIgnored()
    {
        Assert.True(new ConfChangeV2().LeaveJoint());
        Assert.True(new ConfChangeV2 { Context = ByteString.CopyFromUtf8("x") }.LeaveJoint());
        Assert.False(new ConfChangeV2 { Transition = ConfChangeTransition.JointExplicit }.LeaveJoint());
        var one = new ConfChangeV2();
        one.Changes.Add(new ConfChangeSingle { Type = ConfChangeType.ConfChangeRemoveNode, NodeId = 1 });
        Assert.False(one.LeaveJoint());
    }

    [Fact]
    public void Marshal_RoundTripsBothForms()
    {
        var v1 = new Raftpb.ConfChange { Type = ConfChangeType.ConfChangeRemoveNode, NodeId = 3 };
        Assert.Equal(v1, Raftpb.ConfChange.Parser.ParseFrom(ConfChanges.Marshal(v1)));
        var v2 = new ConfChangeV2 { Transition = ConfChangeTransition.JointExplicit };
        v2.Changes.Add(new ConfChangeSingle { Type = ConfChangeType.ConfChangeAddNode, NodeId = 4 });
        Assert.Equal(v2, ConfChangeV2.Parser.ParseFrom(ConfChanges.Marshal(v2)));
    }
}

using Cairn.Raft.Quorum;

namespace Cairn.Raft.Tests.Quorum;

public sealed class JointConfigTests
{
    [Fact]
    public void ToString_ShowsOutgoingOnlyWhenJoint()
    {
        Assert.Equal("(1 2)", new JointConfig(new([2, 1]), new()).ToString());
        Assert.Equal("(1 2)&&(2 3)", new JointConfig(new([1, 2]), new([3, 2])).ToString());
    }

    [Fact]
    public void Ids_IsTheUnion()
    {
        var joint = new JointConfig(new([1, 2]), new([2, 3]));
        Assert.Equal([1UL, 2, 3], joint.Ids().Slice());
        Assert.True(joint.Contains(3));
        Assert.False(joint.Contains(4));
        Assert.True(joint.IsJoint);
    }

    [Fact]
    public void Clone_IsDeep()
    {
        var joint = new JointConfig(new([1]), new([2]));
        var clone = joint.Clone();
        clone.Incoming.Add(5);
        clone.Outgoing.Clear();
        Assert.Equal("(1)&&(2)", joint.ToString());
        Assert.Equal("(1 5)", clone.ToString());
    }

    [Fact]
    public void Describe_CoversBothHalves()
    {
        var joint = new JointConfig(new([1]), new([2]));
        string text = joint.Describe(new MapAckIndexer(new Dictionary<ulong, ulong> { [1] = 4 }));
        Assert.Contains("(id=1)", text);
        Assert.Contains("(id=2)", text);
    }
}

using Cairn.Raft.Raftpb;
using static Cairn.Raft.Tests.Support.RaftTestUtil;

namespace Cairn.Raft.Tests.Log;

public sealed class UnstableTests
{
    private static Unstable New(ulong offset, Snapshot? snapshot = null, params Entry[] entries)
    {
        var u = new Unstable(offset, NullRaftLogger.Instance);
        if (snapshot is not null)
        {
            u.Restore(snapshot);
        }
        if (entries.Length > 0)
        {
            u.TruncateAndAppend(entries);
        }
        return u;
    }

    private static Snapshot Snap(ulong index, ulong term) =>
        new() { Metadata = new SnapshotMetadata { Index = index, Term = term, ConfState = new ConfState() } };

    [Fact]
    public void MaybeFirstIndex_OnlyKnownWithSnapshot()
    {
        Assert.False(New(5, null, Ent(5, 1)).MaybeFirstIndex(out _));
        Assert.True(New(5, Snap(4, 1), Ent(5, 1)).MaybeFirstIndex(out ulong first));
        Assert.Equal(5UL, first);
    }

    [Fact]
    public void MaybeLastIndex_FromEntriesThenSnapshot()
    {
        Assert.True(New(5, null, Ent(5, 1)).MaybeLastIndex(out ulong last));
        Assert.Equal(5UL, last);
        Assert.True(New(5, Snap(4, 1)).MaybeLastIndex(out last));
        Assert.Equal(4UL, last);
        Assert.False(New(0).MaybeLastIndex(out _));
    }

    [Theory]
    [InlineData(5UL, true, 1UL)]
    [InlineData(6UL, false, 0UL)]
    [InlineData(4UL, true, 1UL)] // the snapshot's index
    [InlineData(3UL, false, 0UL)]
    public void MaybeTerm_CoversEntriesAndSnapshot(ulong index, bool ok, ulong term)
    {
        var u = New(5, Snap(4, 1), Ent(5, 1));
        Assert.Equal(ok, u.MaybeTerm(index, out ulong t));
        Assert.Equal(term, t);
    }

    [Fact]
    public void StableTo_RemovesEntriesUpToIndexWhenTermMatches()
    {
        var u = New(5, null, Ent(5, 1), Ent(6, 1), Ent(7, 2));
        u.StableTo(6, 1);
        Assert.Equal(7UL, u.Offset);
        Assert.Equal(["2/7"], u.Entries.Select(Util.DescribeEntry));
    }

    [Fact]
    public void StableTo_ReplacedEntry_IsIgnored()
    {
        var u = New(5, null, Ent(5, 1), Ent(6, 2));
        u.StableTo(6, 1); // entry 6 was overwritten with a term-2 entry since
        Assert.Equal(5UL, u.Offset);
        Assert.Equal(2, u.Entries.Count);
    }

    [Fact]
    public void StableTo_IndexInSnapshot_IsIgnored()
    {
        var u = New(5, Snap(4, 1), Ent(5, 1));
        u.StableTo(4, 1);
        Assert.Equal(5UL, u.Offset);
        Assert.Single(u.Entries);
    }

    [Fact]
    public void StableSnapTo_MatchingIndex_ClearsSnapshot()
    {
        var u = New(5, Snap(4, 1));
        u.StableSnapTo(3);
        Assert.NotNull(u.Snapshot);
        u.StableSnapTo(4);
        Assert.Null(u.Snapshot);
    }

    [Theory]
    [InlineData(6UL, new[] { "1/5", "1/6" })] // directly after: append
    [InlineData(5UL, new[] { "1/5" })]        // at the offset: replace everything
    [InlineData(4UL, new[] { "1/4" })]        // before the offset: replace and move the offset
    public void TruncateAndAppend_HandlesAppendReplaceAndTruncate(ulong first, string[] expected)
    {
        var u = New(5, null, Ent(5, 1));
        u.TruncateAndAppend([Ent(first, 1)]);
        Assert.Equal(expected, u.Entries.Select(Util.DescribeEntry));
        Assert.Equal(Math.Min(5UL, first), u.Offset);
    }

    [Fact]
    public void TruncateAndAppend_InTheMiddle_KeepsThePrefix()
    {
        var u = New(5, null, Ent(5, 1), Ent(6, 1), Ent(7, 1));
        u.TruncateAndAppend([Ent(6, 2), Ent(7, 2)]);
        Assert.Equal(["1/5", "2/6", "2/7"], u.Entries.Select(Util.DescribeEntry));
    }

    [Fact]
    public void Restore_ResetsEntriesAndOffset()
    {
        var u = New(5, null, Ent(5, 1));
        u.Restore(Snap(6, 2));
        Assert.Equal(7UL, u.Offset);
        Assert.Empty(u.Entries);
        Assert.Equal(6UL, u.Snapshot!.Metadata.Index);
    }

    [Fact]
    public void Slice_OutOfBounds_Throws()
    {
        var u = New(5, null, Ent(5, 1), Ent(6, 1));
        Assert.Equal(["1/6"], u.Slice(6, 7).Select(Util.DescribeEntry));
        Assert.Throws<InvalidOperationException>(() => u.Slice(4, 6));
        Assert.Throws<InvalidOperationException>(() => u.Slice(5, 8));
    }
}

using Cairn.Raft.Raftpb;
using Google.Protobuf;
using static Cairn.Raft.Tests.Support.RaftTestUtil;

namespace Cairn.Raft.Tests.Log;

public sealed class MemoryStorageTests
{
    /// <summary>A storage compacted at 3 (term 3) holding entries 4 and 5 (terms 4, 5).</summary>
    private static MemoryStorage New()
    {
        var s = new MemoryStorage();
        s.ApplySnapshot(new Snapshot { Metadata = new SnapshotMetadata { Index = 3, Term = 3, ConfState = new ConfState() } });
        s.Append([Ent(4, 4), Ent(5, 5)]);
        return s;
    }

    [Theory]
    [InlineData(2UL, RaftError.Compacted, 0UL)]
    [InlineData(3UL, RaftError.None, 3UL)]
    [InlineData(4UL, RaftError.None, 4UL)]
    [InlineData(5UL, RaftError.None, 5UL)]
    [InlineData(6UL, RaftError.Unavailable, 0UL)]
    public void Term_ReportsCompactedAndUnavailable(ulong index, RaftError err, ulong term)
    {
        Assert.Equal(err, New().Term(index, out ulong t));
        Assert.Equal(term, t);
    }

    [Theory]
    [InlineData(2UL, 6UL, ulong.MaxValue, RaftError.Compacted, new string[0])]
    [InlineData(3UL, 4UL, ulong.MaxValue, RaftError.Compacted, new string[0])]
    [InlineData(4UL, 5UL, ulong.MaxValue, RaftError.None, new[] { "4/4" })]
    [InlineData(4UL, 6UL, ulong.MaxValue, RaftError.None, new[] { "4/4", "5/5" })]
    [InlineData(4UL, 6UL, 0UL, RaftError.None, new[] { "4/4" })] // at least one entry
    public void Entries_RespectsBoundsAndSizeLimit(ulong lo, ulong hi, ulong maxSize, RaftError err, string[] expected)
    {
        Assert.Equal(err, New().Entries(lo, hi, maxSize, out var entries));
        Assert.Equal(expected, entries.Select(Util.DescribeEntry));
    }

    [Fact]
    public void FirstAndLastIndex_FollowSnapshotAndEntries()
    {
        var s = New();
        Assert.Equal(4UL, s.FirstIndex());
        Assert.Equal(5UL, s.LastIndex());
        s.Append([Ent(6, 5)]);
        Assert.Equal(6UL, s.LastIndex());
    }

    [Theory]
    [InlineData(2UL, RaftError.Compacted, 4UL)]
    [InlineData(3UL, RaftError.Compacted, 4UL)]
    [InlineData(4UL, RaftError.None, 5UL)]
    [InlineData(5UL, RaftError.None, 6UL)]
    public void Compact_DropsEntriesUpToIndex(ulong index, RaftError err, ulong firstIndex)
    {
        var s = New();
        Assert.Equal(err, s.Compact(index));
        Assert.Equal(firstIndex, s.FirstIndex());
        Assert.Equal(5UL, s.LastIndex());
    }

    [Fact]
    public void CreateSnapshot_RecordsIndexTermConfStateAndData()
    {
        var s = New();
        var cs = new ConfState { Voters = { 1, 2, 3 } };
        Assert.Equal(RaftError.None, s.CreateSnapshot(4, cs, ByteString.CopyFromUtf8("data"), out var snap));
        Assert.Equal((4UL, 4UL, "data"), (snap.Metadata.Index, snap.Metadata.Term, snap.Data.ToStringUtf8()));
        Assert.True(cs.Equivalent(snap.Metadata.ConfState));
        Assert.Equal(RaftError.SnapOutOfDate, s.CreateSnapshot(4, cs, ByteString.Empty, out _));
    }

    [Fact]
    public void ApplySnapshot_OlderSnapshot_IsOutOfDate()
    {
        var s = New();
        var snap = new Snapshot { Metadata = new SnapshotMetadata { Index = 2, Term = 2, ConfState = new ConfState() } };
        Assert.Equal(RaftError.SnapOutOfDate, s.ApplySnapshot(snap));
        snap.Metadata.Index = 10;
        Assert.Equal(RaftError.None, s.ApplySnapshot(snap));
        Assert.Equal(11UL, s.FirstIndex());
        Assert.Equal(10UL, s.LastIndex());
    }

    [Theory]
    [InlineData(new ulong[] { 4, 5 }, new ulong[] { 4, 5 }, new[] { "3/3", "4/4", "5/5" })]
    [InlineData(new ulong[] { 4, 5 }, new ulong[] { 4, 6 }, new[] { "3/3", "4/4", "6/5" })] // overwrite the tail
    [InlineData(new ulong[] { 4, 5, 6 }, new ulong[] { 4, 5, 5 }, new[] { "3/3", "4/4", "5/5", "5/6" })]
    [InlineData(new ulong[] { 2, 3, 4 }, new ulong[] { 3, 3, 5 }, new[] { "3/3", "5/4" })] // compacted part ignored
    [InlineData(new ulong[] { 6 }, new ulong[] { 5 }, new[] { "3/3", "4/4", "5/5", "5/6" })]
    public void Append_TruncatesConflictsAndSkipsCompactedEntries(ulong[] indexes, ulong[] terms, string[] expected)
    {
        var s = New();
        s.Append(indexes.Zip(terms, (i, t) => Ent(i, t)).ToList());
        Assert.Equal(RaftError.None, s.Entries(s.FirstIndex(), s.LastIndex() + 1, ulong.MaxValue, out var entries));
        s.Term(3, out ulong dummyTerm);
        Assert.Equal(expected, new[] { $"{dummyTerm}/3" }.Concat(entries.Select(Util.DescribeEntry)));
    }

    [Fact]
    public void Append_WithGap_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => New().Append([Ent(7, 5)]));
    }

    [Fact]
    public void InitialState_ReturnsHardStateAndSnapshotConfState()
    {
        var s = new MemoryStorage();
        s.SetHardState(new HardState { Term = 3, Vote = 2, Commit = 1 });
        s.ApplySnapshot(new Snapshot { Metadata = new SnapshotMetadata { Index = 1, Term = 1, ConfState = new ConfState { Voters = { 1, 2 } } } });
        var (hs, cs) = s.InitialState();
        Assert.Equal(new HardState { Term = 3, Vote = 2, Commit = 1 }, hs);
        Assert.Equal([1UL, 2UL], cs.Voters);
    }
}

using Cairn.Raft.Raftpb;
using static Cairn.Raft.Tests.Support.RaftTestUtil;

namespace Cairn.Raft.Tests.Log;

public sealed class RaftLogTests
{
    private static RaftLog NewLog(MemoryStorage? storage = null, ulong maxNextEntsSize = ulong.MaxValue) =>
        new(storage ?? new MemoryStorage(), NullRaftLogger.Instance, maxNextEntsSize);

    /// <summary>A log of entries 1..3 (terms 1, 2, 3), all unstable.</summary>
    private static RaftLog Log123()
    {
        var log = NewLog();
        log.Append([Ent(1, 1), Ent(2, 2), Ent(3, 3)]);
        return log;
    }

    [Theory]
    [InlineData(new ulong[0], new ulong[0], 0UL)]
    [InlineData(new ulong[] { 1, 2, 3 }, new ulong[] { 1, 2, 3 }, 0UL)]
    [InlineData(new ulong[] { 2, 3 }, new ulong[] { 2, 3 }, 0UL)]
    [InlineData(new ulong[] { 3 }, new ulong[] { 3 }, 0UL)]
    [InlineData(new ulong[] { 1, 2, 3, 4, 5 }, new ulong[] { 1, 2, 3, 4, 4 }, 4UL)] // new entries
    [InlineData(new ulong[] { 3, 4 }, new ulong[] { 3, 4 }, 4UL)]
    [InlineData(new ulong[] { 1, 2 }, new ulong[] { 4, 4 }, 1UL)] // conflicts
    [InlineData(new ulong[] { 2, 3 }, new ulong[] { 1, 4 }, 2UL)]
    [InlineData(new ulong[] { 3, 4 }, new ulong[] { 1, 2 }, 3UL)]
    public void FindConflict_ReturnsFirstMismatchOrNewIndex(ulong[] indexes, ulong[] terms, ulong expected)
    {
        var entries = indexes.Zip(terms, (i, t) => Ent(i, t)).ToList();
        Assert.Equal(expected, Log123().FindConflict(entries));
    }

    [Theory]
    [InlineData(2UL, 4UL, true)]   // higher last term
    [InlineData(3UL, 4UL, true)]
    [InlineData(4UL, 4UL, true)]
    [InlineData(2UL, 2UL, false)]  // lower last term
    [InlineData(4UL, 2UL, false)]
    [InlineData(2UL, 3UL, false)]  // equal term, shorter
    [InlineData(3UL, 3UL, true)]
    [InlineData(4UL, 3UL, true)]
    public void IsUpToDate_ComparesLastTermThenLength(ulong lastIndex, ulong term, bool expected) =>
        Assert.Equal(expected, Log123().IsUpToDate(lastIndex, term));

    [Fact]
    public void MaybeAppend_MatchingPrefix_AppendsAndCommits()
    {
        var log = Log123();
        Assert.True(log.MaybeAppend(3, 3, 4, [Ent(4, 4)], out ulong last));
        Assert.Equal(4UL, last);
        Assert.Equal(4UL, log.Committed);
    }

    [Fact]
    public void MaybeAppend_MismatchingPrefix_RejectsWithoutChange()
    {
        var log = Log123();
        Assert.False(log.MaybeAppend(3, 2, 3, [Ent(4, 4)], out _));
        Assert.Equal(3UL, log.LastIndex());
        Assert.Equal(0UL, log.Committed);
    }

    [Fact]
    public void MaybeAppend_CommitBeyondNewEntries_IsCapped()
    {
        var log = Log123();
        Assert.True(log.MaybeAppend(1, 1, 10, [], out ulong last));
        Assert.Equal(1UL, last);
        Assert.Equal(1UL, log.Committed);
    }

    [Fact]
    public void MaybeAppend_ConflictWithCommitted_Throws()
    {
        var log = Log123();
        log.CommitTo(2);
        Assert.Throws<InvalidOperationException>(() => log.MaybeAppend(1, 1, 3, [Ent(2, 4)], out _));
    }

    [Fact]
    public void CommitTo_NeverDecreasesAndNeverPassesTheLog()
    {
        var log = Log123();
        log.CommitTo(2);
        log.CommitTo(1);
        Assert.Equal(2UL, log.Committed);
        Assert.Throws<InvalidOperationException>(() => log.CommitTo(4));
    }

    [Fact]
    public void AppliedTo_MustStayWithinCommitted()
    {
        var log = Log123();
        log.CommitTo(2);
        log.AppliedTo(2);
        Assert.Equal(2UL, log.Applied);
        Assert.Throws<InvalidOperationException>(() => log.AppliedTo(3));
        Assert.Throws<InvalidOperationException>(() => log.AppliedTo(1));
    }

    [Fact]
    public void NextEnts_ReturnsCommittedUnappliedUpToSizeLimit()
    {
        var log = NewLog(maxNextEntsSize: 1);
        log.Append([Ent(1, 1, "a"), Ent(2, 1, "b"), Ent(3, 1, "c")]);
        log.CommitTo(2);
        Assert.True(log.HasNextEnts());
        Assert.Equal(["1/1 a"], log.NextEnts().Select(Util.DescribeEntry)); // size limit: one entry
        log.AppliedTo(1);
        Assert.Equal(["1/2 b"], log.NextEnts().Select(Util.DescribeEntry));
        log.AppliedTo(2);
        Assert.False(log.HasNextEnts());
        Assert.Empty(log.NextEnts());
    }

    [Fact]
    public void Slice_SpansStorageAndUnstable()
    {
        var storage = new MemoryStorage();
        storage.ApplySnapshot(new Snapshot { Metadata = new SnapshotMetadata { Index = 2, Term = 2, ConfState = new ConfState() } });
        storage.Append([Ent(3, 2), Ent(4, 3)]);
        var log = NewLog(storage);
        log.Append([Ent(5, 3), Ent(6, 4)]);

        Assert.Equal(RaftError.None, log.Slice(3, 7, ulong.MaxValue, out var all));
        Assert.Equal(["2/3", "3/4", "3/5", "4/6"], all.Select(Util.DescribeEntry));
        Assert.Equal(RaftError.None, log.Slice(4, 6, ulong.MaxValue, out var mid));
        Assert.Equal(["3/4", "3/5"], mid.Select(Util.DescribeEntry));
        Assert.Equal(RaftError.Compacted, log.Slice(2, 4, ulong.MaxValue, out _));
        Assert.Throws<InvalidOperationException>(() => log.Slice(3, 8, ulong.MaxValue, out _));
    }

    [Fact]
    public void Slice_SizeLimitStopsInStorage_DoesNotAddUnstable()
    {
        var storage = new MemoryStorage();
        storage.Append([Ent(1, 1, "aaaa"), Ent(2, 1, "bbbb")]);
        var log = NewLog(storage);
        log.Append([Ent(3, 1, "cccc")]);
        ulong one = (ulong)Ent(1, 1, "aaaa").CalculateSize();

        Assert.Equal(RaftError.None, log.Slice(1, 4, one, out var entries));
        Assert.Equal(["1/1 aaaa"], entries.Select(Util.DescribeEntry));
        Assert.Equal(RaftError.None, log.Slice(1, 4, 3 * one, out entries));
        Assert.Equal(3, entries.Count);
    }

    [Fact]
    public void Term_OutsideTheLog_IsCompactedOrUnavailable()
    {
        var storage = new MemoryStorage();
        storage.ApplySnapshot(new Snapshot { Metadata = new SnapshotMetadata { Index = 3, Term = 3, ConfState = new ConfState() } });
        var log = NewLog(storage);
        log.Append([Ent(4, 4)]);

        Assert.Equal(RaftError.Compacted, log.Term(2, out ulong t));
        Assert.Equal(0UL, t);
        Assert.Equal(RaftError.None, log.Term(3, out t)); // the compacted entry before the first keeps its term
        Assert.Equal(3UL, t);
        Assert.Equal(RaftError.None, log.Term(4, out t));
        Assert.Equal(4UL, t);
        Assert.Equal(RaftError.Unavailable, log.Term(5, out t));
        Assert.Equal(0UL, log.ZeroTermOnOutOfBounds(5));
        Assert.Equal(0UL, log.ZeroTermOnOutOfBounds(2));
    }

    [Fact]
    public void MatchTerm_BeyondTheLog_NeverMatchesTermZero()
    {
        var log = NewLog();
        Assert.True(log.MatchTerm(0, 0));
        Assert.False(log.MatchTerm(5, 0));
        Assert.False(log.MaybeAppend(5, 0, 5, [], out _));
    }

    [Theory]
    [InlineData(3UL, 3UL, 3UL, 3UL)]
    [InlineData(3UL, 2UL, 2UL, 2UL)]
    [InlineData(3UL, 1UL, 1UL, 1UL)]
    [InlineData(3UL, 0UL, 0UL, 0UL)]
    [InlineData(2UL, 5UL, 2UL, 2UL)]
    public void FindConflictByTerm_FindsLastIndexWithTermAtMost(ulong index, ulong term, ulong expectedIndex, ulong expectedTerm) =>
        Assert.Equal((expectedIndex, expectedTerm), Log123().FindConflictByTerm(index, term));

    [Fact]
    public void MaybeCommit_OnlyEntriesOfTheGivenTerm()
    {
        var log = Log123();
        Assert.False(log.MaybeCommit(2, 3));
        Assert.Equal(0UL, log.Committed);
        Assert.True(log.MaybeCommit(3, 3));
        Assert.Equal(3UL, log.Committed);
    }

    [Fact]
    public void Restore_StartsTheLogAfterTheSnapshot()
    {
        var log = Log123();
        log.Restore(new Snapshot { Metadata = new SnapshotMetadata { Index = 10, Term = 5, ConfState = new ConfState() } });
        Assert.Equal(10UL, log.Committed);
        Assert.Equal(11UL, log.FirstIndex());
        Assert.Equal(10UL, log.LastIndex());
        Assert.Equal(5UL, log.LastTerm());
        Assert.True(log.HasPendingSnapshot());
    }

    [Fact]
    public void StableTo_MovesEntriesOutOfUnstable()
    {
        var storage = new MemoryStorage();
        var log = NewLog(storage);
        log.Append([Ent(1, 1), Ent(2, 1)]);
        storage.Append(log.UnstableEntries());
        log.StableTo(2, 1);
        Assert.Empty(log.UnstableEntries());
        Assert.Equal(2UL, log.LastIndex());
    }
}

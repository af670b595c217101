using Cairn.Raft.Raftpb;
using Cairn.Storage.Wal;
using Google.Protobuf;
using WalLog = Cairn.Storage.Wal.Wal;

namespace Cairn.Storage.Tests.Wal;

public sealed class WalTests : IDisposable
{
    private const int EntryType = 2;
    private readonly TempDir _tmp = new();
    private readonly string _dir;

    public WalTests() => _dir = _tmp.Sub("wal");

    public void Dispose() => _tmp.Dispose();

    private static Entry E(ulong index, ulong term, int dataBytes = 8) =>
        new() { Index = index, Term = term, Data = ByteString.CopyFrom(new byte[dataBytes].Select((_, i) => (byte)(index + (ulong)i)).ToArray()) };

    private static List<Entry> Range(ulong from, ulong to, ulong term = 1, int dataBytes = 8)
    {
        var list = new List<Entry>();
        for (ulong i = from; i <= to; i++)
        {
            list.Add(E(i, term, dataBytes));
        }
        return list;
    }

    private WalReadResult Reopen(WalSnapshot start = default, WalOptions? options = null)
    {
        using WalLog wal = WalLog.Open(_dir, start, options);
        return wal.ReadAll();
    }

    [Fact]
    public void CreateSaveReadAll_RoundTripsMetadataStateAndEntries()
    {
        Assert.False(WalLog.Exists(_dir));
        using (WalLog wal = WalLog.Create(_dir, "member-1"u8))
        {
            wal.Save(new HardState { Term = 1, Vote = 1, Commit = 2 }, Range(1, 3), mustSync: true);
            wal.Save(new HardState { Term = 2, Vote = 1, Commit = 3 }, [], mustSync: true);
        }
        Assert.True(WalLog.Exists(_dir));
        WalReadResult read = Reopen();
        Assert.Equal("member-1"u8.ToArray(), read.Metadata);
        Assert.Equal(new HardState { Term = 2, Vote = 1, Commit = 3 }, read.HardState);
        Assert.Equal(Range(1, 3), read.Entries);
        Assert.Equal(3UL, read.LastIndex);
    }

    [Fact]
    public void Create_WhenWalExists_Throws()
    {
        WalLog.Create(_dir, []).Dispose();
        Assert.Throws<InvalidOperationException>(() => WalLog.Create(_dir, []));
    }

    [Fact]
    public void Save_PastSegmentSize_CutsSegmentsNamedBySeqAndIndex_AndReadsAcrossThem()
    {
        var options = new WalOptions { SegmentBytes = 4096 };
        using (WalLog wal = WalLog.Create(_dir, "m"u8, options))
        {
            for (ulong i = 1; i <= 60; i++)
            {
                wal.Save(new HardState { Term = 1, Commit = i }, [E(i, 1, 300)], mustSync: false);
            }
        }
        string[] segments = WalTestFrames.Segments(_dir);
        Assert.True(segments.Length >= 4, $"expected several segments, got {segments.Length}");
        Assert.Equal("0000000000000000-0000000000000000.wal", Path.GetFileName(segments[0]));
        Assert.StartsWith("0000000000000001-", Path.GetFileName(segments[1]), StringComparison.Ordinal);
        // A cut segment is sealed at its written size; the next segment starts with the CRC seed and the metadata.
        Assert.True(new FileInfo(segments[0]).Length >= 4096 && new FileInfo(segments[0]).Length < 4096 + 512);
        Assert.Equal([4, 1, 3], WalTestFrames.Read(segments[1]).Take(3).Select(f => f.Type));
        WalReadResult read = Reopen(default, options);
        Assert.Equal(Range(1, 60, 1, 300), read.Entries);
        Assert.Equal(60UL, read.HardState.Commit);
    }

    [Fact]
    public void ReadAll_LaterEntryAtSameIndex_ReplacesTheTail()
    {
        using (WalLog wal = WalLog.Create(_dir, []))
        {
            wal.Save(null, Range(1, 5, term: 1), mustSync: true);
            wal.Save(null, Range(3, 4, term: 2), mustSync: true);
        }
        WalReadResult read = Reopen();
        Assert.Equal([1UL, 2, 3, 4], read.Entries.Select(e => e.Index));
        Assert.Equal([1UL, 1, 2, 2], read.Entries.Select(e => e.Term));
    }

    [Fact]
    public void ReadAll_EntryGap_ThrowsCorrupt()
    {
        using (WalLog wal = WalLog.Create(_dir, []))
        {
            wal.Save(null, [E(1, 1), E(3, 1)], mustSync: true);
        }
        WalCorruptException ex = Assert.Throws<WalCorruptException>(() => Reopen());
        Assert.Contains("gap", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_FromSnapshotMarker_ReturnsOnlyLaterEntries()
    {
        var options = new WalOptions { SegmentBytes = 2048 };
        using (WalLog wal = WalLog.Create(_dir, []))
        {
            wal.Save(new HardState { Term = 1, Commit = 10 }, Range(1, 10, 1, 200), mustSync: true);
            wal.SaveSnapshot(new WalSnapshot(8, 1, new ConfState { Voters = { 1, 2, 3 } }));
            wal.Save(null, Range(11, 12, 1, 200), mustSync: true);
        }
        WalReadResult read = Reopen(new WalSnapshot(8, 1), options);
        Assert.Equal([9UL, 10, 11, 12], read.Entries.Select(e => e.Index));
        Assert.Throws<WalCorruptException>(() => Reopen(new WalSnapshot(8, 2), options));
        Assert.Throws<WalCorruptException>(() => Reopen(new WalSnapshot(7, 1), options));
    }

    [Fact]
    public void SyncCount_CountsOnlyMustSyncAppends()
    {
        using WalLog wal = WalLog.Create(_dir, []);
        long before = wal.SyncCount;
        for (ulong i = 1; i <= 10; i++)
        {
            wal.Save(null, [E(i, 1)], mustSync: false);
        }
        Assert.Equal(before, wal.SyncCount);
        wal.Save(new HardState { Term = 1, Commit = 10 }, Range(11, 20), mustSync: true);
        Assert.Equal(before + 1, wal.SyncCount);
        wal.Save(null, [], mustSync: true);
        Assert.Equal(before + 1, wal.SyncCount);
        wal.SaveSnapshot(new WalSnapshot(5, 1));
        Assert.Equal(before + 2, wal.SyncCount);
    }

    [Fact]
    public void ReadAll_TornTailWithZeroedSector_IsTruncatedAndAppendsContinue()
    {
        using (WalLog wal = WalLog.Create(_dir, []))
        {
            wal.Save(new HardState { Term = 1, Commit = 3 }, Range(1, 3), mustSync: true);
            wal.Save(null, [E(4, 1, 3000)], mustSync: true);
        }
        string segment = WalTestFrames.Segments(_dir)[0];
        (long offset, _, long length) = WalTestFrames.Read(segment).Last(f => f.Type == EntryType);
        // The last 1,000 bytes of the record never reached the disk.
        long frameEnd = offset + 16 + ((length + 7) & ~7L);
        using (var f = new FileStream(segment, FileMode.Open))
        {
            f.Position = frameEnd - 1000;
            f.Write(new byte[1000]);
        }
        using (WalLog wal = WalLog.Open(_dir, default))
        {
            WalReadResult read = wal.ReadAll();
            Assert.Equal([1UL, 2, 3], read.Entries.Select(e => e.Index));
            wal.Save(new HardState { Term = 1, Commit = 4 }, [E(4, 1, 10)], mustSync: true);
        }
        WalReadResult again = Reopen();
        Assert.Equal([1UL, 2, 3, 4], again.Entries.Select(e => e.Index));
        Assert.Equal(10, again.Entries[3].Data.Length);
    }

    [Fact]
    public void ReadAll_FileEndingInsideLastRecord_IsTruncated()
    {
        using (WalLog wal = WalLog.Create(_dir, []))
        {
            wal.Save(null, Range(1, 4, 1, 100), mustSync: true);
        }
        string segment = WalTestFrames.Segments(_dir)[0];
        (long offset, _, _) = WalTestFrames.Read(segment).Last();
        using (var f = new FileStream(segment, FileMode.Open))
        {
            f.SetLength(offset + 40);
        }
        Assert.Equal([1UL, 2, 3], Reopen().Entries.Select(e => e.Index));
    }

    [Fact]
    public void ReadAll_CorruptionMidFile_ThrowsNamingFileAndOffset()
    {
        using (WalLog wal = WalLog.Create(_dir, []))
        {
            wal.Save(null, Range(1, 6, 1, 64), mustSync: true);
        }
        string segment = WalTestFrames.Segments(_dir)[0];
        (long offset, _, _) = WalTestFrames.Read(segment).Where(f => f.Type == EntryType).ElementAt(2);
        FlipByte(segment, offset + 16 + 10);
        WalCorruptException ex = Assert.Throws<WalCorruptException>(() => Reopen());
        Assert.Equal(segment, ex.File);
        Assert.Equal(offset, ex.Offset);
        Assert.Contains(Path.GetFileName(segment), ex.Message, StringComparison.Ordinal);
        Assert.Contains($"offset {offset}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadAll_BitFlipInLastRecord_IsCorruptionNotATornWrite()
    {
        using (WalLog wal = WalLog.Create(_dir, []))
        {
            wal.Save(null, Range(1, 3, 1, 64), mustSync: true);
        }
        string segment = WalTestFrames.Segments(_dir)[0];
        (long offset, _, _) = WalTestFrames.Read(segment).Last();
        FlipByte(segment, offset + 20);
        Assert.Throws<WalCorruptException>(() => Reopen());
    }

    [Fact]
    public void ReadAll_CorruptionInEarlierSegment_Throws()
    {
        var options = new WalOptions { SegmentBytes = 2048 };
        using (WalLog wal = WalLog.Create(_dir, [], options))
        {
            for (ulong i = 1; i <= 30; i++)
            {
                wal.Save(null, [E(i, 1, 200)], mustSync: false);
            }
        }
        string[] segments = WalTestFrames.Segments(_dir);
        Assert.True(segments.Length > 2);
        (long offset, _, _) = WalTestFrames.Read(segments[0]).Last();
        // Zero the whole last record of a sealed segment: only a torn write at the WAL's end may be repaired.
        using (var f = new FileStream(segments[0], FileMode.Open))
        {
            f.Position = offset + 16;
            f.Write(new byte[200]);
        }
        WalCorruptException ex = Assert.Throws<WalCorruptException>(() => Reopen(default, options));
        Assert.Equal(segments[0], ex.File);
    }

    [Fact]
    public void ReleaseLockTo_DeletesOldSegments_AndReopenFromSnapshotStillWorks()
    {
        var options = new WalOptions { SegmentBytes = 2048 };
        using (WalLog wal = WalLog.Create(_dir, [], options))
        {
            for (ulong i = 1; i <= 40; i++)
            {
                wal.Save(new HardState { Term = 1, Commit = i }, [E(i, 1, 200)], mustSync: false);
            }
            wal.SaveSnapshot(new WalSnapshot(30, 1));
            int before = WalTestFrames.Segments(_dir).Length;
            wal.ReleaseLockTo(30);
            Assert.True(WalTestFrames.Segments(_dir).Length < before);
            Assert.Contains(new WalSnapshot(30, 1), WalLog.ValidSnapshotEntries(_dir));
        }
        WalReadResult read = Reopen(new WalSnapshot(30, 1), options);
        Assert.Equal(Enumerable.Range(31, 10).Select(i => (ulong)i), read.Entries.Select(e => e.Index));
        Assert.Throws<WalCorruptException>(() => Reopen(default, options));
    }

    [Fact]
    public void ValidSnapshotEntries_KeepsOnlyMarkersAtOrBelowCommit()
    {
        using (WalLog wal = WalLog.Create(_dir, []))
        {
            wal.Save(new HardState { Term = 1, Commit = 5 }, Range(1, 10), mustSync: true);
            wal.SaveSnapshot(new WalSnapshot(4, 1));
            wal.SaveSnapshot(new WalSnapshot(8, 1));
        }
        Assert.Equal([0UL, 4], WalLog.ValidSnapshotEntries(_dir).Select(s => s.Index));
    }

    [Fact]
    public void Save_BeforeReadAll_Throws()
    {
        WalLog.Create(_dir, []).Dispose();
        using WalLog wal = WalLog.Open(_dir, default);
        Assert.Throws<InvalidOperationException>(() => wal.Save(null, [E(1, 1)], mustSync: true));
    }

    [Fact]
    public void Open_WhileAnotherInstanceHoldsTheTail_Fails()
    {
        using WalLog wal = WalLog.Create(_dir, []);
        Assert.Throws<IOException>(() => WalLog.Open(_dir, default));
    }

    private static void FlipByte(string path, long offset)
    {
        using var f = new FileStream(path, FileMode.Open);
        f.Position = offset;
        int b = f.ReadByte();
        f.Position = offset;
        f.WriteByte((byte)(b ^ 0x40));
    }
}

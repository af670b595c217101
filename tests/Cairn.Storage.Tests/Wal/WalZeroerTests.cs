using System.Diagnostics;
using Cairn.Raft.Raftpb;
using Cairn.Storage.Wal;
using Google.Protobuf;
using WalLog = Cairn.Storage.Wal.Wal;

namespace Cairn.Storage.Tests.Wal;

/// <summary>The zeroer's contract: zeros only past the tail, never over data, same file length, stops on Dispose.</summary>
public sealed class WalZeroerTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempDir _tmp = new();
    private readonly string _dir;

    public WalZeroerTests() => _dir = _tmp.Sub("wal");

    public void Dispose() => _tmp.Dispose();

    private static Entry E(ulong index, int dataBytes) =>
        new() { Index = index, Term = 1, Data = ByteString.CopyFrom(Enumerable.Range(0, dataBytes).Select(i => (byte)(index * 31 + (ulong)i | 1)).ToArray()) };

    /// <summary>
    /// Whether the region from the tail to its lead (or to the segment end) is zeroed and synced. The page holding the
    /// tail is the appender's: the zeroer starts at the next page boundary, so that page counts as covered.
    /// </summary>
    private static bool CaughtUp(WalLog wal, WalOptions options)
    {
        long tail = wal.TailOffset;
        long covered = Math.Max(wal.Zeroer.ZeroedTo, (tail + 4095) & ~4095L);
        return covered >= Math.Min(tail + options.ZeroLeadBytes, options.SegmentBytes);
    }

    private static void WaitCaughtUp(WalLog wal, WalOptions options) =>
        Assert.True(SpinWait.SpinUntil(() => CaughtUp(wal, options), Patience), $"zeroer stuck at {wal.Zeroer.ZeroedTo}, tail {wal.TailOffset}");

    private static byte[] ReadShared(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var bytes = new byte[f.Length];
        f.ReadExactly(bytes);
        return bytes;
    }

    [Fact]
    public void Zeroer_CatchesUp_BytesPastTheTailAreZerosAndTheLengthIsUnchanged()
    {
        // A chunk that does not divide the segment: the last one is clipped at the end of the file.
        var options = new WalOptions { SegmentBytes = 1 << 20, ZeroLeadBytes = 256 << 10, ZeroChunkBytes = 48 << 10 };
        var expected = new List<Entry>();
        using (WalLog wal = WalLog.Create(_dir, "m"u8, options))
        {
            WaitCaughtUp(wal, options);
            Assert.True(wal.Zeroer.ZeroedTo >= options.ZeroLeadBytes);
            // First within the segment, then close enough to its end that the zeroer reaches it.
            foreach (int upTo in new[] { 300, 850 })
            {
                for (ulong i = (ulong)expected.Count + 1; i <= (ulong)upTo; i++)
                {
                    expected.Add(E(i, 1000));
                    wal.Save(new HardState { Term = 1, Commit = i }, [expected[^1]], mustSync: i % 10 == 0);
                }
                WaitCaughtUp(wal, options);
                long tail = wal.TailOffset;
                byte[] file = ReadShared(WalTestFrames.Segments(_dir).Single());
                Assert.Equal(options.SegmentBytes, file.Length);
                Assert.Equal(-1, file.AsSpan((int)tail).IndexOfAnyExcept((byte)0));
            }
            Assert.Equal(options.SegmentBytes, wal.Zeroer.ZeroedTo);
        }
        using (WalLog wal = WalLog.Open(_dir, default, options))
        {
            Assert.Equal(expected, wal.ReadAll().Entries);
            // Recovery hands the tail back to the zeroer.
            WaitCaughtUp(wal, options);
        }
        Assert.Equal(options.SegmentBytes, new FileInfo(WalTestFrames.Segments(_dir).Single()).Length);
    }

    [Fact]
    public void Zeroer_RacingAppendsAcrossCuts_NeverOverwritesData()
    {
        var options = new WalOptions { SegmentBytes = 64 << 10, ZeroLeadBytes = 16 << 10, ZeroChunkBytes = 4096 };
        var random = new Random(7);
        var expected = new List<Entry>();
        using (WalLog wal = WalLog.Create(_dir, "m"u8, options))
        {
            ulong index = 0;
            for (int batch = 1; batch <= 600; batch++)
            {
                var entries = new List<Entry>();
                for (int n = random.Next(1, 6); n > 0; n--)
                {
                    entries.Add(E(++index, random.Next(1, 900)));
                }
                expected.AddRange(entries);
                wal.Save(new HardState { Term = 1, Commit = index }, entries, mustSync: batch % 3 == 0);
                if (batch % 25 == 0)
                {
                    // Let the zeroer get ahead, so the next appends overwrite freshly zeroed blocks.
                    WaitCaughtUp(wal, options);
                }
            }
            Assert.True(WalTestFrames.Segments(_dir).Length >= 10, "the appends cut many segments");
        }
        using (WalLog wal = WalLog.Open(_dir, default, options))
        {
            WalReadResult read = wal.ReadAll();
            Assert.Equal(expected.Count, read.Entries.Count);
            Assert.Equal(expected, read.Entries);
        }
    }

    [Fact]
    public void Dispose_WhileZeroing_StopsTheZeroerPromptly()
    {
        // 4,096 chunks, each with its own fdatasync: the zeroer is still busy when Dispose comes.
        var options = new WalOptions { SegmentBytes = 64L << 20, ZeroLeadBytes = 64L << 20, ZeroChunkBytes = 16 << 10 };
        WalLog wal = WalLog.Create(_dir, "m"u8, options);
        Assert.True(SpinWait.SpinUntil(() => wal.Zeroer.ZeroedTo > 0, Patience), "zeroer never started");
        Assert.True(wal.Zeroer.IsRunning);

        var clock = Stopwatch.StartNew();
        wal.Dispose();
        clock.Stop();

        Assert.False(wal.Zeroer.IsRunning);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"Dispose took {clock.Elapsed}");
        using WalLog reopened = WalLog.Open(_dir, default, options);
        Assert.Empty(reopened.ReadAll().Entries);
    }

    [Fact]
    public void ZeroLeadOfZero_StartsNoZeroer()
    {
        var options = new WalOptions { SegmentBytes = 1 << 20, ZeroLeadBytes = 0 };
        using WalLog wal = WalLog.Create(_dir, "m"u8, options);
        wal.Save(new HardState { Term = 1, Commit = 1 }, [E(1, 100)], mustSync: true);
        Assert.False(wal.Zeroer.IsRunning);
        Assert.Equal(0, wal.Zeroer.ZeroedTo);
    }
}

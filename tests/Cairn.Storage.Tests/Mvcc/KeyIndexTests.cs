using System.Buffers.Binary;
using System.Text;
using Cairn.Storage.Mvcc;

namespace Cairn.Storage.Tests.Mvcc;

public sealed class KeyIndexTests
{
    private static byte[] Key(int i)
    {
        byte[] key = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(key, i);
        return key;
    }

    [Fact]
    public void AscendingInserts_FillLeavesAndStayOrdered()
    {
        var index = new KeyIndex();
        const int n = 200_000;
        for (int i = 0; i < n; i++)
        {
            index.Put(Key(i), i + 1, 0, 0);
        }
        (int leaves, int keys) = index.CheckInvariants();
        Assert.Equal(n, keys);
        // Appends split at the end, so all leaves but the last are full.
        Assert.Equal((n + KeyIndex.LeafCapacity - 1) / KeyIndex.LeafCapacity, leaves);
        var revisions = new List<Revision>();
        Assert.Equal(n, index.Range(Key(0), [0], n, 10, revisions));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => new Revision(i, 0)), revisions);
        Assert.Equal(1000, index.Range(Key(5000), Key(6000), n, int.MaxValue, null));
    }

    [Fact]
    public void RandomPutsDeletesAndCompactions_MatchAModel()
    {
        var random = new Random(12345);
        var index = new KeyIndex();
        var model = new SortedDictionary<string, List<(long Main, bool Tomb)>>(StringComparer.Ordinal);
        string[] keySpace = Enumerable.Range(0, 6000)
            .Select(i => new string((char)('a' + (i % 26)), 1 + (i % 7)) + i.ToString("x", System.Globalization.CultureInfo.InvariantCulture))
            .ToArray();
        long rev = 0;
        long compacted = 0;
        for (int step = 0; step < 60_000; step++)
        {
            string k = keySpace[random.Next(keySpace.Length)];
            byte[] kb = Encoding.UTF8.GetBytes(k);
            bool live = model.TryGetValue(k, out var history) && history.Count > 0 && !history[^1].Tomb;
            if (random.Next(3) == 0)
            {
                bool done = index.Tombstone(kb, rev + 1, 0, out _);
                Assert.Equal(live, done);
                if (done)
                {
                    rev++;
                    history!.Add((rev, true));
                }
            }
            else
            {
                rev++;
                PutOutcome outcome = index.Put(kb, rev, 0, 0);
                Assert.Equal(live ? 0 : rev, live ? 0 : outcome.Created);
                if (!model.TryGetValue(k, out history))
                {
                    model[k] = history = [];
                }
                history.Add((rev, false));
            }
            if (step % 7_000 == 6_999)
            {
                compacted = compacted + random.Next((int)(rev - compacted));
                var removed = new List<(long Main, int SubFlags)>();
                byte[]? resume = null;
                do
                {
                    resume = index.CompactChunk(compacted, resume, 100, removed);
                }
                while (resume is not null);
                int expectedRemoved = CompactModel(model, compacted);
                Assert.Equal(expectedRemoved, removed.Count);
                index.CheckInvariants();
                Assert.Equal(model.Count, index.Count);
            }
            if (step % 997 == 0)
            {
                long at = compacted + random.Next((int)(rev - compacted) + 1);
                string a = keySpace[random.Next(keySpace.Length)];
                string b = keySpace[random.Next(keySpace.Length)];
                if (string.CompareOrdinal(a, b) > 0)
                {
                    (a, b) = (b, a);
                }
                AssertRange(index, model, a, b, at);
                AssertRange(index, model, a, "\0", at);
                AssertRange(index, model, a, "", at);
            }
        }
        index.CheckInvariants();
    }

    private static void AssertRange(KeyIndex index, SortedDictionary<string, List<(long Main, bool Tomb)>> model, string start, string end, long at)
    {
        var expected = new List<Revision>();
        foreach ((string k, List<(long Main, bool Tomb)> history) in model)
        {
            bool inRange = end.Length == 0 ? k == start
                : end == "\0" ? string.CompareOrdinal(k, start) >= 0
                : string.CompareOrdinal(k, start) >= 0 && string.CompareOrdinal(k, end) < 0;
            if (!inRange)
            {
                continue;
            }
            (long Main, bool Tomb)? last = null;
            foreach ((long Main, bool Tomb) e in history)
            {
                if (e.Main <= at)
                {
                    last = e;
                }
            }
            if (last is { Tomb: false } found)
            {
                expected.Add(new Revision(found.Main, 0));
            }
        }
        var actual = new List<Revision>();
        byte[] endBytes = end == "\0" ? [0] : Encoding.UTF8.GetBytes(end);
        long count = index.Range(Encoding.UTF8.GetBytes(start), endBytes, at, int.MaxValue, actual);
        Assert.Equal(expected, actual);
        Assert.Equal(expected.Count, count);
        var limited = new List<Revision>();
        Assert.Equal(expected.Count, index.Range(Encoding.UTF8.GetBytes(start), endBytes, at, 3, limited));
        Assert.Equal(expected.Take(3), limited);
    }

    /// <summary>The model of compaction: drop events before the newest at or below atRev, and that one if it is a tombstone.</summary>
    private static int CompactModel(SortedDictionary<string, List<(long Main, bool Tomb)>> model, long atRev)
    {
        int removed = 0;
        foreach (string k in model.Keys.ToList())
        {
            List<(long Main, bool Tomb)> history = model[k];
            int j = history.FindLastIndex(e => e.Main <= atRev);
            if (j < 0)
            {
                continue;
            }
            int drop = history[j].Tomb ? j + 1 : j;
            history.RemoveRange(0, drop);
            removed += drop;
            if (history.Count == 0)
            {
                model.Remove(k);
            }
        }
        return removed;
    }
}

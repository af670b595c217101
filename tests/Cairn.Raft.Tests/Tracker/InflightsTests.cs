using Cairn.Raft.Tracker;

namespace Cairn.Raft.Tests.Tracker;

public sealed class InflightsTests
{
    [Fact]
    public void Add_UpToSize_ThenFull()
    {
        var inf = new Inflights(10, 0);
        for (ulong i = 0; i < 10; i++)
        {
            Assert.False(inf.Full);
            inf.Add(i, 100);
        }

        Assert.True(inf.Full);
        Assert.Equal(10, inf.Count);
        Assert.Equal(1000UL, inf.Bytes);
        Assert.Throws<InvalidOperationException>(() => inf.Add(10, 1));
    }

    [Fact]
    public void FreeLE_FreesPrefixAndWrapsAround()
    {
        var inf = new Inflights(10, 0);
        for (ulong i = 0; i < 10; i++)
        {
            inf.Add(i, 1);
        }

        inf.FreeLE(4);
        Assert.Equal(5, inf.Count);
        Assert.Equal(5UL, inf.Bytes);

        // Wrap around the ring: indexes 10..14 land in the freed front slots.
        for (ulong i = 10; i < 15; i++)
        {
            inf.Add(i, 1);
        }

        Assert.True(inf.Full);
        inf.FreeLE(8);
        Assert.Equal(6, inf.Count);
        inf.FreeLE(12);
        Assert.Equal(2, inf.Count);
        inf.FreeLE(14);
        Assert.Equal(0, inf.Count);
        Assert.Equal(0UL, inf.Bytes);
    }

    [Fact]
    public void FreeLE_BelowFirst_IsNoop()
    {
        var inf = new Inflights(4, 0);
        inf.Add(5, 1);
        inf.Add(7, 1);
        inf.FreeLE(4);
        Assert.Equal(2, inf.Count);
        inf.FreeLE(6);
        Assert.Equal(1, inf.Count);
        inf.FreeLE(100);
        Assert.Equal(0, inf.Count);
        inf.FreeLE(200);
        Assert.Equal(0, inf.Count);
    }

    [Fact]
    public void Full_ByBytes_OvershootAllowedOnce()
    {
        var inf = new Inflights(10, 1000);
        inf.Add(1, 400);
        Assert.False(inf.Full);
        inf.Add(2, 500);
        Assert.False(inf.Full);
        // A single message may overshoot; the window is then full.
        inf.Add(3, 300);
        Assert.True(inf.Full);
        Assert.Equal(1200UL, inf.Bytes);
        inf.FreeLE(1);
        Assert.False(inf.Full);
        Assert.Equal(800UL, inf.Bytes);
    }

    [Fact]
    public void Reset_ForgetsEverything()
    {
        var inf = new Inflights(3, 10);
        inf.Add(1, 10);
        Assert.True(inf.Full);
        inf.Reset();
        Assert.Equal(0, inf.Count);
        Assert.Equal(0UL, inf.Bytes);
        Assert.False(inf.Full);
        inf.Add(5, 1);
        Assert.Equal(1, inf.Count);
    }

    [Fact]
    public void Clone_IsIndependent()
    {
        var inf = new Inflights(4, 0);
        inf.Add(1, 1);
        inf.Add(2, 1);
        var clone = inf.Clone();
        inf.FreeLE(2);
        Assert.Equal(0, inf.Count);
        Assert.Equal(2, clone.Count);
        clone.FreeLE(1);
        Assert.Equal(1, clone.Count);
    }

    [Fact]
    public void RandomOperations_MatchQueueModel()
    {
        var rng = new Random(3);
        for (int round = 0; round < 200; round++)
        {
            int size = rng.Next(1, 9);
            ulong maxBytes = rng.Next(2) == 0 ? 0 : (ulong)rng.Next(1, 50);
            var inf = new Inflights(size, maxBytes);
            var model = new Queue<(ulong Index, ulong Bytes)>();
            ulong next = 1;
            for (int op = 0; op < 200; op++)
            {
                ulong modelBytes = model.Aggregate(0UL, (s, e) => s + e.Bytes);
                bool modelFull = model.Count == size || (maxBytes != 0 && modelBytes >= maxBytes);
                Assert.Equal(modelFull, inf.Full);
                if (!modelFull && rng.Next(3) != 0)
                {
                    next += (ulong)rng.Next(1, 4);
                    ulong bytes = (ulong)rng.Next(0, 20);
                    inf.Add(next, bytes);
                    model.Enqueue((next, bytes));
                }
                else
                {
                    ulong to = next - (ulong)rng.Next(0, 6);
                    inf.FreeLE(to);
                    while (model.Count > 0 && model.Peek().Index <= to)
                    {
                        model.Dequeue();
                    }
                }

                Assert.Equal(model.Count, inf.Count);
                Assert.Equal(model.Aggregate(0UL, (s, e) => s + e.Bytes), inf.Bytes);
            }
        }
    }
}

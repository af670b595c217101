using Cairn.Raft.Raftpb;
using Cairn.Server.Raft;

namespace Cairn.Server.Tests.Raft;

/// <summary>The apply thread: index order across queued and inline batches, where a batch runs, and fail-stop.</summary>
public sealed class ApplierTests
{
    private static Entry[] Batch(ref ulong next, int count)
    {
        var batch = new Entry[count];
        for (var i = 0; i < count; i++)
        {
            batch[i] = new Entry { Index = next++, Term = 1, Type = EntryType.EntryNormal };
        }
        return batch;
    }

    [Fact]
    public void Enqueue_MixedBatchSizes_AppliesEveryEntryOnceInIndexOrder()
    {
        var seen = new List<ulong>();
        var applied = new List<ulong>();
        using var applier = new Applier(
            e =>
            {
                lock (seen)
                {
                    seen.Add(e.Index);
                }
                if (e.Index % 50 == 0)
                {
                    Thread.Sleep(1); // lets queued batches pile up behind a slow one
                }
            },
            i =>
            {
                lock (applied)
                {
                    applied.Add(i);
                }
            });
        ulong next = 1;
        foreach (var size in Enumerable.Range(0, 200).Select(i => i % 7 == 0 ? 40 : 1 + i % 5))
        {
            applier.Enqueue(Batch(ref next, size));
        }
        applier.Drain();

        Assert.Equal(Enumerable.Range(1, (int)next - 1).Select(i => (ulong)i), seen);
        Assert.Equal(next - 1, applied[^1]);
        Assert.Equal(applied.OrderBy(i => i), applied);
    }

    [Fact]
    public void Enqueue_SmallBatchWhenIdle_RunsOnTheCallersThread_LargeBatchOnTheApplyThread()
    {
        var threads = new Dictionary<ulong, int>();
        using var applier = new Applier(e => threads[e.Index] = Environment.CurrentManagedThreadId, _ => { });
        ulong next = 1;
        applier.Enqueue(Batch(ref next, 1));
        applier.Enqueue(Batch(ref next, 100));
        applier.Drain();

        Assert.Equal(Environment.CurrentManagedThreadId, threads[1]);
        Assert.NotEqual(Environment.CurrentManagedThreadId, threads[2]);
    }

    [Fact]
    public async Task Enqueue_InlineApplyThrows_FaultsCompletionAndRefusesMore()
    {
        using var applier = new Applier(e => throw new InvalidDataException($"bad entry {e.Index}"), _ => { });
        ulong next = 1;
        var first = Assert.Throws<InvalidOperationException>(() => applier.Enqueue(Batch(ref next, 1)));
        Assert.IsType<InvalidDataException>(first.InnerException);
        await Assert.ThrowsAsync<InvalidDataException>(() => applier.Completion);
        Assert.Throws<InvalidOperationException>(() => applier.Enqueue(Batch(ref next, 1)));
    }
}

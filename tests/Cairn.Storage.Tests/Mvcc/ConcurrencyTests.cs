using Cairn.Storage.Backend;
using Cairn.Storage.Mvcc;

namespace Cairn.Storage.Tests.Mvcc;

public sealed class ConcurrencyTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public async Task Readers_SeeExactlyTheirRevision_WhileTheWriterCommitsUnderThem()
    {
        // Tiny batches: commits (and so WriteBuffer clears and reader snapshot restarts) happen all the time.
        using var backend = new SqliteBackend(_tmp.Sub("db"), new BackendOptions { BatchLimit = 17, BatchInterval = TimeSpan.FromMilliseconds(3) });
        using var store = new MvccStore(backend);
        const int total = 3000;
        using var stop = new CancellationTokenSource();
        int checks = 0;
        Task[] readers = Enumerable.Range(0, 3).Select(seed => Task.Run(() =>
        {
            var random = new Random(seed);
            while (!stop.IsCancellationRequested || Volatile.Read(ref checks) < 300)
            {
                using ITxnRead read = store.Read();
                long rev = read.Rev;
                // Key i is put at revision i + 2 (an empty store is at revision 1), so the store at rev holds exactly
                // keys 0..rev-2.
                RangeResult all = read.Range("k"u8, "l"u8, new RangeOptions { Count = true });
                Assert.Equal(rev - 1, all.Count);
                if (rev > 1)
                {
                    int i = random.Next((int)rev - 1);
                    RangeResult one = read.Range(MvccFixture.B($"k{i:D6}"), [], default);
                    Assert.Equal($"v{i}", Assert.Single(one.Kvs).Value.ToStringUtf8());
                    RangeResult page = read.Range(MvccFixture.B($"k{i:D6}"), "l"u8, new RangeOptions { Limit = 5, Rev = random.Next(1, (int)rev + 1) });
                    Assert.All(page.Kvs, kv => Assert.True(kv.ModRevision <= rev));
                }
                Interlocked.Increment(ref checks);
            }
        })).ToArray();
        for (int i = 0; i < total; i++)
        {
            using ITxnWrite txn = store.Write();
            txn.Put(MvccFixture.B($"k{i:D6}"), MvccFixture.B($"v{i}"), 0);
        }
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.True(backend.CommitCount > 50);
        Assert.Equal(total + 1, store.CurrentRevision);
    }
}

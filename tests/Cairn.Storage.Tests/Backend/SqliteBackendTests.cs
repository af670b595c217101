using System.Text;
using Cairn.Storage.Backend;

namespace Cairn.Storage.Tests.Backend;

public sealed class SqliteBackendTests : IDisposable
{
    private static readonly TimeSpan Long = TimeSpan.FromHours(1);
    private readonly TempDir _tmp = new();
    private readonly string _path;

    public SqliteBackendTests() => _path = _tmp.Sub("db");

    public void Dispose() => _tmp.Dispose();

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(ReadOnlySpan<byte> b) => Encoding.UTF8.GetString(b);

    private SqliteBackend Open(int batchLimit = 10_000, TimeSpan? interval = null) =>
        new(_path, new BackendOptions { BatchLimit = batchLimit, BatchInterval = interval ?? Long });

    private static void Put(IBackend backend, string bucket, string key, string value)
    {
        using IBackendBatchTx tx = backend.BatchTx();
        tx.Put(bucket, B(key), B(value));
    }

    private static List<string> Scan(IBackend backend, string bucket, string start = "", string end = "", int max = int.MaxValue)
    {
        var seen = new List<string>();
        using IBackendReadTx read = backend.ReadTx();
        read.Range(bucket, B(start), B(end), (k, v) =>
        {
            seen.Add($"{S(k)}={S(v)}");
            return seen.Count < max;
        });
        return seen;
    }

    [Fact]
    public void Put_IsVisibleToReadersBeforeAndAfterCommit()
    {
        using SqliteBackend backend = Open();
        Put(backend, Buckets.Key, "a", "1");
        using (IBackendReadTx read = backend.ReadTx())
        {
            Assert.Equal("1", S(read.Get(Buckets.Key, B("a"))));
            Assert.Null(read.Get(Buckets.Key, B("b")));
        }
        Assert.Equal(0, backend.CommitCount);
        backend.ForceCommit();
        using (IBackendReadTx read = backend.ReadTx())
        {
            Assert.Equal("1", S(read.Get(Buckets.Key, B("a"))));
        }
    }

    [Fact]
    public void Range_MergesBatchedWritesAndDeletesWithCommittedRows_InKeyOrder()
    {
        using SqliteBackend backend = Open();
        foreach (string k in new[] { "a", "c", "e", "g" })
        {
            Put(backend, Buckets.Lease, k, "old");
        }
        backend.ForceCommit();
        using (IBackendBatchTx tx = backend.BatchTx())
        {
            tx.Put(Buckets.Lease, B("b"), B("new"));
            tx.Put(Buckets.Lease, B("c"), B("new"));
            tx.Delete(Buckets.Lease, B("e"));
            tx.Put(Buckets.Lease, B("h"), B("new"));
        }
        Assert.Equal(["a=old", "b=new", "c=new", "g=old", "h=new"], Scan(backend, Buckets.Lease));
        Assert.Equal(["b=new", "c=new"], Scan(backend, Buckets.Lease, "b", "e"));
        Assert.Equal(["c=new", "g=old", "h=new"], Scan(backend, Buckets.Lease, "c"));
        Assert.Equal(["a=old", "b=new"], Scan(backend, Buckets.Lease, max: 2));
        backend.ForceCommit();
        Assert.Equal(["a=old", "b=new", "c=new", "g=old", "h=new"], Scan(backend, Buckets.Lease));
    }

    [Fact]
    public void BatchLimit_CommitsAtTheEndOfTheScope_NeverInsideIt()
    {
        using SqliteBackend backend = Open(batchLimit: 3);
        using (IBackendBatchTx tx = backend.BatchTx())
        {
            for (int i = 0; i < 10; i++)
            {
                tx.Put(Buckets.Key, B($"k{i}"), B("v"));
            }
            Assert.Equal(0, backend.CommitCount);
            Assert.Equal(10, tx.Pending);
        }
        Assert.Equal(1, backend.CommitCount);
    }

    [Fact]
    public async Task BatchInterval_CommitsPendingWrites()
    {
        using SqliteBackend backend = Open(interval: TimeSpan.FromMilliseconds(20));
        Put(backend, Buckets.Key, "a", "1");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (backend.CommitCount == 0)
        {
            await Task.Delay(5, timeout.Token);
        }
        Assert.True(backend.CommitCount >= 1);
    }

    [Fact]
    public void ConsistentIndex_IsCommittedWithItsBatch_AndSurvivesReopen()
    {
        using (SqliteBackend backend = Open())
        {
            Assert.Equal((0UL, 0UL), backend.ConsistentIndex);
            using (IBackendBatchTx tx = backend.BatchTx())
            {
                backend.SetConsistentIndex(7, 2);
                tx.Put(Buckets.Key, B("a"), B("1"));
            }
            Assert.Equal((7UL, 2UL), backend.ConsistentIndex);
        }
        using (SqliteBackend backend = Open())
        {
            Assert.Equal((7UL, 2UL), backend.ConsistentIndex);
            using IBackendReadTx read = backend.ReadTx();
            Assert.Equal("1", S(read.Get(Buckets.Key, B("a"))));
        }
    }

    [Fact]
    public void Writes_WithoutTheBatchScope_AreRejected()
    {
        using SqliteBackend backend = Open();
        IBackendBatchTx tx = backend.BatchTx();
        tx.Dispose();
        Assert.Throws<InvalidOperationException>(() => tx.Put(Buckets.Key, B("a"), B("1")));
    }

    [Fact]
    public void CreateBucket_NewBucket_IsReadableBeforeAndAfterCommitAndReopen()
    {
        using (SqliteBackend backend = Open())
        {
            using (IBackendReadTx read = backend.ReadTx())
            {
                Assert.Null(read.Get("extra", B("a")));
            }
            using (IBackendBatchTx tx = backend.BatchTx())
            {
                tx.CreateBucket("extra");
                tx.Put("extra", B("a"), B("1"));
            }
            Assert.Equal(["a=1"], Scan(backend, "extra"));
            backend.ForceCommit();
            Assert.Equal(["a=1"], Scan(backend, "extra"));
        }
        using (SqliteBackend backend = Open())
        {
            Assert.Equal(["a=1"], Scan(backend, "extra"));
        }
    }

    [Fact]
    public void EmptyValuesAndKeysWithZeroBytes_RoundTrip()
    {
        using SqliteBackend backend = Open();
        using (IBackendBatchTx tx = backend.BatchTx())
        {
            tx.Put(Buckets.Key, [0], []);
            tx.Put(Buckets.Key, [0, 0], [1]);
        }
        backend.ForceCommit();
        using IBackendReadTx read = backend.ReadTx();
        Assert.Equal([], read.Get(Buckets.Key, [0])!);
        var keys = new List<byte[]>();
        read.Range(Buckets.Key, [], [], (k, _) =>
        {
            keys.Add(k.ToArray());
            return true;
        });
        Assert.Equal([[0], [0, 0]], keys);
    }

    [Fact]
    public void Hash_DependsOnContentNotOnCommitTiming_AndHonoursIgnoredBuckets()
    {
        string other = _tmp.Sub("other");
        using SqliteBackend a = Open();
        using var b = new SqliteBackend(other, new BackendOptions { BatchInterval = Long });
        for (int i = 0; i < 50; i++)
        {
            Put(a, Buckets.Key, $"k{i}", $"v{i}");
            Put(b, Buckets.Key, $"k{i}", $"v{i}");
            if (i % 7 == 0)
            {
                a.ForceCommit();
            }
        }
        Put(a, Buckets.Members, "m", "1");
        Assert.NotEqual(a.Hash(), b.Hash());
        Assert.Equal(a.Hash(new HashSet<string> { Buckets.Members, Buckets.Meta }), b.Hash(new HashSet<string> { Buckets.Members, Buckets.Meta }));
    }

    [Fact]
    public async Task WriteSnapshotAsync_ProducesAnOpenableCopyWithTheSameContent()
    {
        using SqliteBackend backend = Open();
        for (int i = 0; i < 200; i++)
        {
            Put(backend, Buckets.Key, $"k{i:D4}", new string('x', 100));
        }
        backend.SetConsistentIndex(42, 3);
        string copy = _tmp.Sub("copy.db");
        await using (var file = File.Create(copy))
        {
            await backend.WriteSnapshotAsync(file, CancellationToken.None);
        }
        Assert.Equal(0, new FileInfo(copy).Length % 512);
        using var restored = new SqliteBackend(copy, new BackendOptions { BatchInterval = Long });
        Assert.Equal((42UL, 3UL), restored.ConsistentIndex);
        Assert.Equal(backend.Hash(), restored.Hash());
    }

    [Fact]
    public async Task Restore_ReplacesTheDatabaseWithASnapshotFile_DiscardingTheBatch()
    {
        string leaderPath = _tmp.Sub("leader");
        using var leader = new SqliteBackend(leaderPath, new BackendOptions { BatchInterval = Long });
        Put(leader, Buckets.Key, "from-leader", "1");
        leader.SetConsistentIndex(100, 5);
        string file = _tmp.Sub("incoming.db");
        await using (var stream = File.Create(file))
        {
            await leader.WriteSnapshotAsync(stream, CancellationToken.None);
        }
        using SqliteBackend follower = Open();
        Put(follower, Buckets.Key, "stale", "committed");
        follower.ForceCommit();
        Put(follower, Buckets.Key, "stale-batch", "pending");
        IBackendReadTx before = follower.ReadTx();
        Assert.Equal("committed", S(before.Get(Buckets.Key, B("stale"))));
        follower.Restore(file);
        before.Dispose();
        Assert.False(File.Exists(file));
        Assert.Equal((100UL, 5UL), follower.ConsistentIndex);
        Assert.Equal(["from-leader=1"], Scan(follower, Buckets.Key));
        Assert.Equal(leader.Hash(), follower.Hash());
        Put(follower, Buckets.Key, "after", "2");
        follower.ForceCommit();
        Assert.Equal(["after=2", "from-leader=1"], Scan(follower, Buckets.Key));
    }

    [Fact]
    public void Defragment_AfterDeletes_ShrinksSizeToSizeInUse()
    {
        using SqliteBackend backend = Open();
        using (IBackendBatchTx tx = backend.BatchTx())
        {
            for (int i = 0; i < 3000; i++)
            {
                tx.Put(Buckets.Key, B($"k{i:D5}"), new byte[500]);
            }
        }
        backend.ForceCommit();
        using (IBackendBatchTx tx = backend.BatchTx())
        {
            for (int i = 0; i < 3000; i++)
            {
                tx.Delete(Buckets.Key, B($"k{i:D5}"));
            }
        }
        backend.ForceCommit();
        long before = backend.Size;
        Assert.True(backend.SizeInUse < before / 2, $"in use {backend.SizeInUse} of {before}");
        backend.Defragment();
        Assert.True(backend.Size < before / 2, $"size {backend.Size} was {before}");
        Put(backend, Buckets.Key, "after", "defrag");
        Assert.Equal(["after=defrag"], Scan(backend, Buckets.Key));
    }

    [Fact]
    public async Task Checkpointing_UnderSteadyWrites_KeepsSqliteWalBounded()
    {
        var options = new BackendOptions
        {
            BatchLimit = 100,
            BatchInterval = TimeSpan.FromMilliseconds(5),
            CheckpointInterval = TimeSpan.FromMilliseconds(10),
            WalTruncateBytes = 256 * 1024,
        };
        using var backend = new SqliteBackend(_path, options);
        using (IBackendReadTx read = backend.ReadTx())
        {
            // A pooled reader keeps its snapshot between uses; it must not pin the WAL.
            Assert.Null(read.Get(Buckets.Key, B("none")));
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int i = 0;
        while (backend.TruncateCount == 0)
        {
            for (int j = 0; j < 200; j++, i++)
            {
                Put(backend, Buckets.Key, $"k{i:D8}", new string('v', 200));
            }
            await Task.Delay(1, timeout.Token);
        }
        Assert.True(backend.TruncateCount > 0);
        using (IBackendReadTx read = backend.ReadTx())
        {
            Assert.Equal(new string('v', 200), S(read.Get(Buckets.Key, B("k00000000"))));
            Assert.Equal(new string('v', 200), S(read.Get(Buckets.Key, B($"k{i - 1:D8}"))));
        }
    }

    [Fact]
    public async Task ConcurrentReaders_AlwaysSeeEveryWriteMadeBeforeTheyLooked()
    {
        using SqliteBackend backend = Open(batchLimit: 50, interval: TimeSpan.FromMilliseconds(2));
        const int total = 4000;
        int written = 0;
        using var stop = new CancellationTokenSource();
        Task[] readers = Enumerable.Range(0, 3).Select(seed => Task.Run(() =>
        {
            var random = new Random(seed);
            int checks = 0;
            while (!stop.IsCancellationRequested || checks < 100)
            {
                int upTo = Volatile.Read(ref written);
                if (upTo == 0)
                {
                    continue;
                }
                int k = random.Next(upTo);
                using IBackendReadTx read = backend.ReadTx();
                byte[]? value = read.Get(Buckets.Key, B($"k{k:D6}"));
                Assert.NotNull(value);
                Assert.Equal($"v{k}", S(value));
                checks++;
            }
        })).ToArray();
        for (int i = 0; i < total; i++)
        {
            Put(backend, Buckets.Key, $"k{i:D6}", $"v{i}");
            Volatile.Write(ref written, i + 1);
        }
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.True(backend.CommitCount > 10);
    }
}

using System.Buffers.Binary;
using Cairn.Api.Errors;
using Cairn.Storage.Backend;
using Cairn.Storage.Mvcc;

namespace Cairn.Storage.Tests.Mvcc;

public sealed class CompactionTests : IDisposable
{
    private readonly MvccFixture _f = new(new MvccOptions { CompactionBatchLimit = 7 });

    public void Dispose() => _f.Dispose();

    private int StoredRevisions()
    {
        int n = 0;
        using IBackendReadTx read = _f.Backend.ReadTx();
        read.Range(Buckets.Key, [], [], (_, _) =>
        {
            n++;
            return true;
        });
        return n;
    }

    [Fact]
    public async Task Compact_DropsSupersededRevisionsAndDeadKeys_KeepsTheLatest()
    {
        for (int i = 0; i < 10; i++)
        {
            _f.Put("a", $"{i}");
        }
        _f.Put("b", "1");
        _f.Delete("b");
        _f.Put("c", "1");
        Assert.Equal(13, StoredRevisions());
        await _f.Store.Compact(13);
        Assert.Equal(13, _f.Store.CompactRevision);
        // a@11 is kept (latest at or below 13); b's put and tombstone go; c@14 is above the compact revision.
        Assert.Equal(2, StoredRevisions());
        Assert.Equal(2, _f.Store.IndexedKeys);
        Assert.Equal("9", _f.Get("a", rev: 13).Kvs[0].Value.ToStringUtf8());
        Assert.Empty(_f.Get("b", rev: 13).Kvs);
        Assert.Same(EtcdErrors.Compacted, Assert.Throws<EtcdException>(() => _f.Get("a", rev: 12)).Error);
    }

    [Fact]
    public async Task Compact_InvalidRevisions_ThrowEtcdErrors()
    {
        _f.Put("a", "1");
        _f.Put("a", "2");
        Assert.Same(EtcdErrors.FutureRev, Assert.Throws<EtcdException>(() => { _ = _f.Store.Compact(4); }).Error);
        await _f.Store.Compact(2);
        Assert.Same(EtcdErrors.Compacted, Assert.Throws<EtcdException>(() => { _ = _f.Store.Compact(2); }).Error);
        Assert.Same(EtcdErrors.Compacted, Assert.Throws<EtcdException>(() => { _ = _f.Store.Compact(1); }).Error);
        Assert.Same(EtcdErrors.Compacted, Assert.Throws<EtcdException>(() => { _ = _f.Store.Compact(0); }).Error);
    }

    [Fact]
    public async Task Compact_SurvivesRestart_AndKeepsCurrentRevisionWhenLatestWasCompactedAway()
    {
        _f.Put("a", "1");
        _f.Delete("a");
        await _f.Store.Compact(3);
        Assert.Equal(0, StoredRevisions());
        _f.Backend.ForceCommit();
        _f.Reopen();
        Assert.Equal(3, _f.Store.CurrentRevision);
        Assert.Equal(3, _f.Store.CompactRevision);
        Assert.Equal(4, _f.Put("a", "2"));
    }

    [Fact]
    public async Task Restart_WithScheduledButUnfinishedCompaction_FinishesIt()
    {
        for (int i = 0; i < 20; i++)
        {
            _f.Put($"k{i % 4}", $"{i}");
        }
        // As if the process died right after Compact(16) was applied, before any physical deletion.
        using (IBackendBatchTx tx = _f.Backend.BatchTx())
        {
            byte[] rev = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(rev, 16);
            tx.Put(Buckets.Meta, "scheduledCompactRev"u8, rev);
        }
        _f.Backend.ForceCommit();
        _f.Reopen();
        Assert.Equal(16, _f.Store.CompactRevision);
        await _f.Store.Compactions;
        // Per key: its latest revision at or below 16, plus those above 16.
        Assert.Equal(4 + 5, StoredRevisions());
        using IBackendReadTx read = _f.Backend.ReadTx();
        Assert.NotNull(read.Get(Buckets.Meta, "finishedCompactRev"u8));
    }

    [Fact]
    public async Task HashByRev_DoesNotDependOnPhysicalCompactionProgress()
    {
        using var other = new MvccFixture();
        foreach (MvccFixture f in new[] { _f, other })
        {
            for (int i = 0; i < 30; i++)
            {
                f.Put($"k{i % 5}", $"{i}");
                if (i % 6 == 0)
                {
                    f.Delete($"k{(i + 1) % 5}");
                }
            }
        }
        (uint before, long rev, long compact) = _f.Store.HashByRev(0);
        Assert.Equal(_f.Store.CurrentRevision, rev);
        Assert.Equal(-1, compact);
        Assert.Equal(before, other.Store.HashByRev(0).Hash);
        await _f.Store.Compact(21);
        await other.Store.Compact(21);
        (uint afterCompaction, _, long compactRev) = _f.Store.HashByRev(0);
        Assert.Equal(21, compactRev);
        Assert.Equal(afterCompaction, other.Store.HashByRev(0).Hash);
        Assert.Same(EtcdErrors.Compacted, Assert.Throws<EtcdException>(() => _f.Store.HashByRev(21)).Error);
        Assert.Same(EtcdErrors.FutureRev, Assert.Throws<EtcdException>(() => _f.Store.HashByRev(1000)).Error);
        Assert.Equal(_f.Store.HashByRev(31).Hash, other.Store.HashByRev(31).Hash);
    }

    [Fact]
    public async Task Compaction_RunsWhileWritersKeepWriting()
    {
        for (int i = 0; i < 2000; i++)
        {
            _f.Put($"k{i % 50}", $"{i}");
        }
        Task compaction = _f.Store.Compact(1901);
        for (int i = 0; i < 200; i++)
        {
            _f.Put($"k{i % 50}", "late");
        }
        await compaction;
        // Per key its latest revision at or below 1901, the 100 revisions above it, and the 200 late puts.
        Assert.Equal(50 + 100 + 200, StoredRevisions());
        Assert.All(_f.Get("k", "l").Kvs, kv => Assert.Equal("late", kv.Value.ToStringUtf8()));
    }
}

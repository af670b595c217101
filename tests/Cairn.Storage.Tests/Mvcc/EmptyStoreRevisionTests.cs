using Cairn.Api.Errors;
using Cairn.Api.Mvccpb;
using Cairn.Storage.Mvcc;
using static Cairn.Storage.Tests.Mvcc.MvccFixture;

namespace Cairn.Storage.Tests.Mvcc;

/// <summary>
/// etcd's starting revisions (mvcc/kvstore.go: currentRev 1, compactMainRev -1), checked against etcd 3.4.23: an
/// empty store is at revision 1, the first write gets revision 2, and a never-compacted store has compact revision -1.
/// </summary>
public sealed class EmptyStoreRevisionTests : IDisposable
{
    /// <summary>HashKV of an empty keyspace as real etcd 3.4.23 reports it (CRC-32C of the bucket name "key").</summary>
    private const uint EmptyKeyspaceHash = 1084519789;

    private readonly MvccFixture _f = new();

    private MvccStore Store => _f.Store;

    public void Dispose() => _f.Dispose();

    [Fact]
    public void FreshStore_IsAtRevisionOne_NeverCompacted()
    {
        Assert.Equal(1, Store.CurrentRevision);
        Assert.Equal(-1, Store.CompactRevision);
        using ITxnRead read = Store.Read();
        Assert.Equal(1, read.Rev);
        Assert.Equal(-1, read.FirstRev);
        RangeResult atOne = read.Range(B("a"), [0], new RangeOptions { Rev = 1 });
        Assert.Empty(atOne.Kvs);
        Assert.Equal(1, atOne.Rev);
        Assert.Same(EtcdErrors.FutureRev, Assert.Throws<EtcdException>(() => read.Range(B("a"), [], new RangeOptions { Rev = 2 })).Error);
        Assert.Empty(Store.RangeEvents(1, 2, int.MaxValue));
    }

    [Fact]
    public void FirstPut_GetsRevisionTwo()
    {
        using (ITxnWrite txn = Store.Write())
        {
            Assert.Equal(1, txn.Rev);
            Assert.Equal(-1, txn.FirstRev);
            Assert.Equal(2, txn.Put(B("a"), B("1"), 0));
        }
        Assert.Equal(2, Store.CurrentRevision);
        KeyValue kv = Assert.Single(_f.Get("a").Kvs);
        Assert.Equal((2L, 2L, 1L), (kv.CreateRevision, kv.ModRevision, kv.Version));
        Assert.Empty(_f.Get("a", rev: 1).Kvs);
    }

    [Fact]
    public async Task Compact_ZeroOnFreshStore_Succeeds_ThenOnlyLaterRevisions()
    {
        await Store.Compact(0);
        Assert.Equal(0, Store.CompactRevision);
        Assert.Equal(1, Store.CurrentRevision);
        Assert.Same(EtcdErrors.Compacted, Assert.Throws<EtcdException>(() => { _ = Store.Compact(0); }).Error);
        _f.Backend.ForceCommit();
        _f.Reopen();
        Assert.Equal(0, Store.CompactRevision);
        Assert.Equal(1, Store.CurrentRevision);
        await Store.Compact(1);
        Assert.Equal(1, Store.CompactRevision);
        Assert.Same(EtcdErrors.FutureRev, Assert.Throws<EtcdException>(() => { _ = Store.Compact(2); }).Error);
    }

    [Fact]
    public async Task Compact_OneOnFreshStore_Succeeds_AndSurvivesRestart()
    {
        await Store.Compact(1);
        Assert.Equal(1, Store.CompactRevision);
        Assert.Equal(1, Store.CurrentRevision);
        Assert.Empty(_f.Get("a", rev: 1).Kvs);
        Assert.Same(EtcdErrors.Compacted, Assert.Throws<EtcdException>(() => { _ = Store.Compact(1); }).Error);
        Assert.Same(EtcdErrors.Compacted, Assert.Throws<EtcdException>(() => { _ = Store.Compact(0); }).Error);
        _f.Backend.ForceCommit();
        _f.Reopen();
        Assert.Equal(1, Store.CompactRevision);
        Assert.Equal(1, Store.CurrentRevision);
        Assert.Equal((EmptyKeyspaceHash, 1L, 1L), Store.HashByRev(0));
        Assert.Equal(2, _f.Put("a", "1"));
    }

    [Fact]
    public void HashByRev_FreshStore_ReturnsRevisionOneAndCompactRevisionMinusOne()
    {
        Assert.Equal((EmptyKeyspaceHash, 1L, -1L), Store.HashByRev(0));
        Assert.Equal((EmptyKeyspaceHash, 1L, -1L), Store.HashByRev(1));
        Assert.Same(EtcdErrors.FutureRev, Assert.Throws<EtcdException>(() => Store.HashByRev(2)).Error);
    }

    [Fact]
    public async Task HashByRev_AfterCompactOneAndFirstPut_MatchesEtcd()
    {
        // etcd 3.4.23, fresh member: `etcdctl compact 1`, `etcdctl put a 1`, `etcdctl endpoint hashkv`.
        await Store.Compact(1);
        _f.Put("a", "1");
        Assert.Equal((2587454935u, 2L, 1L), Store.HashByRev(0));
    }
}

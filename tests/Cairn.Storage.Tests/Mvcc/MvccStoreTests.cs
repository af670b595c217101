using Cairn.Api.Errors;
using Cairn.Api.Mvccpb;
using Cairn.Storage.Mvcc;
using static Cairn.Storage.Tests.Mvcc.MvccFixture;

namespace Cairn.Storage.Tests.Mvcc;

public sealed class MvccStoreTests : IDisposable
{
    private readonly MvccFixture _f = new();

    private MvccStore Store => _f.Store;

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Put_NewThenExistingKey_KeepsCreateRevisionAndCountsVersions()
    {
        Assert.Equal(1, Store.CurrentRevision);
        Assert.Equal(2, _f.Put("a", "1", lease: 5));
        Assert.Equal(3, _f.Put("a", "2"));
        KeyValue kv = Assert.Single(_f.Get("a").Kvs);
        Assert.Equal(2, kv.CreateRevision);
        Assert.Equal(3, kv.ModRevision);
        Assert.Equal(2, kv.Version);
        Assert.Equal(0, kv.Lease);
        Assert.Equal("2", kv.Value.ToStringUtf8());
        Assert.Equal(3, Store.CurrentRevision);
    }

    [Fact]
    public void WriteTxn_AllChangesShareOneRevision_AndSeeTheirOwnWrites()
    {
        _f.Put("x", "0");
        using (ITxnWrite txn = Store.Write())
        {
            Assert.Equal(2, txn.Rev);
            Assert.Equal(3, txn.Put(B("a"), B("1"), 0));
            Assert.Equal(3, txn.Put(B("b"), B("1"), 0));
            Assert.Equal((1, 3), txn.DeleteRange(B("x"), []));
            RangeResult inside = txn.Range(B("a"), [0], default);
            Assert.Equal(["a", "b"], _f.Keys(inside));
            Assert.Equal(3, inside.Rev);
            using ITxnRead outside = Store.Read();
            Assert.Empty(outside.Range(B("a"), [], default).Kvs);
            Assert.Equal(2, outside.Rev);
            Assert.Equal([3L, 3, 3], txn.Changes.Select(c => c.ModRevision));
        }
        Assert.Equal(3, Store.CurrentRevision);
        Assert.Equal(3, _f.Get("a").Kvs[0].ModRevision);
    }

    [Fact]
    public void WriteTxn_WithoutChanges_DoesNotAdvanceTheRevision()
    {
        _f.Put("a", "1");
        (long deleted, long rev) = _f.Delete("zzz");
        Assert.Equal((0L, 2L), (deleted, rev));
        using (ITxnWrite txn = Store.Write())
        {
            txn.Range(B("a"), [], default);
        }
        Assert.Equal(2, Store.CurrentRevision);
    }

    [Fact]
    public void Range_EndSemantics_LimitAndCount()
    {
        foreach (string k in new[] { "a", "b", "c", "d" })
        {
            _f.Put(k, k);
        }
        Assert.Equal(["b"], _f.Keys(_f.Get("b")));
        Assert.Equal(["b", "c"], _f.Keys(_f.Get("b", "d")));
        Assert.Equal(["b", "c", "d"], _f.Keys(_f.Get("b", "\0")));
        Assert.Empty(_f.Get("c", "b").Kvs);
        RangeResult limited = _f.Get("a", "\0", limit: 2);
        Assert.Equal(["a", "b"], _f.Keys(limited));
        Assert.Equal(4, limited.Count);
        RangeResult counted = _f.Get("a", "\0", count: true);
        Assert.Empty(counted.Kvs);
        Assert.Equal(4, counted.Count);
        Assert.Equal(5, counted.Rev);
    }

    [Fact]
    public void Range_AtHistoricalRevisions_SeesTheValuesThen()
    {
        _f.Put("a", "1");
        _f.Put("b", "1");
        _f.Put("a", "2");
        _f.Delete("b");
        Assert.Equal("1", _f.Get("a", rev: 3).Kvs[0].Value.ToStringUtf8());
        Assert.Equal(["a", "b"], _f.Keys(_f.Get("a", "\0", rev: 4)));
        Assert.Equal(["a"], _f.Keys(_f.Get("a", "\0", rev: 5)));
        RangeResult r = _f.Get("a", "\0", rev: 3);
        Assert.Equal(5, r.Rev);
        Assert.Equal(2, r.Count);
    }

    [Fact]
    public void Range_FutureOrCompactedRevision_ThrowsEtcdErrors()
    {
        for (int i = 0; i < 5; i++)
        {
            _f.Put("a", $"{i}");
        }
        EtcdException future = Assert.Throws<EtcdException>(() => _f.Get("a", rev: 7));
        Assert.Same(EtcdErrors.FutureRev, future.Error);
        Store.Compact(4);
        EtcdException compacted = Assert.Throws<EtcdException>(() => _f.Get("a", rev: 3));
        Assert.Same(EtcdErrors.Compacted, compacted.Error);
        Assert.Equal("2", _f.Get("a", rev: 4).Kvs[0].Value.ToStringUtf8());
    }

    [Fact]
    public void ReadTxn_IsPinnedAtItsStartRevision()
    {
        _f.Put("a", "1");
        using ITxnRead read = Store.Read();
        _f.Put("a", "2");
        _f.Put("b", "1");
        RangeResult r = read.Range(B("a"), [0], default);
        Assert.Equal(["a"], _f.Keys(r));
        Assert.Equal("1", r.Kvs[0].Value.ToStringUtf8());
        Assert.Equal(2, r.Rev);
        Assert.Same(EtcdErrors.FutureRev, Assert.Throws<EtcdException>(() => read.Range(B("a"), [], new RangeOptions { Rev = 3 })).Error);
    }

    [Fact]
    public void DeleteThenPut_StartsANewGeneration()
    {
        _f.Put("a", "1");
        _f.Put("a", "2");
        Assert.Equal((1L, 4L), _f.Delete("a"));
        Assert.Empty(_f.Get("a").Kvs);
        Assert.Equal((0L, 4L), _f.Delete("a"));
        _f.Put("a", "3");
        KeyValue kv = _f.Get("a").Kvs[0];
        Assert.Equal((5L, 5L, 1L), (kv.CreateRevision, kv.ModRevision, kv.Version));
        Assert.Equal(2, _f.Get("a", rev: 3).Kvs[0].Version);
    }

    [Fact]
    public void DeleteRange_DeletesLiveKeysOnlyInOneRevision()
    {
        foreach (string k in new[] { "k1", "k2", "k3", "z" })
        {
            _f.Put(k, "v");
        }
        _f.Delete("k2");
        Assert.Equal((2L, 7L), _f.Delete("k", "l"));
        Assert.Equal(["z"], _f.Keys(_f.Get("a", "\0")));
        Assert.Equal((1L, 8L), _f.Delete("\0", "\0"));
    }

    [Fact]
    public void Observer_GetsOneBatchPerChangingTxn_InOrder()
    {
        var seen = new List<(long Rev, Event[] Events)>();
        Store.Observer = new RecordingObserver(seen);
        _f.Put("a", "1");
        using (ITxnWrite txn = Store.Write())
        {
            txn.Put(B("b"), B("1"), 0);
            txn.DeleteRange(B("a"), []);
        }
        _f.Delete("nothing");
        Assert.Equal([2L, 3], seen.Select(s => s.Rev));
        Event[] second = seen[1].Events;
        Assert.Equal(Event.Types.EventType.Put, second[0].Type);
        Assert.Equal(Event.Types.EventType.Delete, second[1].Type);
        Assert.Equal("a", second[1].Kv.Key.ToStringUtf8());
        Assert.Equal(3, second[1].Kv.ModRevision);
        Assert.Equal(0, second[1].Kv.CreateRevision);
    }

    [Fact]
    public void LeaseHook_FollowsPutsAndDeletes()
    {
        var calls = new List<string>();
        Store.LeaseHook = new RecordingLeaseHook(calls);
        _f.Put("a", "1", lease: 7);
        _f.Put("a", "2", lease: 8);
        _f.Put("a", "3");
        _f.Put("b", "1", lease: 9);
        _f.Delete("b");
        Assert.Equal(["+7 a", "-7 a", "+8 a", "-8 a", "+9 b", "-9 b"], calls);
    }

    [Fact]
    public void Restart_RestoresRevisionsDataHistoryAndLeases()
    {
        _f.Put("a", "1", lease: 3);
        _f.Put("b", "1");
        _f.Put("a", "2", lease: 3);
        _f.Delete("b");
        _f.Put("b", "2");
        _f.Reopen();
        Assert.Equal(6, _f.Store.CurrentRevision);
        Assert.Equal(-1, _f.Store.CompactRevision);
        KeyValue a = _f.Get("a").Kvs[0];
        Assert.Equal((2L, 4L, 2L, 3L), (a.CreateRevision, a.ModRevision, a.Version, a.Lease));
        KeyValue b = _f.Get("b").Kvs[0];
        Assert.Equal((6L, 1L), (b.CreateRevision, b.Version));
        Assert.Empty(_f.Get("b", rev: 5).Kvs);
        Assert.Equal("1", _f.Get("b", rev: 4).Kvs[0].Value.ToStringUtf8());
        var leased = new List<(string, long)>();
        _f.Store.ForEachLeasedKey((k, l) => leased.Add((System.Text.Encoding.UTF8.GetString(k), l)));
        Assert.Equal([("a", 3L)], leased);
        Assert.Equal(7, _f.Put("c", "1"));
    }

    [Fact]
    public async Task Restore_FromAnotherMembersBackendSnapshot_RebuildsIndexAndRevisions()
    {
        using var leader = new MvccFixture();
        leader.Put("a", "1");
        leader.Put("b", "1");
        leader.Put("a", "2");
        await leader.Store.Compact(3);
        string file = Path.Combine(Path.GetTempPath(), $"cairn-restore-{Guid.NewGuid():N}.db");
        await using (var stream = File.Create(file))
        {
            await leader.Backend.WriteSnapshotAsync(stream, CancellationToken.None);
        }
        _f.Put("stale", "x");
        _f.Backend.Restore(file);
        Store.Restore();
        Assert.Equal(4, Store.CurrentRevision);
        Assert.Equal(3, Store.CompactRevision);
        Assert.Equal(["a", "b"], _f.Keys(_f.Get("a", "\0")));
        Assert.Equal(2, _f.Get("a").Kvs[0].Version);
        Assert.Equal(5, _f.Put("c", "1"));
    }

    [Fact]
    public void RangeEvents_ReturnsStoredChangesInRevisionOrder()
    {
        _f.Put("a", "1");
        using (ITxnWrite txn = _f.Store.Write())
        {
            txn.Put(B("b"), B("1"), 0);
            txn.Put(B("c"), B("1"), 0);
        }
        _f.Delete("a");
        IReadOnlyList<Event> events = _f.Store.RangeEvents(3, 5, int.MaxValue);
        Assert.Equal(["b", "c", "a"], events.Select(e => e.Kv.Key.ToStringUtf8()));
        Assert.Equal(Event.Types.EventType.Delete, events[2].Type);
        Assert.Equal(4, events[2].Kv.ModRevision);
        Assert.Equal(["b", "c"], _f.Store.RangeEvents(3, 5, 1).Select(e => e.Kv.Key.ToStringUtf8()));
    }

    private sealed class RecordingObserver(List<(long, Event[])> seen) : IMvccObserver
    {
        public void OnCommit(long revision, IReadOnlyList<Event> events) => seen.Add((revision, events.ToArray()));
    }

    private sealed class RecordingLeaseHook(List<string> calls) : IKeyLeaseHook
    {
        public void Attach(long leaseId, ReadOnlySpan<byte> key) => calls.Add($"+{leaseId} {System.Text.Encoding.UTF8.GetString(key)}");

        public void Detach(long leaseId, ReadOnlySpan<byte> key) => calls.Add($"-{leaseId} {System.Text.Encoding.UTF8.GetString(key)}");
    }
}

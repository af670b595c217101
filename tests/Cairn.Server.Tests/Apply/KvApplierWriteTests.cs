using Cairn.Api.Errors;
using Cairn.Api.Etcdserverpb;
using static Cairn.Server.Tests.Ops;

namespace Cairn.Server.Tests.Apply;

/// <summary>Put and DeleteRange as etcd's applierV3backend applies them (etcdserver/apply.go), over a real store.</summary>
public sealed class KvApplierWriteTests : IDisposable
{
    private readonly KvFixture _kv = new();

    public void Dispose() => _kv.Dispose();

    private long Rev => _kv.Store.CurrentRevision;

    private EtcdError PutFails(PutRequest p) => Assert.Throws<EtcdException>(() => _kv.Applier.Put(p)).Error;

    [Fact]
    public void Put_HeaderRevisionIsTheNewRevision()
    {
        var before = Rev;
        var resp = _kv.Applier.Put(new PutRequest { Key = B("k"), Value = B("1") });
        Assert.Equal(before + 1, resp.Header.Revision);
        Assert.Equal(before + 1, Rev);
        Assert.Null(resp.PrevKv);
    }

    [Fact]
    public void Put_PrevKv_ReturnsWhatWasThere()
    {
        _kv.GrantLease(9);
        var created = _kv.Put("k", "1", lease: 9);
        var resp = _kv.Applier.Put(new PutRequest { Key = B("k"), Value = B("2"), PrevKv = true });
        Assert.NotNull(resp.PrevKv);
        Assert.Equal("k", S(resp.PrevKv.Key));
        Assert.Equal("1", S(resp.PrevKv.Value));
        Assert.Equal((created, created, 1L, 9L), (resp.PrevKv.CreateRevision, resp.PrevKv.ModRevision, resp.PrevKv.Version, resp.PrevKv.Lease));
        var now = _kv.One("k")!;
        Assert.Equal(("2", 2L, 0L), (S(now.Value), now.Version, now.Lease));
    }

    [Fact]
    public void Put_PrevKvOfANewKey_IsAbsent()
    {
        var resp = _kv.Applier.Put(new PutRequest { Key = B("new"), Value = B("1"), PrevKv = true });
        Assert.Null(resp.PrevKv);
    }

    [Fact]
    public void Put_PrevKvOfADeletedKey_IsAbsent()
    {
        _kv.Put("k", "1");
        _kv.Applier.DeleteRange(new DeleteRangeRequest { Key = B("k") });
        Assert.Null(_kv.Applier.Put(new PutRequest { Key = B("k"), Value = B("2"), PrevKv = true }).PrevKv);
        Assert.Equal(1, _kv.One("k")!.Version);
    }

    [Fact]
    public void Put_IgnoreValueOnAMissingKey_KeyNotFound_NothingWritten()
    {
        _kv.Put("other");
        var before = Rev;
        Assert.Same(EtcdErrors.KeyNotFound, PutFails(new PutRequest { Key = B("k"), IgnoreValue = true }));
        Assert.Equal(before, Rev);
        Assert.Null(_kv.One("k"));
    }

    [Fact]
    public void Put_IgnoreLeaseOnAMissingKey_KeyNotFound() =>
        Assert.Same(EtcdErrors.KeyNotFound, PutFails(new PutRequest { Key = B("k"), Value = B("v"), IgnoreLease = true }));

    [Fact]
    public void Put_IgnoreValue_KeepsTheValueAndTakesTheLease()
    {
        _kv.GrantLease(5);
        _kv.Put("k", "kept");
        var resp = _kv.Applier.Put(new PutRequest { Key = B("k"), IgnoreValue = true, Lease = 5, PrevKv = true });
        Assert.Equal("kept", S(resp.PrevKv.Value));
        var kv = _kv.One("k")!;
        Assert.Equal(("kept", 5L, 2L), (S(kv.Value), kv.Lease, kv.Version));
        Assert.Equal(resp.Header.Revision, kv.ModRevision);
    }

    [Fact]
    public void Put_IgnoreLease_KeepsTheLeaseAndTakesTheValue()
    {
        _kv.GrantLease(5);
        _kv.Put("k", "old", lease: 5);
        _kv.Applier.Put(new PutRequest { Key = B("k"), Value = B("new"), IgnoreLease = true });
        var kv = _kv.One("k")!;
        Assert.Equal(("new", 5L), (S(kv.Value), kv.Lease));
    }

    [Fact]
    public void Put_WithoutLease_DetachesTheKeyFromItsLease()
    {
        _kv.GrantLease(5);
        _kv.Put("k", "old", lease: 5);
        _kv.Put("k", "new");
        Assert.Equal(0, _kv.One("k")!.Lease);
    }

    [Fact]
    public void Put_UnknownLease_LeaseNotFound_NothingWritten()
    {
        var before = Rev;
        Assert.Same(EtcdErrors.LeaseNotFound, PutFails(new PutRequest { Key = B("k"), Value = B("v"), Lease = 42 }));
        Assert.Equal(before, Rev);
        _kv.GrantLease(42);
        _kv.Applier.Put(new PutRequest { Key = B("k"), Value = B("v"), Lease = 42 });
        Assert.Equal(42, _kv.One("k")!.Lease);
    }

    [Fact]
    public void DeleteRange_PrevKv_ReturnsTheDeletedKeys()
    {
        _kv.Put("a", "1");
        _kv.Put("b", "2");
        _kv.Put("c", "3");
        var before = Rev;
        var resp = _kv.Applier.DeleteRange(new DeleteRangeRequest { Key = B("a"), RangeEnd = B("c"), PrevKv = true });
        Assert.Equal(2, resp.Deleted);
        Assert.Equal(new[] { "a=1", "b=2" }, resp.PrevKvs.Select(kv => $"{S(kv.Key)}={S(kv.Value)}"));
        Assert.Equal(before + 1, resp.Header.Revision);
        Assert.Equal(before + 1, Rev);
        Assert.Null(_kv.One("a"));
        Assert.NotNull(_kv.One("c"));
    }

    [Fact]
    public void DeleteRange_WithoutPrevKv_ReturnsNoKvs()
    {
        _kv.Put("a", "1");
        var resp = _kv.Applier.DeleteRange(new DeleteRangeRequest { Key = B("a") });
        Assert.Equal(1, resp.Deleted);
        Assert.Empty(resp.PrevKvs);
    }

    /// <summary>A delete that removes nothing does not advance the revision; its header carries the current one.</summary>
    [Fact]
    public void DeleteRange_NothingToDelete_DoesNotAdvanceTheRevision()
    {
        _kv.Put("a", "1");
        _kv.Applier.DeleteRange(new DeleteRangeRequest { Key = B("a") });
        var before = Rev;
        var resp = _kv.Applier.DeleteRange(new DeleteRangeRequest { Key = B("a"), RangeEnd = B("b"), PrevKv = true });
        Assert.Equal(0, resp.Deleted);
        Assert.Empty(resp.PrevKvs);
        Assert.Equal(before, resp.Header.Revision);
        Assert.Equal(before, Rev);
        var next = _kv.Put("n");
        Assert.Equal(before + 1, next);
    }

    [Fact]
    public void DeleteRange_RangeEndNul_DeletesEveryKeyFromKey()
    {
        _kv.Put("a");
        _kv.Put("b");
        _kv.Put("c");
        var resp = _kv.Applier.DeleteRange(new DeleteRangeRequest { Key = B("b"), RangeEnd = B("\0"), PrevKv = true });
        Assert.Equal(2, resp.Deleted);
        Assert.Equal(new[] { "b", "c" }, resp.PrevKvs.Select(kv => S(kv.Key)));
        Assert.Equal(1, _kv.Range(new RangeRequest { Key = B("\0"), RangeEnd = B("\0") }).Count);
    }

    [Fact]
    public void DeleteRange_AllDeletesShareOneRevision()
    {
        _kv.Put("a");
        _kv.Put("b");
        var resp = _kv.Applier.DeleteRange(new DeleteRangeRequest { Key = B("a"), RangeEnd = B("z") });
        var history = _kv.Store.RangeEvents(resp.Header.Revision, resp.Header.Revision + 1, 100);
        Assert.Equal(2, history.Count);
        Assert.All(history, e => Assert.Equal(resp.Header.Revision, e.Kv.ModRevision));
    }
}

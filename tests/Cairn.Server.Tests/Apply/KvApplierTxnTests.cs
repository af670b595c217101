using Cairn.Api.Errors;
using Cairn.Api.Etcdserverpb;
using Cairn.Server.Apply;
using static Cairn.Server.Tests.Ops;

namespace Cairn.Server.Tests.Apply;

/// <summary>Txn as etcd's applierV3backend.Txn applies it (etcdserver/apply.go), over a real store.</summary>
public sealed class KvApplierTxnTests : IDisposable
{
    private readonly KvFixture _kv = new();

    public void Dispose() => _kv.Dispose();

    private long Rev => _kv.Store.CurrentRevision;

    private TxnResponse Run(TxnRequest rt) => _kv.Applier.Txn(rt);

    private EtcdError Fails(TxnRequest rt) => Assert.Throws<EtcdException>(() => Run(rt)).Error;

    [Fact]
    public void Txn_AllOpsShareOneRevision()
    {
        _kv.Put("c", "old");
        var before = Rev;
        var resp = Run(Txn(success: [Put("a", "1"), Put("b", "2"), Del("c")]));
        Assert.True(resp.Succeeded);
        Assert.Equal(before + 1, resp.Header.Revision);
        Assert.Equal(before + 1, Rev);
        Assert.Equal(before + 1, resp.Responses[0].ResponsePut.Header.Revision);
        Assert.Equal(before + 1, resp.Responses[1].ResponsePut.Header.Revision);
        Assert.Equal(before + 1, resp.Responses[2].ResponseDeleteRange.Header.Revision);
        Assert.Equal(1, resp.Responses[2].ResponseDeleteRange.Deleted);
        Assert.Equal(before + 1, _kv.One("a")!.ModRevision);
        Assert.Equal(before + 1, _kv.One("b")!.ModRevision);
        var events = _kv.Store.RangeEvents(before + 1, before + 2, 100);
        Assert.Equal(3, events.Count);
    }

    [Fact]
    public void Txn_ReadsAfterWritesSeeThem()
    {
        _kv.Put("a", "old");
        _kv.Put("b", "gone");
        var before = Rev;
        var resp = Run(Txn(success: [Get("a"), Put("a", "new"), Get("a"), Del("b"), Get("b"), Put("c", "1"), Get("a", "z")]));
        var first = resp.Responses[0].ResponseRange;
        Assert.Equal("old", S(first.Kvs[0].Value));
        Assert.Equal(before, first.Header.Revision);
        var second = resp.Responses[2].ResponseRange;
        Assert.Equal("new", S(second.Kvs[0].Value));
        Assert.Equal(before + 1, second.Kvs[0].ModRevision);
        Assert.Equal(2, second.Kvs[0].Version);
        Assert.Equal(before + 1, second.Header.Revision);
        Assert.Empty(resp.Responses[4].ResponseRange.Kvs);
        var all = resp.Responses[6].ResponseRange;
        Assert.Equal(new[] { "a", "c" }, all.Kvs.Select(kv => S(kv.Key)));
        Assert.Equal(2, all.Count);
    }

    [Fact]
    public void Txn_PutPrevKvInsideTxn_SeesEarlierOpsOfTheTxn()
    {
        _kv.Put("a", "0");
        var resp = Run(Txn(success: [Del("a"), Put(new PutRequest { Key = B("b"), Value = B("1"), PrevKv = true })]));
        Assert.Null(resp.Responses[1].ResponsePut.PrevKv);
        Assert.Null(_kv.One("a"));
    }

    [Fact]
    public void Txn_FailedCompare_RunsTheFailureBranch()
    {
        _kv.Put("k", "1");
        var resp = Run(Txn(success: [Put("s")], failure: [Put("f"), Get("k")], compare: [ValueIs("k", "2")]));
        Assert.False(resp.Succeeded);
        Assert.Equal(2, resp.Responses.Count);
        Assert.NotNull(resp.Responses[0].ResponsePut);
        Assert.Equal("1", S(resp.Responses[1].ResponseRange.Kvs[0].Value));
        Assert.Null(_kv.One("s"));
        Assert.NotNull(_kv.One("f"));
    }

    /// <summary>etcd allocates nested txn responses with an empty header; only the outer header carries the revision.</summary>
    [Fact]
    public void Txn_NestedTxnResponses_HaveEmptyHeaders()
    {
        var before = Rev;
        var nested = Txn(success: [Put("n"), Nested(Txn(failure: [Get("n")], compare: [Never()]))]);
        var resp = Run(Txn(success: [Nested(nested), Put("o")]));
        var inner = resp.Responses[0].ResponseTxn;
        Assert.Equal(new ResponseHeader(), inner.Header);
        Assert.True(inner.Succeeded);
        Assert.Equal(before + 1, inner.Responses[0].ResponsePut.Header.Revision);
        var innermost = inner.Responses[1].ResponseTxn;
        Assert.Equal(new ResponseHeader(), innermost.Header);
        Assert.False(innermost.Succeeded);
        Assert.Equal("n", S(innermost.Responses[0].ResponseRange.Kvs[0].Key));
        Assert.Equal(before + 1, resp.Header.Revision);
    }

    /// <summary>Every compare, nested ones included, is evaluated against the state before the txn runs.</summary>
    [Fact]
    public void Txn_NestedCompares_SeeThePreTxnState()
    {
        _kv.Put("k", "1");
        var nested = Txn(success: [Put("m", "saw-old")], failure: [Put("m", "saw-new")], compare: [ValueIs("k", "1")]);
        var resp = Run(Txn(success: [Put("k", "2"), Nested(nested)]));
        Assert.True(resp.Responses[1].ResponseTxn.Succeeded);
        Assert.Equal("saw-old", S(_kv.One("m")!.Value));
        Assert.Equal("2", S(_kv.One("k")!.Value));
    }

    [Fact]
    public void Txn_NestedTxnInTheFailureBranch_RunsWithItsOwnPath()
    {
        var resp = Run(Txn(
            success: [Put("wrong")],
            failure: [Nested(Txn(success: [Put("x")], compare: [Never()])), Nested(Txn(success: [Put("y")]))],
            compare: [Never()]));
        Assert.False(resp.Succeeded);
        Assert.False(resp.Responses[0].ResponseTxn.Succeeded);
        Assert.Empty(resp.Responses[0].ResponseTxn.Responses);
        Assert.True(resp.Responses[1].ResponseTxn.Succeeded);
        Assert.Null(_kv.One("x"));
        Assert.NotNull(_kv.One("y"));
        Assert.Null(_kv.One("wrong"));
    }

    [Fact]
    public void Txn_ReadOnly_ServedAtTheCurrentRevisionWithoutAdvancingIt()
    {
        _kv.Put("a", "1");
        var before = Rev;
        var rt = Txn(success: [Get("a"), Nested(Txn(success: [Get("a", "z")]))], compare: [ValueIs("a", "1")]);
        Assert.True(KvApplier.IsReadOnly(rt));
        var resp = Run(rt);
        Assert.True(resp.Succeeded);
        Assert.Equal(before, resp.Header.Revision);
        Assert.Equal(before, resp.Responses[0].ResponseRange.Header.Revision);
        Assert.Equal(before, Rev);
    }

    [Fact]
    public void IsReadOnly_AnyWriteInAnyBranchOrNestedTxn_IsAWrite()
    {
        Assert.True(KvApplier.IsReadOnly(Txn()));
        Assert.True(KvApplier.IsReadOnly(Txn(success: [Get("a")], failure: [Get("b")])));
        Assert.False(KvApplier.IsReadOnly(Txn(failure: [Put("a")])));
        Assert.False(KvApplier.IsReadOnly(Txn(success: [Del("a")])));
        Assert.False(KvApplier.IsReadOnly(Txn(success: [Nested(Txn(failure: [Del("a")]))])));
    }

    [Fact]
    public void Txn_WriteTxnThatChangesNothing_DoesNotAdvanceTheRevision()
    {
        _kv.Put("a");
        var before = Rev;
        var resp = Run(Txn(success: [Del("missing"), Get("a")]));
        Assert.Equal(before, resp.Header.Revision);
        Assert.Equal(before, resp.Responses[0].ResponseDeleteRange.Header.Revision);
        Assert.Equal(before, Rev);
    }

    [Fact]
    public void Txn_EmptyTxn_AnswersTheCurrentRevision()
    {
        _kv.Put("a");
        var resp = Run(Txn());
        Assert.True(resp.Succeeded);
        Assert.Equal(Rev, resp.Header.Revision);
    }

    [Fact]
    public void Txn_IgnoreValueOnAMissingKeyInTheTakenBranch_KeyNotFound_NothingApplied()
    {
        _kv.Put("a");
        var before = Rev;
        var bad = Put(new PutRequest { Key = B("missing"), IgnoreValue = true });
        Assert.Same(EtcdErrors.KeyNotFound, Fails(Txn(success: [Put("x"), bad])));
        Assert.Same(EtcdErrors.KeyNotFound, Fails(Txn(success: [Put("x"), Nested(Txn(failure: [bad], compare: [Never()]))])));
        Assert.Equal(before, Rev);
        Assert.Null(_kv.One("x"));
    }

    [Fact]
    public void Txn_InvalidPutInTheBranchNotTaken_IsNotChecked()
    {
        var bad = Put(new PutRequest { Key = B("missing"), IgnoreLease = true });
        var resp = Run(Txn(success: [Put("x")], failure: [bad]));
        Assert.True(resp.Succeeded);
        resp = Run(Txn(success: [Nested(Txn(success: [bad], compare: [Never()]))]));
        Assert.False(resp.Responses[0].ResponseTxn.Succeeded);
    }

    /// <summary>etcd checks ignore_value against the pre-txn state, so a key created earlier in the same txn does not count.</summary>
    [Fact]
    public void Txn_IgnoreValueOnAKeyPutEarlierInTheTxn_KeyNotFound()
    {
        var rt = Txn(success: [Put("a", "1"), Nested(Txn(success: [Put(new PutRequest { Key = B("a"), IgnoreValue = true })]))]);
        Assert.Same(EtcdErrors.KeyNotFound, Fails(rt));
    }

    [Fact]
    public void Txn_UnknownLease_LeaseNotFound_KnownLeaseAttaches()
    {
        var withLease = Put(new PutRequest { Key = B("a"), Value = B("1"), Lease = 77 });
        Assert.Same(EtcdErrors.LeaseNotFound, Fails(Txn(success: [withLease])));
        Assert.Same(EtcdErrors.LeaseNotFound, Fails(Txn(failure: [Nested(Txn(success: [withLease]))], compare: [Never()])));
        _kv.GrantLease(77);
        Run(Txn(success: [withLease]));
        Assert.Equal(77, _kv.One("a")!.Lease);
    }

    [Fact]
    public void Txn_RangeAtAFutureRevision_FutureRev()
    {
        _kv.Put("a");
        var future = Get(new RangeRequest { Key = B("a"), Revision = Rev + 1 });
        var before = Rev;
        Assert.Same(EtcdErrors.FutureRev, Fails(Txn(success: [future])));
        Assert.Same(EtcdErrors.FutureRev, Fails(Txn(success: [Put("b"), future])));
        Assert.Equal(before, Rev);
    }

    [Fact]
    public async Task Txn_RangeBelowTheCompactRevision_Compacted_AtItWorks()
    {
        _kv.Put("a", "1");
        _kv.Put("a", "2");
        var compactAt = _kv.Put("a", "3");
        _kv.Put("a", "4");
        await _kv.Store.Compact(compactAt);
        Assert.Same(EtcdErrors.Compacted, Fails(Txn(success: [Get(new RangeRequest { Key = B("a"), Revision = compactAt - 1 })])));
        Assert.Same(EtcdErrors.Compacted, Fails(Txn(success: [Put("b"), Get(new RangeRequest { Key = B("a"), Revision = compactAt - 1 })])));
        var resp = Run(Txn(success: [Get(new RangeRequest { Key = B("a"), Revision = compactAt })]));
        Assert.Equal("3", S(resp.Responses[0].ResponseRange.Kvs[0].Value));
    }

    [Fact]
    public void Txn_RangeAtAnOlderRevisionInsideAWriteTxn()
    {
        var old = _kv.Put("a", "1");
        _kv.Put("a", "2");
        var resp = Run(Txn(success: [Put("a", "3"), Get(new RangeRequest { Key = B("a"), Revision = old })]));
        Assert.Equal("1", S(resp.Responses[1].ResponseRange.Kvs[0].Value));
    }

    [Fact]
    public void Txn_RangeOptionsApplyInsideTheTxn()
    {
        _kv.Put("a", "3");
        _kv.Put("b", "1");
        _kv.Put("c", "2");
        var range = new RangeRequest
        {
            Key = B("a"),
            RangeEnd = B("z"),
            SortTarget = RangeRequest.Types.SortTarget.Value,
            Limit = 2,
            KeysOnly = true,
        };
        var resp = Run(Txn(success: [Get(range)]));
        var r = resp.Responses[0].ResponseRange;
        Assert.Equal(new[] { "b", "c" }, r.Kvs.Select(kv => S(kv.Key)));
        Assert.True(r.More);
        Assert.Equal(3, r.Count);
        Assert.All(r.Kvs, kv => Assert.True(kv.Value.IsEmpty));
    }
}

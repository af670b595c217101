using Cairn.Api.Errors;
using Cairn.Api.Etcdserverpb;
using Cairn.Server.Apply;
using static Cairn.Server.Tests.Ops;

namespace Cairn.Server.Tests.Apply;

/// <summary>
/// Request validation before proposal, pinned against etcd's v3rpc checkRangeRequest, checkPutRequest,
/// checkTxnRequest, checkRequestOp and checkIntervals (etcdserver/api/v3rpc/key.go).
/// </summary>
public sealed class TxnChecksTests
{
    private const int Max = 4;

    private static EtcdError Fails(Action check) => Assert.Throws<EtcdException>(check).Error;

    private static void Passes(TxnRequest txn, int max = Max) => TxnChecks.CheckTxn(txn, max);

    private static EtcdError FailsTxn(TxnRequest txn, int max = Max) => Fails(() => TxnChecks.CheckTxn(txn, max));

    private static IEnumerable<RequestOp> Puts(int n, string prefix = "k") => Enumerable.Range(0, n).Select(i => Put($"{prefix}{i}"));

    private static IEnumerable<Compare> Compares(int n) => Enumerable.Range(0, n).Select(i => VersionIs($"c{i}", 0));

    [Fact]
    public void CheckRange_EmptyKey_KeyIsNotProvided() =>
        Assert.Same(EtcdErrors.EmptyKey, Fails(() => TxnChecks.CheckRange(new RangeRequest { RangeEnd = B("z") })));

    [Fact]
    public void CheckDeleteRange_EmptyKey_KeyIsNotProvided() =>
        Assert.Same(EtcdErrors.EmptyKey, Fails(() => TxnChecks.CheckDeleteRange(new DeleteRangeRequest { RangeEnd = B("z") })));

    [Fact]
    public void CheckPut_EmptyKey_KeyIsNotProvided() =>
        Assert.Same(EtcdErrors.EmptyKey, Fails(() => TxnChecks.CheckPut(new PutRequest { Value = B("v") })));

    [Fact]
    public void CheckPut_IgnoreValueWithValue_ValueIsProvided() =>
        Assert.Same(EtcdErrors.ValueProvided, Fails(() => TxnChecks.CheckPut(new PutRequest { Key = B("k"), Value = B("v"), IgnoreValue = true })));

    [Fact]
    public void CheckPut_IgnoreLeaseWithLease_LeaseIsProvided() =>
        Assert.Same(EtcdErrors.LeaseProvided, Fails(() => TxnChecks.CheckPut(new PutRequest { Key = B("k"), Lease = 7, IgnoreLease = true })));

    [Fact]
    public void CheckPut_IgnoreFlagsWithoutValueOrLease_Pass()
    {
        TxnChecks.CheckPut(new PutRequest { Key = B("k"), IgnoreValue = true, Lease = 7 });
        TxnChecks.CheckPut(new PutRequest { Key = B("k"), IgnoreLease = true, Value = B("v") });
        TxnChecks.CheckPut(new PutRequest { Key = B("k"), IgnoreValue = true, IgnoreLease = true });
    }

    [Fact]
    public void CheckPut_EmptyKeyAndValueProvided_EmptyKeyComesFirst() =>
        Assert.Same(EtcdErrors.EmptyKey, Fails(() => TxnChecks.CheckPut(new PutRequest { Value = B("v"), IgnoreValue = true })));

    [Fact]
    public void CheckTxn_EachListAtTheLimit_Passes()
    {
        Passes(Txn(compare: Compares(Max)));
        Passes(Txn(success: Puts(Max)));
        Passes(Txn(failure: Puts(Max)));
        Passes(Txn(success: Puts(Max), failure: Puts(Max), compare: Compares(Max)));
    }

    [Fact]
    public void CheckTxn_CompareListOverTheLimit_TooManyOps() =>
        Assert.Same(EtcdErrors.TooManyOps, FailsTxn(Txn(compare: Compares(Max + 1))));

    [Fact]
    public void CheckTxn_SuccessListOverTheLimit_TooManyOps() =>
        Assert.Same(EtcdErrors.TooManyOps, FailsTxn(Txn(success: Puts(Max + 1))));

    [Fact]
    public void CheckTxn_FailureListOverTheLimit_TooManyOps() =>
        Assert.Same(EtcdErrors.TooManyOps, FailsTxn(Txn(failure: Puts(Max + 1))));

    [Fact]
    public void CheckTxn_LimitIsPerListNotTheSum() =>
        Passes(Txn(success: Puts(Max, "s"), failure: Puts(Max, "f"), compare: Compares(Max)), Max);

    /// <summary>etcd checks a nested txn against what the outer txn leaves: maxTxnOps minus the outer op count.</summary>
    [Fact]
    public void CheckTxn_NestedTxnWithinTheRemainingBudget_Passes()
    {
        // Outer: 2 ops (the nested txn counts as one), so the nested txn may have 4 - 2 = 2 per list.
        var nested = Txn(success: Puts(2, "n"), failure: Puts(2, "m"), compare: Compares(2));
        Passes(Txn(success: [Put("a"), Nested(nested)]));
    }

    [Fact]
    public void CheckTxn_NestedTxnOverTheRemainingBudget_TooManyOps()
    {
        var nested = Txn(success: Puts(3, "n"));
        Assert.Same(EtcdErrors.TooManyOps, FailsTxn(Txn(success: [Put("a"), Nested(nested)])));
    }

    [Fact]
    public void CheckTxn_NestedCompareOverTheRemainingBudget_TooManyOps()
    {
        var nested = Txn(compare: Compares(2));
        Assert.Same(EtcdErrors.TooManyOps, FailsTxn(Txn(failure: [Put("a"), Put("b"), Nested(nested)])));
    }

    [Fact]
    public void CheckTxn_OuterCompareListAlsoShrinksTheNestedBudget()
    {
        var nested = Txn(success: Puts(2, "n"));
        Assert.Same(EtcdErrors.TooManyOps, FailsTxn(Txn(success: [Nested(nested)], compare: Compares(3))));
        Passes(Txn(success: [Nested(nested)], compare: Compares(2)));
    }

    [Fact]
    public void CheckTxn_BudgetShrinksAgainAtEachLevel()
    {
        // 4 → outer has 1 op, leaving 3; middle has 2 ops, leaving 1; inner may have 1 op but not 2.
        var inner = Txn(success: Puts(1, "i"));
        Passes(Txn(success: [Nested(Txn(success: [Put("m"), Nested(inner)]))]));
        var tooBig = Txn(success: Puts(2, "i"));
        Assert.Same(EtcdErrors.TooManyOps, FailsTxn(Txn(success: [Nested(Txn(success: [Put("m"), Nested(tooBig)]))])));
    }

    [Fact]
    public void CheckTxn_FullOuterListLeavesNoRoomForANestedOp()
    {
        var outer = Puts(Max - 1, "o").Append(Nested(Txn(success: [Put("n")]))).ToList();
        Assert.Same(EtcdErrors.TooManyOps, FailsTxn(Txn(success: outer)));
        var emptyNested = Puts(Max - 1, "o").Append(Nested(Txn())).ToList();
        Passes(Txn(success: emptyNested));
    }

    [Fact]
    public void CheckTxn_TooManyOpsIsCheckedBeforeEmptyKeys() =>
        Assert.Same(EtcdErrors.TooManyOps, FailsTxn(Txn(success: Puts(Max + 1), compare: [new Compare()])));

    [Fact]
    public void CheckTxn_CompareWithEmptyKey_KeyIsNotProvided() =>
        Assert.Same(EtcdErrors.EmptyKey, FailsTxn(Txn(compare: [VersionIs("a", 0), new Compare { Target = Compare.Types.CompareTarget.Version }])));

    [Theory]
    [InlineData("range")]
    [InlineData("put")]
    [InlineData("delete")]
    public void CheckTxn_OpWithEmptyKey_KeyIsNotProvided(string kind)
    {
        RequestOp op = kind switch
        {
            "range" => Get(""),
            "put" => Put(""),
            _ => Del(""),
        };
        Assert.Same(EtcdErrors.EmptyKey, FailsTxn(Txn(success: [op])));
        Assert.Same(EtcdErrors.EmptyKey, FailsTxn(Txn(failure: [op])));
        Assert.Same(EtcdErrors.EmptyKey, FailsTxn(Txn(failure: [Nested(Txn(success: [op]))])));
    }

    [Fact]
    public void CheckTxn_PutFlagsInsideTxn_CheckedLikeAPut()
    {
        var withValue = Put(new PutRequest { Key = B("k"), Value = B("v"), IgnoreValue = true });
        var withLease = Put(new PutRequest { Key = B("k"), Lease = 3, IgnoreLease = true });
        Assert.Same(EtcdErrors.ValueProvided, FailsTxn(Txn(success: [withValue])));
        Assert.Same(EtcdErrors.LeaseProvided, FailsTxn(Txn(failure: [Nested(Txn(failure: [withLease]))])));
    }

    /// <summary>checkRequestOp answers an op with no request set with ErrGRPCKeyNotFound.</summary>
    [Fact]
    public void CheckTxn_EmptyRequestOp_KeyNotFound()
    {
        Assert.Same(EtcdErrors.KeyNotFound, FailsTxn(Txn(success: [new RequestOp()])));
        Assert.Same(EtcdErrors.KeyNotFound, FailsTxn(Txn(failure: [Put("a"), new RequestOp()])));
        Assert.Same(EtcdErrors.KeyNotFound, FailsTxn(Txn(success: [Nested(Txn(failure: [new RequestOp()]))])));
    }

    [Fact]
    public void CheckTxn_SuccessOpsAreCheckedBeforeFailureOps() =>
        Assert.Same(EtcdErrors.KeyNotFound, FailsTxn(Txn(success: [new RequestOp()], failure: [Put("")])));

    // Duplicate keys: etcd's checkIntervals, run on each branch after the op checks.

    [Fact]
    public void CheckTxn_TwoPutsOfOneKeyInOneBranch_DuplicateKey()
    {
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(success: [Put("a", "1"), Put("a", "2")])));
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(failure: [Put("a", "1"), Get("a"), Put("a", "2")])));
    }

    [Fact]
    public void CheckTxn_OnePutOfAKeyInEachBranch_Passes() =>
        Passes(Txn(success: [Put("a", "1")], failure: [Put("a", "2")]));

    [Fact]
    public void CheckTxn_RangesOfAPutKey_Pass() =>
        Passes(Txn(success: [Get("a"), Put("a"), Get("a", "b")]));

    [Fact]
    public void CheckTxn_PutInsideADeleteRangeOfTheSameBranch_DuplicateKey()
    {
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(success: [Del("a", "c"), Put("b")])));
        // Order within the branch does not matter: deletes are collected first.
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(success: [Put("b"), Del("a", "c")])));
        // The range includes its start.
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(failure: [Del("a", "c"), Put("a")])));
    }

    [Fact]
    public void CheckTxn_PutOfASingleDeletedKey_DuplicateKey() =>
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(success: [Del("a"), Put("a")])));

    [Fact]
    public void CheckTxn_PutOutsideTheDeleteRange_Passes()
    {
        // The range end is exclusive; a single-key delete covers only that key, not key+"\0".
        Passes(Txn(success: [Del("a", "c"), Put("c")]));
        Passes(Txn(success: [Del("b", "c"), Put("a")]));
        Passes(Txn(success: [Del("a"), Put("a\0")]));
        Passes(Txn(success: [Del("a"), Put("ab")]));
    }

    [Fact]
    public void CheckTxn_PutInADeleteRangeOfTheOtherBranch_Passes() =>
        Passes(Txn(success: [Del("a", "z")], failure: [Put("b")]));

    [Fact]
    public void CheckTxn_OverlappingDeletes_Pass() =>
        Passes(Txn(success: [Del("a", "c"), Del("b", "d"), Del("b"), Del("b"), Del("a", "\0")]), max: 8);

    /// <summary>
    /// checkIntervals builds the delete interval [key, range_end) from the raw range_end, so "\0" (every key ≥ key)
    /// becomes an empty interval that overlaps no put: etcd lets such a txn through.
    /// </summary>
    [Fact]
    public void CheckTxn_PutAfterADeleteWithRangeEndNul_PassesAsInEtcd()
    {
        Passes(Txn(success: [Del("a", "\0"), Put("b")]));
        Passes(Txn(success: [Del("a", "\0"), Put("a")]));
        Passes(Txn(success: [Nested(Txn(success: [Del("a", "\0")])), Put("q")]));
    }

    [Fact]
    public void CheckTxn_PutInAnInvertedDeleteRange_Passes() =>
        Passes(Txn(success: [Del("c", "a"), Put("b"), Put("c")]));

    [Fact]
    public void CheckTxn_NestedPutOfAnOuterPutKey_DuplicateKey()
    {
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(success: [Put("a"), Nested(Txn(success: [Put("a")]))])));
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(success: [Nested(Txn(failure: [Put("a")])), Put("a")])));
    }

    [Fact]
    public void CheckTxn_NestedThenAndElsePutTheSameKey_Pass() =>
        Passes(Txn(success: [Nested(Txn(success: [Put("a", "1")], failure: [Put("a", "2")]))]));

    [Fact]
    public void CheckTxn_NestedThenAndElsePutAnOuterKey_DuplicateKey() =>
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(success: [Put("a"), Nested(Txn(success: [Put("a", "1")], failure: [Put("a", "2")]))])));

    [Fact]
    public void CheckTxn_TwoNestedTxnsPutTheSameKey_DuplicateKey()
    {
        // then/then, then/else and else/then of two different nested txns are not exclusive.
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(success: [Nested(Txn(success: [Put("a")])), Nested(Txn(success: [Put("a")]))])));
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(success: [Nested(Txn(success: [Put("a")])), Nested(Txn(failure: [Put("a")]))])));
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(success: [Nested(Txn(failure: [Put("a")])), Nested(Txn(success: [Put("a")]))])));
    }

    [Fact]
    public void CheckTxn_SecondNestedTxnPutsBothBranchesOfAKeyTheFirstPut_DuplicateKey() =>
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(success:
            [Nested(Txn(success: [Put("a")])), Nested(Txn(success: [Put("a")], failure: [Put("a")]))])));

    [Fact]
    public void CheckTxn_DuplicateInsideANestedBranch_DuplicateKey()
    {
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(success: [Nested(Txn(success: [Put("a"), Put("a")]))])));
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(failure: [Nested(Txn(failure: [Del("a", "c"), Put("b")]))])));
    }

    [Fact]
    public void CheckTxn_NestedDeleteInThenAndPutInElse_Pass() =>
        Passes(Txn(success: [Nested(Txn(success: [Del("a", "c")], failure: [Put("b")]))]));

    [Fact]
    public void CheckTxn_OuterPutInsideANestedDeleteRange_DuplicateKey()
    {
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(success: [Nested(Txn(success: [Del("a", "c")])), Put("b")])));
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(success: [Put("b"), Nested(Txn(failure: [Del("b")]))])));
    }

    [Fact]
    public void CheckTxn_NestedPutInsideAnOuterDeleteRange_DuplicateKey()
    {
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(success: [Del("a", "c"), Nested(Txn(success: [Put("b")]))])));
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(failure: [Nested(Txn(failure: [Put("b")])), Del("b")])));
    }

    [Fact]
    public void CheckTxn_LaterNestedPutInsideAnEarlierNestedDelete_DuplicateKey() =>
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(success: [Nested(Txn(success: [Del("a", "c")])), Nested(Txn(failure: [Put("b")]))])));

    /// <summary>
    /// checkIntervals folds a nested txn's deletes in only after checking that txn's puts, so an earlier nested put
    /// is not checked against a later nested delete: etcd accepts this order and rejects the reverse (above).
    /// </summary>
    [Fact]
    public void CheckTxn_EarlierNestedPutInsideALaterNestedDelete_PassesAsInEtcd() =>
        Passes(Txn(success: [Nested(Txn(success: [Put("b")])), Nested(Txn(success: [Del("a", "c")]))]));

    [Fact]
    public void CheckTxn_DeeplyNestedPutOfAnOuterKey_DuplicateKey()
    {
        var deep = Txn(success: [Nested(Txn(failure: [Nested(Txn(success: [Put("a")]))]))]);
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(success: [Nested(deep), Put("a")]), max: 16));
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(success: [Del("a", "b"), Nested(deep)]), max: 16));
    }

    [Fact]
    public void CheckTxn_FailureBranchIsCheckedForDuplicatesToo() =>
        Assert.Same(EtcdErrors.DuplicateKey, FailsTxn(Txn(success: [Put("a")], failure: [Put("b"), Put("b")])));

    [Fact]
    public void CheckTxn_OpErrorsComeBeforeDuplicates() =>
        Assert.Same(EtcdErrors.EmptyKey, FailsTxn(Txn(success: [Put("a"), Put("a")], failure: [Get("")])));
}

using Cairn.Api.Etcdserverpb;
using Cairn.Server.Apply;
using Google.Protobuf;
using static Cairn.Server.Tests.Ops;
using Target = Cairn.Api.Etcdserverpb.Compare.Types.CompareTarget;
using Result = Cairn.Api.Etcdserverpb.Compare.Types.CompareResult;

namespace Cairn.Server.Tests.Apply;

/// <summary>Txn compares as etcd's applyCompare/compareKV evaluate them (etcdserver/apply.go), over a real store.</summary>
public sealed class TxnCompareTests : IDisposable
{
    private readonly KvFixture _kv = new();

    public TxnCompareTests()
    {
        try
        {
            Seed();
        }
        catch
        {
            // xunit does not dispose a test class whose constructor threw.
            _kv.Dispose();
            throw;
        }
    }

    public void Dispose() => _kv.Dispose();

    private void Seed()
    {
        // A new store is at revision 1. k: create 3, mod 6, version 3, lease 7, value "m";
        // other: create 2, mod 4, version 2, no lease.
        _kv.GrantLease(7);
        _kv.Put("other", "x");   // rev 2
        _kv.Put("k", "a");       // rev 3
        _kv.Put("other", "y");   // rev 4
        _kv.Put("k", "m", 7);    // rev 5 (version 2)
        _kv.Applier.Put(new PutRequest { Key = B("k"), IgnoreValue = true, IgnoreLease = true }); // rev 6, version 3
    }

    private bool Eval(params Compare[] compares)
    {
        using var view = _kv.Store.Read();
        return TxnCompare.ToPath(view, Txn(compare: compares))[0];
    }

    private static Compare Cmp(string key, Target target, Result result, object operand, string end = "")
    {
        var c = new Compare { Key = B(key), RangeEnd = B(end), Target = target, Result = result };
        switch (target)
        {
            case Target.Value: c.Value = B((string)operand); break;
            case Target.Create: c.CreateRevision = (long)operand; break;
            case Target.Mod: c.ModRevision = (long)operand; break;
            case Target.Version: c.Version = (long)operand; break;
            case Target.Lease: c.Lease = (long)operand; break;
        }
        return c;
    }

    /// <summary>
    /// Every target × result, with an operand below, equal to and above k's field. Expected: EQUAL, NOT_EQUAL,
    /// GREATER, LESS, where GREATER means the stored field is greater than the operand.
    /// </summary>
    public static TheoryData<Target, object, bool[]> TargetCases()
    {
        bool[] below = [false, true, true, false];
        bool[] equal = [true, false, false, false];
        bool[] above = [false, true, false, true];
        return new TheoryData<Target, object, bool[]>
        {
            { Target.Value, "l", below }, { Target.Value, "m", equal }, { Target.Value, "n", above },
            { Target.Value, "", below }, { Target.Value, "m\0", above }, { Target.Value, "lzzz", below },
            { Target.Create, 2L, below }, { Target.Create, 3L, equal }, { Target.Create, 4L, above },
            { Target.Mod, 5L, below }, { Target.Mod, 6L, equal }, { Target.Mod, 7L, above },
            { Target.Version, 2L, below }, { Target.Version, 3L, equal }, { Target.Version, 4L, above },
            { Target.Lease, 6L, below }, { Target.Lease, 7L, equal }, { Target.Lease, 8L, above },
            { Target.Lease, 0L, below }, { Target.Version, -1L, below },
        };
    }

    [Theory]
    [MemberData(nameof(TargetCases))]
    public void Compare_EveryTargetAndResult_AgainstAnExistingKey(Target target, object operand, bool[] expected)
    {
        Result[] results = [Result.Equal, Result.NotEqual, Result.Greater, Result.Less];
        for (var i = 0; i < results.Length; i++)
        {
            Assert.True(expected[i] == Eval(Cmp("k", target, results[i], operand)), $"{target} {results[i]} {operand}");
        }
    }

    /// <summary>A missing key compares as zero for VERSION, CREATE, MOD and LEASE.</summary>
    [Theory]
    [InlineData(Target.Version)]
    [InlineData(Target.Create)]
    [InlineData(Target.Mod)]
    [InlineData(Target.Lease)]
    public void Compare_MissingKey_NumericTargetsCompareAsZero(Target target)
    {
        Assert.True(Eval(Cmp("missing", target, Result.Equal, 0L)));
        Assert.False(Eval(Cmp("missing", target, Result.NotEqual, 0L)));
        Assert.True(Eval(Cmp("missing", target, Result.Less, 1L)));
        Assert.False(Eval(Cmp("missing", target, Result.Greater, 0L)));
        Assert.True(Eval(Cmp("missing", target, Result.Greater, -1L)));
    }

    /// <summary>A VALUE compare on a missing key is false whatever the result, even NOT_EQUAL or EQUAL "".</summary>
    [Theory]
    [InlineData(Result.Equal, "")]
    [InlineData(Result.Equal, "x")]
    [InlineData(Result.NotEqual, "x")]
    [InlineData(Result.NotEqual, "")]
    [InlineData(Result.Greater, "")]
    [InlineData(Result.Less, "zzz")]
    public void Compare_MissingKey_ValueIsAlwaysFalse(Result result, string operand) =>
        Assert.False(Eval(Cmp("missing", Target.Value, result, operand)));

    [Fact]
    public void Compare_DeletedKey_IsMissing()
    {
        _kv.Applier.DeleteRange(new DeleteRangeRequest { Key = B("k") });
        Assert.True(Eval(Cmp("k", Target.Version, Result.Equal, 0L)));
        Assert.True(Eval(Cmp("k", Target.Create, Result.Equal, 0L)));
        Assert.False(Eval(Cmp("k", Target.Value, Result.NotEqual, "m")));
    }

    /// <summary>compareKV reads the operand from the target union only when it is of the target's kind; else zero.</summary>
    [Fact]
    public void Compare_UnionOfAnotherKind_ComparesAgainstZeroOrEmpty()
    {
        var version = new Compare { Key = B("k"), Target = Target.Version, Result = Result.Greater, ModRevision = 100 };
        Assert.True(Eval(version));
        var value = new Compare { Key = B("k"), Target = Target.Value, Result = Result.Greater, Version = 1 };
        Assert.True(Eval(value));
        var lease = new Compare { Key = B("k"), Target = Target.Lease, Result = Result.Equal, Value = B("7") };
        Assert.False(Eval(lease));
        var unset = new Compare { Key = B("k"), Target = Target.Create, Result = Result.Greater };
        Assert.True(Eval(unset));
    }

    [Fact]
    public void Compare_ValueIsBytewise()
    {
        _kv.Put("bin", "\u0080");
        Assert.True(Eval(new Compare { Key = B("bin"), Target = Target.Value, Result = Result.Greater, Value = ByteString.CopyFrom(0x7f) }));
        Assert.True(Eval(new Compare { Key = B("bin"), Target = Target.Value, Result = Result.Less, Value = ByteString.CopyFrom(0xc2, 0x81) }));
    }

    [Fact]
    public void Compare_AllComparesMustHold()
    {
        Assert.True(Eval(Cmp("k", Target.Version, Result.Equal, 3L), Cmp("other", Target.Value, Result.Equal, "y")));
        Assert.False(Eval(Cmp("k", Target.Version, Result.Equal, 3L), Cmp("other", Target.Value, Result.Equal, "x")));
        Assert.True(Eval());
    }

    /// <summary>With a range_end every key in the range must satisfy the compare.</summary>
    [Fact]
    public void Compare_RangeEnd_EveryKeyMustSatisfy()
    {
        _kv.Put("r/1", "same");
        _kv.Put("r/2", "same");
        _kv.Put("r/3", "same");
        Assert.True(Eval(Cmp("r/", Target.Value, Result.Equal, "same", end: "r0")));
        Assert.True(Eval(Cmp("r/", Target.Version, Result.Equal, 1L, end: "r0")));
        _kv.Put("r/2", "changed");
        Assert.False(Eval(Cmp("r/", Target.Value, Result.Equal, "same", end: "r0")));
        Assert.False(Eval(Cmp("r/", Target.Version, Result.Equal, 1L, end: "r0")));
        Assert.True(Eval(Cmp("r/", Target.Version, Result.Greater, 0L, end: "r0")));
        // The range end is exclusive: [r/1, r/2) holds only r/1.
        Assert.True(Eval(Cmp("r/1", Target.Value, Result.Equal, "same", end: "r/2")));
    }

    [Fact]
    public void Compare_EmptyRange_BehavesAsAMissingKey()
    {
        Assert.True(Eval(Cmp("x/", Target.Version, Result.Equal, 0L, end: "x0")));
        Assert.True(Eval(Cmp("x/", Target.Create, Result.Less, 1L, end: "x0")));
        Assert.False(Eval(Cmp("x/", Target.Value, Result.NotEqual, "anything", end: "x0")));
    }

    /// <summary>range_end "\0" means every key ≥ key, as for Range.</summary>
    [Fact]
    public void Compare_RangeEndNul_CoversEveryKeyFromKey()
    {
        // Keys ≥ "k": k (create 3), other (create 2).
        Assert.True(Eval(Cmp("k", Target.Create, Result.Greater, 0L, end: "\0")));
        Assert.True(Eval(Cmp("k", Target.Create, Result.Less, 4L, end: "\0")));
        Assert.False(Eval(Cmp("k", Target.Create, Result.Equal, 3L, end: "\0")));
        Assert.True(Eval(Cmp("l", Target.Create, Result.Equal, 2L, end: "\0")));
        // key = range_end = "\0": every key.
        Assert.False(Eval(Cmp("\0", Target.Lease, Result.Equal, 7L, end: "\0")));
        Assert.True(Eval(Cmp("\0", Target.Version, Result.Greater, 1L, end: "\0")));
        _kv.Put("a-new");
        Assert.False(Eval(Cmp("\0", Target.Version, Result.Greater, 1L, end: "\0")));
        Assert.True(Eval(Cmp("k", Target.Version, Result.Greater, 1L, end: "\0")));
    }

    /// <summary>ToPath lists the outer branch, then nested txns of the taken branch depth-first; untaken branches add nothing.</summary>
    [Fact]
    public void ToPath_NestedTxnsOfTheTakenBranch_DepthFirst()
    {
        var yes = VersionIs("k", 3);
        var no = VersionIs("k", 99);
        var inner = Txn(compare: [no]);
        var first = Txn(success: [Nested(Txn(compare: [yes]))], failure: [Nested(inner), Nested(Txn(compare: [yes]))], compare: [no]);
        var rt = Txn(
            success: [Put("a"), Nested(first), Nested(Txn(compare: [yes]))],
            failure: [Nested(Txn(compare: [yes]))],
            compare: [yes]);
        using var view = _kv.Store.Read();
        Assert.Equal(new[] { true, false, false, true, true }, TxnCompare.ToPath(view, rt));
    }

    [Fact]
    public void ToPath_FailedOuterCompare_FollowsTheFailureBranch()
    {
        var rt = Txn(success: [Nested(Txn())], failure: [Nested(Txn(compare: [VersionIs("k", 3)])), Nested(Txn(compare: [Never()]))], compare: [Never()]);
        using var view = _kv.Store.Read();
        Assert.Equal(new[] { false, true, false }, TxnCompare.ToPath(view, rt));
    }
}

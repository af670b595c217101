using Cairn.Api.Errors;
using Cairn.Api.Etcdserverpb;
using static Cairn.Server.Tests.Ops;
using Order = Cairn.Api.Etcdserverpb.RangeRequest.Types.SortOrder;
using SortBy = Cairn.Api.Etcdserverpb.RangeRequest.Types.SortTarget;

namespace Cairn.Server.Tests.Apply;

/// <summary>
/// Range as etcd's applierV3backend.Range serves it (etcdserver/apply.go), over a real store. A new store is at
/// revision 1, as etcd's, so the first put gets revision 2. The data set makes every sort target give a different order:
/// <code>
/// key  value create mod version
/// a    3     5      10  5
/// b    1     3      13  4
/// c    5     6      16  2
/// d    4     2      2   1
/// e    2     4      15  3
/// </code>
/// </summary>
public sealed class KvApplierRangeTests : IDisposable
{
    private const long Current = 16;
    private readonly KvFixture _kv = new();

    public KvApplierRangeTests()
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
        Assert.Equal(1, _kv.Store.CurrentRevision);
        _kv.Put("d", "4");                                        // 2
        _kv.Put("b", "1");                                        // 3
        _kv.Put("e", "2");                                        // 4
        _kv.Put("a", "3");                                        // 5
        _kv.Put("c", "5");                                        // 6
        for (var i = 0; i < 4; i++)
        {
            _kv.Put("a", "3");                                    // 7..10
        }
        for (var i = 0; i < 3; i++)
        {
            _kv.Put("b", "1");                                    // 11..13
        }
        _kv.Put("e", "2");                                        // 14
        _kv.Put("e", "2");                                        // 15
        _kv.Put("c", "5");                                        // 16
        Assert.Equal(Current, _kv.Store.CurrentRevision);
    }

    private static RangeRequest All() => new() { Key = B("a"), RangeEnd = B("z") };

    private RangeResponse Range(RangeRequest r) => _kv.Range(r);

    private static string Keys(RangeResponse r) => string.Join("", r.Kvs.Select(kv => S(kv.Key)));

    [Theory]
    [InlineData(SortBy.Key, Order.None, "abcde")]
    [InlineData(SortBy.Key, Order.Ascend, "abcde")]
    [InlineData(SortBy.Key, Order.Descend, "edcba")]
    [InlineData(SortBy.Version, Order.Ascend, "dceba")]
    [InlineData(SortBy.Version, Order.Descend, "abecd")]
    [InlineData(SortBy.Create, Order.Ascend, "dbeac")]
    [InlineData(SortBy.Create, Order.Descend, "caebd")]
    [InlineData(SortBy.Mod, Order.Ascend, "dabec")]
    [InlineData(SortBy.Mod, Order.Descend, "cebad")]
    [InlineData(SortBy.Value, Order.Ascend, "beadc")]
    [InlineData(SortBy.Value, Order.Descend, "cdaeb")]
    public void Range_SortTargetAndOrder(SortBy target, Order order, string expected)
    {
        var r = All();
        r.SortTarget = target;
        r.SortOrder = order;
        var resp = Range(r);
        Assert.Equal(expected, Keys(resp));
        Assert.Equal(5, resp.Count);
        Assert.False(resp.More);
    }

    /// <summary>A target other than KEY with order NONE sorts ascending.</summary>
    [Theory]
    [InlineData(SortBy.Version, "dceba")]
    [InlineData(SortBy.Create, "dbeac")]
    [InlineData(SortBy.Mod, "dabec")]
    [InlineData(SortBy.Value, "beadc")]
    public void Range_TargetOtherThanKeyWithOrderNone_SortsAscending(SortBy target, string expected)
    {
        var r = All();
        r.SortTarget = target;
        Assert.Equal(expected, Keys(Range(r)));
    }

    [Fact]
    public void Range_Limit_ReturnsTheFirstKeysAndMore()
    {
        var r = All();
        r.Limit = 2;
        var resp = Range(r);
        Assert.Equal("ab", Keys(resp));
        Assert.True(resp.More);
        Assert.Equal(5, resp.Count);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(0)]
    public void Range_LimitCoveringEveryKey_NoMore(long limit)
    {
        var r = All();
        r.Limit = limit;
        var resp = Range(r);
        Assert.Equal("abcde", Keys(resp));
        Assert.False(resp.More);
        Assert.Equal(5, resp.Count);
    }

    /// <summary>With a sort, etcd reads the whole range, sorts, then truncates to limit.</summary>
    [Fact]
    public void Range_SortWithLimit_SortsTheWholeRangeFirst()
    {
        var r = All();
        r.SortTarget = SortBy.Value;
        r.SortOrder = Order.Descend;
        r.Limit = 2;
        var resp = Range(r);
        Assert.Equal("cd", Keys(resp));
        Assert.True(resp.More);
        Assert.Equal(5, resp.Count);

        var byKey = All();
        byKey.SortOrder = Order.Descend;
        byKey.Limit = 1;
        Assert.Equal("e", Keys(Range(byKey)));
    }

    [Theory]
    [InlineData(13, 0, 0, 0, "bce")]
    [InlineData(0, 10, 0, 0, "ad")]
    [InlineData(0, 0, 4, 0, "ace")]
    [InlineData(0, 0, 0, 3, "bd")]
    [InlineData(10, 15, 3, 5, "abe")]
    [InlineData(17, 0, 0, 0, "")]
    public void Range_MinMaxFilters_FilterKvsButNotCount(long minMod, long maxMod, long minCreate, long maxCreate, string expected)
    {
        var r = All();
        r.MinModRevision = minMod;
        r.MaxModRevision = maxMod;
        r.MinCreateRevision = minCreate;
        r.MaxCreateRevision = maxCreate;
        var resp = Range(r);
        Assert.Equal(expected, Keys(resp));
        Assert.Equal(5, resp.Count);
        Assert.False(resp.More);
    }

    /// <summary>With a filter, etcd filters the whole range and then truncates: more reflects the filtered list.</summary>
    [Fact]
    public void Range_FilterWithLimit_TruncatesAfterFiltering()
    {
        var r = All();
        r.MinCreateRevision = 4;
        r.Limit = 2;
        var resp = Range(r);
        Assert.Equal("ac", Keys(resp));
        Assert.True(resp.More);
        Assert.Equal(5, resp.Count);

        r.Limit = 3;
        resp = Range(r);
        Assert.Equal("ace", Keys(resp));
        Assert.False(resp.More);
    }

    [Fact]
    public void Range_FilterAndSortTogether()
    {
        var r = All();
        r.MaxModRevision = 15;
        r.SortTarget = SortBy.Version;
        r.SortOrder = Order.Descend;
        Assert.Equal("abed", Keys(Range(r)));
    }

    [Fact]
    public void Range_KeysOnly_DropsValuesKeepsMetadata()
    {
        var r = All();
        r.KeysOnly = true;
        var resp = Range(r);
        Assert.Equal("abcde", Keys(resp));
        Assert.All(resp.Kvs, kv => Assert.True(kv.Value.IsEmpty));
        var a = resp.Kvs[0];
        Assert.Equal((5L, 10L, 5L), (a.CreateRevision, a.ModRevision, a.Version));
        // The stored value is untouched.
        Assert.Equal("3", S(_kv.One("a")!.Value));
    }

    /// <summary>etcd sorts before it drops values, so keys_only still sorts by the stored values.</summary>
    [Fact]
    public void Range_KeysOnlySortedByValue_SortsByTheStoredValues()
    {
        var r = All();
        r.KeysOnly = true;
        r.SortTarget = SortBy.Value;
        r.SortOrder = Order.Descend;
        var resp = Range(r);
        Assert.Equal("cdaeb", Keys(resp));
        Assert.All(resp.Kvs, kv => Assert.True(kv.Value.IsEmpty));
    }

    [Fact]
    public void Range_CountOnly_CountWithoutKvs()
    {
        var r = All();
        r.CountOnly = true;
        r.Limit = 2;
        var resp = Range(r);
        Assert.Empty(resp.Kvs);
        Assert.Equal(5, resp.Count);
        Assert.False(resp.More);
        Assert.Equal(Current, resp.Header.Revision);

        var some = new RangeRequest { Key = B("b"), RangeEnd = B("d"), CountOnly = true };
        Assert.Equal(2, Range(some).Count);
    }

    [Fact]
    public void Range_AtAnOlderRevision_SeesThatStateAndReportsTheCurrentRevision()
    {
        var r = All();
        r.Revision = 4;
        var resp = Range(r);
        Assert.Equal("bde", Keys(resp));
        Assert.Equal(3, resp.Count);
        Assert.Equal(Current, resp.Header.Revision);

        r.Revision = 10;
        var a = Range(r).Kvs.First();
        Assert.Equal((10L, 5L), (a.ModRevision, a.Version));
    }

    [Fact]
    public void Range_RevisionZeroOrNegative_MeansLatest()
    {
        var r = All();
        r.Revision = -5;
        var resp = Range(r);
        Assert.Equal(5, resp.Count);
        Assert.Equal(Current, resp.Header.Revision);
    }

    [Fact]
    public void Range_FutureRevision_FutureRevError()
    {
        var r = All();
        r.Revision = Current + 1;
        Assert.Same(EtcdErrors.FutureRev, Assert.Throws<EtcdException>(() => Range(r)).Error);
    }

    [Fact]
    public async Task Range_BelowTheCompactRevision_Compacted_AtItWorks()
    {
        await _kv.Store.Compact(11);
        var r = All();
        r.Revision = 10;
        Assert.Same(EtcdErrors.Compacted, Assert.Throws<EtcdException>(() => Range(r)).Error);
        r.Revision = 11;
        var resp = Range(r);
        Assert.Equal("abcde", Keys(resp));
        Assert.Equal(Current, resp.Header.Revision);
    }

    [Fact]
    public void Range_HeaderRevisionIsTheCurrentRevisionAfterWrites()
    {
        _kv.Put("z-late");
        var resp = Range(new RangeRequest { Key = B("a") });
        Assert.Equal(Current + 1, resp.Header.Revision);
    }

    [Fact]
    public void Range_SingleKeyAndHalfOpenRange()
    {
        Assert.Equal("c", Keys(Range(new RangeRequest { Key = B("c") })));
        Assert.Equal("bc", Keys(Range(new RangeRequest { Key = B("b"), RangeEnd = B("d") })));
        var missing = Range(new RangeRequest { Key = B("cc") });
        Assert.Empty(missing.Kvs);
        Assert.Equal(0, missing.Count);
    }

    [Fact]
    public void Range_RangeEndNul_EveryKeyFromKey()
    {
        Assert.Equal("cde", Keys(Range(new RangeRequest { Key = B("c"), RangeEnd = B("\0") })));
        var all = Range(new RangeRequest { Key = B("\0"), RangeEnd = B("\0") });
        Assert.Equal("abcde", Keys(all));
        Assert.Equal(5, all.Count);
    }
}

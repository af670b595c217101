using Cairn.Api.Etcdserverpb;
using Cairn.Testing;
using static Cairn.Api.Etcdserverpb.Compare.Types;
using static Cairn.Tests.Differential.Kv;

namespace Cairn.Tests.Differential;

/// <summary>
/// Txn compares against etcd 3.4.23 and the server under test: every target and result, on existing, deleted and
/// missing keys and over ranges. The branches only read, so the revision stays put and every txn lines up.
/// </summary>
[Collection("Processes")]
public sealed class TxnCompareTests : DifferentialTest
{
    private static readonly CompareResult[] Results = Enum.GetValues<CompareResult>();

    [Fact(Timeout = Hang.Default)]
    public async Task Compare_EveryTargetAndResultOnSingleKeys()
    {
        await Seed();
        var outcomes = new List<bool>();

        foreach (var key in new[] { "a", "b", "c", "missing" })
        {
            foreach (var result in Results)
            {
                foreach (var number in new long[] { 0, 1, 2, 3, 5, 10, 100 })
                {
                    outcomes.Add(await Check(Version(key, result, number)));
                    outcomes.Add(await Check(Create(key, result, number)));
                    outcomes.Add(await Check(Mod(key, result, number)));
                    outcomes.Add(await Check(Lease(key, result, number)));
                }

                foreach (var value in new[] { "", "1", "11", "2", "222", "3", "zzz" })
                {
                    outcomes.Add(await Check(Value(key, result, value)));
                }
            }
        }

        Assert.Contains(true, outcomes);
        Assert.Contains(false, outcomes);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Compare_ValueOnAMissingKey_IsAlwaysFalse()
    {
        await Seed();

        foreach (var result in Results)
        {
            Assert.False(await Check(Value("missing", result, "")));
            Assert.False(await Check(Value("c", result, "3")));
        }
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Compare_MissingKey_ComparesAsZeroForNumericTargets()
    {
        await Seed();

        Assert.True(await Check(Version("missing", CompareResult.Equal, 0)));
        Assert.True(await Check(Create("missing", CompareResult.Equal, 0)));
        Assert.True(await Check(Mod("missing", CompareResult.Equal, 0)));
        Assert.True(await Check(Lease("missing", CompareResult.Equal, 0)));
        Assert.True(await Check(Mod("c", CompareResult.Less, 1)));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Compare_OverARange_EveryKeyMustSatisfyIt()
    {
        await Seed();
        var outcomes = new List<bool>();

        foreach (var (key, end) in new[] { ("a", "c"), ("a", "b"), ("b", "\0"), ("\0", "\0"), ("x", "z"), ("c", "d"), ("a", "a") })
        {
            foreach (var result in Results)
            {
                foreach (var number in new long[] { 0, 1, 3, 5, 13 })
                {
                    outcomes.Add(await Check(Version(key, result, number, end)));
                    outcomes.Add(await Check(Create(key, result, number, end)));
                    outcomes.Add(await Check(Mod(key, result, number, end)));
                    outcomes.Add(await Check(Lease(key, result, number, end)));
                }

                foreach (var value in new[] { "", "1", "5", "ax" })
                {
                    outcomes.Add(await Check(Value(key, result, value, end)));
                }
            }
        }

        Assert.True(await Check(Mod("a", CompareResult.Greater, 4, "c")));
        Assert.False(await Check(Mod("a", CompareResult.Greater, 5, "c")));
        Assert.Contains(true, outcomes);
        Assert.Contains(false, outcomes);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Compare_Several_AllMustHold()
    {
        await Seed();

        Assert.True(await Check(Version("a", CompareResult.Equal, 2), Value("b", CompareResult.Equal, "222"), Mod("missing", CompareResult.Equal, 0)));
        Assert.False(await Check(Version("a", CompareResult.Equal, 2), Value("b", CompareResult.Equal, "22")));
        Assert.False(await Check(Value("b", CompareResult.Equal, "22"), Version("a", CompareResult.Equal, 2)));
    }

    /// <summary>Runs one read-only txn whose branches report which one ran; returns etcd's succeeded.</summary>
    private async Task<bool> Check(params Compare[] compares)
    {
        var response = await D.Txn(Txn(compares, [Op(Get("a"))], [Op(Get("b")), Op(Get("missing"))])).Ok();
        return response.Succeeded;
    }
}

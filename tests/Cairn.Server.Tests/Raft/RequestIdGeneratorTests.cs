using System.Collections.Concurrent;
using Cairn.Server.Raft;

namespace Cairn.Server.Tests.Raft;

/// <summary>Request IDs as etcd's idutil.Generator: 16 bits of member ID, 40 bits of start milliseconds, 8-bit counter.</summary>
public sealed class RequestIdGeneratorTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public void Next_Layout_MemberLowBitsThenTimestampThenCounter()
    {
        var ids = new RequestIdGenerator(0x8e9e05c52164694d, new FixedTime(Start));
        var first = ids.Next();
        Assert.Equal(0x694dUL, first >> 48);
        var ms = (ulong)Start.ToUnixTimeMilliseconds() & ((1UL << 40) - 1);
        Assert.Equal((ms << 8) + 1, first & ((1UL << 48) - 1));
        Assert.Equal(first + 1, ids.Next());
    }

    [Fact]
    public void Next_CounterCarriesIntoTheTimestamp()
    {
        var ids = new RequestIdGenerator(1, new FixedTime(Start));
        var ms = (ulong)Start.ToUnixTimeMilliseconds() & ((1UL << 40) - 1);
        ulong last = 0;
        for (var i = 0; i < 300; i++)
        {
            last = ids.Next();
        }
        Assert.Equal((1UL << 48) | ((ms << 8) + 300), last);
        Assert.Equal(ms + 1, (last & ((1UL << 48) - 1)) >> 8);
    }

    [Fact]
    public void Next_StrictlyIncreasing()
    {
        var ids = new RequestIdGenerator(7, new FixedTime(Start));
        var previous = ids.Next();
        for (var i = 0; i < 10_000; i++)
        {
            var next = ids.Next();
            Assert.True(next > previous);
            previous = next;
        }
    }

    [Fact]
    public void Next_ConcurrentCallers_GetDistinctIds()
    {
        var ids = new RequestIdGenerator(7, TimeProvider.System);
        var seen = new ConcurrentBag<ulong>();
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                seen.Add(ids.Next());
            }
        });
        Assert.Equal(40_000, seen.Distinct().Count());
    }

    [Fact]
    public void Next_DifferentMembers_NeverCollide()
    {
        var a = new RequestIdGenerator(0x0001, new FixedTime(Start));
        var b = new RequestIdGenerator(0x0002, new FixedTime(Start));
        var fromA = Enumerable.Range(0, 1000).Select(_ => a.Next()).ToHashSet();
        Assert.DoesNotContain(Enumerable.Range(0, 1000).Select(_ => b.Next()), fromA.Contains);
    }

    /// <summary>Only the member ID's low 16 bits are used, so the prefix never overflows into the timestamp.</summary>
    [Fact]
    public void Next_HighMemberBits_DoNotReachTheSuffix()
    {
        var a = new RequestIdGenerator(0xffff_0000_0000_0001, new FixedTime(Start));
        var b = new RequestIdGenerator(0x0000_0000_0000_0001, new FixedTime(Start));
        Assert.Equal(b.Next(), a.Next());
    }

    [Fact]
    public void Next_RestartedMember_StartsAboveItsPreviousIds()
    {
        var before = new RequestIdGenerator(9, new FixedTime(Start));
        var issued = Enumerable.Range(0, 200).Select(_ => before.Next()).Max();
        var after = new RequestIdGenerator(9, new FixedTime(Start.AddSeconds(1)));
        Assert.True(after.Next() > issued);
    }
}

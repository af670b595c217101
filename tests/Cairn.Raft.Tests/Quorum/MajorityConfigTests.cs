using Cairn.Raft.Quorum;

namespace Cairn.Raft.Tests.Quorum;

public sealed class MajorityConfigTests
{
    [Fact]
    public void ToString_SortsIds()
    {
        Assert.Equal("(1 2 10)", new MajorityConfig([10, 2, 1]).ToString());
        Assert.Equal("()", new MajorityConfig().ToString());
    }

    [Fact]
    public void Slice_IsSortedAndIndependent()
    {
        var cfg = new MajorityConfig([3, 1, 2]);
        ulong[] slice = cfg.Slice();
        Assert.Equal([1UL, 2, 3], slice);
        slice[0] = 99;
        Assert.DoesNotContain(99UL, cfg);
    }

    [Fact]
    public void Clone_IsIndependent()
    {
        var cfg = new MajorityConfig([1, 2]);
        var clone = cfg.Clone();
        clone.Add(3);
        cfg.Remove(1);
        Assert.Equal("(2)", cfg.ToString());
        Assert.Equal("(1 2 3)", clone.ToString());
    }

    [Fact]
    public void CommittedIndex_IgnoresAcksFromOutsideTheConfig()
    {
        var cfg = new MajorityConfig([1, 2, 3]);
        var acked = new MapAckIndexer(new Dictionary<ulong, ulong> { [1] = 5, [4] = 100, [5] = 100 });
        Assert.Equal(0UL, cfg.CommittedIndex(acked));
    }

    [Fact]
    public void CommittedIndex_LargeConfig_UsesHeapScratch()
    {
        var ids = Enumerable.Range(1, 40).Select(i => (ulong)i).ToArray();
        var cfg = new MajorityConfig(ids);
        var acked = new MapAckIndexer(ids.ToDictionary(id => id, id => id * 10));
        // 40 voters need 21: the 21st largest index is 200.
        Assert.Equal(200UL, cfg.CommittedIndex(acked));
    }

    [Fact]
    public void VoteResult_IgnoresVotesFromOutsideTheConfig()
    {
        var cfg = new MajorityConfig([1, 2, 3]);
        var votes = new Dictionary<ulong, bool> { [4] = true, [5] = true, [1] = true };
        Assert.Equal(VoteResult.Pending, cfg.VoteResult(votes));
    }

    [Fact]
    public void QuorumIndex_FormatsInfinity() =>
        Assert.Equal(["∞", "0", "42"], new[] { QuorumIndex.Infinite, 0UL, 42UL }.Select(QuorumIndex.Format));

    [Fact]
    public void CommittedIndex_RandomConfigs_MatchBruteForce()
    {
        var rng = new Random(7);
        for (int iter = 0; iter < 2000; iter++)
        {
            var incoming = RandomConfig(rng);
            var outgoing = rng.Next(2) == 0 ? new MajorityConfig() : RandomConfig(rng);
            var acked = new Dictionary<ulong, ulong>();
            foreach (ulong id in incoming.Concat(outgoing))
            {
                if (rng.Next(4) != 0)
                {
                    acked[id] = (ulong)rng.Next(0, 10);
                }
            }

            var joint = new JointConfig(incoming, outgoing);
            ulong expected = Math.Min(
                QuorumDataDrivenTests.BruteForceCommitted(incoming, acked),
                QuorumDataDrivenTests.BruteForceCommitted(outgoing, acked));
            Assert.Equal(expected, joint.CommittedIndex(new MapAckIndexer(acked)));
        }
    }

    [Fact]
    public void VoteResult_RandomConfigs_MatchBruteForce()
    {
        var rng = new Random(11);
        for (int iter = 0; iter < 2000; iter++)
        {
            var incoming = RandomConfig(rng);
            var outgoing = rng.Next(2) == 0 ? new MajorityConfig() : RandomConfig(rng);
            var votes = new Dictionary<ulong, bool>();
            foreach (ulong id in incoming.Concat(outgoing))
            {
                int r = rng.Next(3);
                if (r > 0)
                {
                    votes[id] = r == 1;
                }
            }

            Assert.Equal(
                QuorumDataDrivenTests.BruteForceVote(incoming, votes, outgoing),
                new JointConfig(incoming, outgoing).VoteResult(votes));
        }
    }

    private static MajorityConfig RandomConfig(Random rng)
    {
        var cfg = new MajorityConfig();
        int n = rng.Next(1, 8);
        while (cfg.Count < n)
        {
            cfg.Add((ulong)rng.Next(1, 12));
        }

        return cfg;
    }
}

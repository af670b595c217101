using Cairn.Raft.Quorum;
using Cairn.Raft.Tests.DataDriven;

namespace Cairn.Raft.Tests.Quorum;

/// <summary>
/// Scripts under testdata/: <c>committed cfg=(ids) [outgoing=(ids)] idx=(...)</c> prints the acknowledged indexes and
/// the committed index; <c>vote cfg=(ids) [outgoing=(ids)] votes=(...)</c> prints the election outcome. The idx and
/// votes lists align with the sorted union of both halves' IDs; "_" means no acknowledgement / no vote yet.
/// Each result is also checked against a brute-force definition before it is compared with the script.
/// </summary>
public sealed class QuorumDataDrivenTests
{
    public static TheoryData<string> Files => DataDrivenRunner.Files(DataDrivenRunner.TestDataDir());

    [Theory]
    [MemberData(nameof(Files))]
    public void Script_MatchesExpectedOutput(string file) =>
        DataDrivenRunner.Run(Path.Combine(DataDrivenRunner.TestDataDir(), file), Handle);

    private static string Handle(DataDrivenCase c)
    {
        var incoming = new MajorityConfig(Ids(c, "cfg"));
        var outgoing = new MajorityConfig(Ids(c, "outgoing"));
        var joint = new JointConfig(incoming, outgoing);
        ulong[] ids = joint.Ids().Slice();
        switch (c.Command)
        {
            case "committed":
            {
                var acked = new Dictionary<ulong, ulong>();
                var values = c.Arg("idx")?.Values ?? [];
                if (values.Count != ids.Length)
                {
                    c.Fail($"idx has {values.Count} values for {ids.Length} voters");
                }

                for (int i = 0; i < ids.Length; i++)
                {
                    if (values[i] != "_")
                    {
                        acked[ids[i]] = ulong.Parse(values[i]);
                    }
                }

                var indexer = new MapAckIndexer(acked);
                ulong committed = joint.CommittedIndex(indexer);
                ulong expected = Math.Min(BruteForceCommitted(incoming, acked), BruteForceCommitted(outgoing, acked));
                Assert.Equal(expected, committed);
                // The halves of a joint configuration are symmetric.
                Assert.Equal(committed, new JointConfig(outgoing, incoming).CommittedIndex(indexer));
                return joint.Describe(indexer).TrimEnd('\n') + "\n" + QuorumIndex.Format(committed) + "\n";
            }

            case "vote":
            {
                var votes = new Dictionary<ulong, bool>();
                var values = c.Arg("votes")?.Values ?? [];
                if (values.Count != ids.Length)
                {
                    c.Fail($"votes has {values.Count} values for {ids.Length} voters");
                }

                for (int i = 0; i < ids.Length; i++)
                {
                    switch (values[i])
                    {
                        case "y":
                            votes[ids[i]] = true;
                            break;
                        case "n":
                            votes[ids[i]] = false;
                            break;
                        case "_":
                            break;
                        default:
                            c.Fail($"unknown vote {values[i]}");
                            break;
                    }
                }

                VoteResult result = joint.VoteResult(votes);
                Assert.Equal(result, new JointConfig(outgoing, incoming).VoteResult(votes));
                Assert.Equal(BruteForceVote(incoming, votes, outgoing), result);
                return $"{joint} {result}\n";
            }

            default:
                return c.Fail($"unknown command {c.Command}");
        }
    }

    private static IEnumerable<ulong> Ids(DataDrivenCase c, string key) =>
        (c.Arg(key)?.Values ?? []).Select(ulong.Parse);

    // The largest index that a majority has acknowledged (missing counts as 0); ∞ for an empty config.
    internal static ulong BruteForceCommitted(MajorityConfig cfg, IReadOnlyDictionary<ulong, ulong> acked)
    {
        if (cfg.Count == 0)
        {
            return QuorumIndex.Infinite;
        }

        var candidates = cfg.Select(id => acked.GetValueOrDefault(id)).Distinct().OrderDescending();
        foreach (ulong candidate in candidates)
        {
            if (cfg.Count(id => acked.GetValueOrDefault(id) >= candidate) > cfg.Count / 2)
            {
                return candidate;
            }
        }

        return 0;
    }

    // Won when every half can be won with the votes cast; Lost when some half cannot be won whatever the missing
    // voters vote; Pending otherwise.
    internal static VoteResult BruteForceVote(MajorityConfig a, IReadOnlyDictionary<ulong, bool> votes, MajorityConfig b)
    {
        bool Wins(MajorityConfig cfg, Func<ulong, bool> vote) => cfg.Count == 0 || cfg.Count(vote) > cfg.Count / 2;
        bool wonNow = Wins(a, id => votes.GetValueOrDefault(id)) && Wins(b, id => votes.GetValueOrDefault(id));
        if (wonNow)
        {
            return VoteResult.Won;
        }

        bool Optimistic(ulong id) => !votes.TryGetValue(id, out bool v) || v;
        return Wins(a, Optimistic) && Wins(b, Optimistic) ? VoteResult.Pending : VoteResult.Lost;
    }
}

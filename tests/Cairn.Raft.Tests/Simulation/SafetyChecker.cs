using Cairn.Raft.Raftpb;

namespace Cairn.Raft.Tests.Simulation;

/// <summary>
/// Checks the Raft safety properties (Raft paper, Figure 3) as a run unfolds:
/// <list type="bullet">
/// <item>Election safety: at most one leader per term.</item>
/// <item>Log matching: two logs with an entry of equal index and term are identical up to it.</item>
/// <item>Leader completeness: a new leader's log holds every entry known to be committed.</item>
/// <item>State machine safety: every node applies the same entry at each index; since every node applies a
/// contiguous prefix, each node's applied sequence is a prefix of the longest.</item>
/// <item>Linearizable reads: a read index is at least every index applied anywhere before the read was issued.</item>
/// </list>
/// The applied history is kept as a chain hash per index (the "canonical" history), so comparing a node's state
/// with it, including a state installed from a snapshot, is one lookup.
/// </summary>
internal sealed class SafetyChecker
{
    private readonly Dictionary<ulong, ulong> _leaderOfTerm = [];

    // Index i (1-based) is at position i - 1: the term of the applied entry and the chain hash after applying it.
    private readonly List<(ulong Term, ulong Chain)> _canonical = [];
    private readonly Dictionary<string, ulong> _readWatermark = new(StringComparer.Ordinal);

    public int LeadersElected => _leaderOfTerm.Count;

    /// <summary>The highest index applied by any node.</summary>
    public ulong MaxApplied => (ulong)_canonical.Count;

    public long ReadsChecked { get; private set; }

    /// <summary>Called whenever a node is seen as leader of <paramref name="term"/>.</summary>
    public void ObserveLeader(ulong id, ulong term, RaftLog log)
    {
        if (_leaderOfTerm.TryGetValue(term, out ulong other))
        {
            if (other != id)
            {
                throw new SimulationFailure("election safety", $"nodes {other} and {id} both lead term {term}");
            }

            return;
        }

        _leaderOfTerm[term] = id;

        // Leader completeness: everything applied anywhere was committed before this leader was elected.
        ulong compacted = log.FirstIndex() - 1;
        for (ulong index = compacted + 1; index <= MaxApplied; index++)
        {
            var err = log.Term(index, out ulong t);
            ulong want = _canonical[(int)index - 1].Term;
            if (err != RaftError.None || t != want)
            {
                throw new SimulationFailure("leader completeness",
                    $"node {id} leads term {term} but its log has term {t} ({err}) at committed index {index} (term {want})");
            }
        }
    }

    /// <summary>Records node <paramref name="id"/> applying <paramref name="entry"/>, giving state <paramref name="chain"/>.</summary>
    public void OnApplied(ulong id, Entry entry, ulong chain)
    {
        ulong index = entry.Index;
        if (index <= MaxApplied)
        {
            var (term, want) = _canonical[(int)index - 1];
            if (term != entry.Term || want != chain)
            {
                throw new SimulationFailure("state machine safety",
                    $"node {id} applied term {entry.Term} at index {index} (state {chain:x}), others applied term {term} (state {want:x})");
            }

            return;
        }

        if (index != MaxApplied + 1)
        {
            throw new SimulationFailure("state machine safety", $"node {id} applied index {index} beyond the known history {MaxApplied}");
        }

        _canonical.Add((entry.Term, chain));
    }

    /// <summary>A node installed a snapshot: its state must be the applied history up to the snapshot's index.</summary>
    public void OnSnapshotInstalled(ulong id, ulong index, ulong term, ulong chain)
    {
        if (index > MaxApplied)
        {
            throw new SimulationFailure("state machine safety", $"node {id} installed a snapshot at {index}, beyond anything applied ({MaxApplied})");
        }

        var (t, want) = _canonical[(int)index - 1];
        if (t != term || want != chain)
        {
            throw new SimulationFailure("state machine safety",
                $"node {id} installed snapshot {index}/{term} with state {chain:x}, applied history has {t} / {want:x}");
        }
    }

    /// <summary>The chain hash of the applied history at <paramref name="index"/> (0 for index 0).</summary>
    public ulong CanonicalChain(ulong index) => index == 0 ? 0 : _canonical[(int)index - 1].Chain;

    public void OnReadIssued(string context) => _readWatermark[context] = MaxApplied;

    public void OnReadState(ulong id, string context, ulong index)
    {
        if (!_readWatermark.TryGetValue(context, out ulong watermark))
        {
            throw new SimulationFailure("linearizable reads", $"node {id} got a read state for unknown request {context}");
        }

        ReadsChecked++;
        if (index < watermark)
        {
            throw new SimulationFailure("linearizable reads",
                $"node {id} read {context} at index {index}, but index {watermark} was applied before the read was issued");
        }
    }

    /// <summary>Log matching over the persisted logs of every pair of nodes.</summary>
    public static void CheckLogMatching(IReadOnlyList<SimNode> nodes)
    {
        var logs = nodes.Select(n => (n.Id, Log: n.PersistedLog())).ToList();
        for (int a = 0; a < logs.Count; a++)
        {
            for (int b = a + 1; b < logs.Count; b++)
            {
                CheckPair(logs[a].Id, logs[a].Log, logs[b].Id, logs[b].Log);
            }
        }
    }

    private static void CheckPair(ulong idA, IReadOnlyList<Entry> a, ulong idB, IReadOnlyList<Entry> b)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            return;
        }

        ulong lo = Math.Max(a[0].Index, b[0].Index);
        ulong hi = Math.Min(a[^1].Index, b[^1].Index);
        bool matched = false;
        for (ulong i = hi; i >= lo && i > 0; i--)
        {
            var ea = a[(int)(i - a[0].Index)];
            var eb = b[(int)(i - b[0].Index)];
            if (!matched && ea.Term == eb.Term)
            {
                matched = true;
            }

            if (matched && (ea.Term != eb.Term || ea.Type != eb.Type || ea.Data != eb.Data))
            {
                throw new SimulationFailure("log matching",
                    $"nodes {idA} and {idB} agree at a later index but differ at index {i}: {ea.Term}/{ea.Type} vs {eb.Term}/{eb.Type}");
            }
        }
    }
}

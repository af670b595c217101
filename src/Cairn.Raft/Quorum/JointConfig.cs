using System.Collections.Generic;

namespace Cairn.Raft.Quorum;

/// <summary>
/// The voters of a configuration, possibly in transition (joint consensus, Raft thesis §4.3). Decisions need a
/// majority in <see cref="Incoming"/> and, while joint, also in <see cref="Outgoing"/>. Outside a transition
/// <see cref="Outgoing"/> is empty, and an empty majority config never constrains a decision.
/// </summary>
public sealed class JointConfig
{
    public JointConfig()
        : this(new MajorityConfig(), new MajorityConfig())
    {
    }

    public JointConfig(MajorityConfig incoming, MajorityConfig outgoing)
    {
        Incoming = incoming;
        Outgoing = outgoing;
    }

    /// <summary>The voters of the new (or only) configuration.</summary>
    public MajorityConfig Incoming { get; }

    /// <summary>The voters of the old configuration while joint; empty otherwise.</summary>
    public MajorityConfig Outgoing { get; }

    /// <summary>True while a transition is in progress (the outgoing config has voters).</summary>
    public bool IsJoint => Outgoing.Count > 0;

    public JointConfig Clone() => new(Incoming.Clone(), Outgoing.Clone());

    /// <summary>The union of both halves.</summary>
    public MajorityConfig Ids()
    {
        var ids = Incoming.Clone();
        foreach (ulong id in Outgoing)
        {
            ids.Add(id);
        }

        return ids;
    }

    public bool Contains(ulong id) => Incoming.Contains(id) || Outgoing.Contains(id);

    /// <summary>The largest index committed by both halves, i.e. the smaller of the two.</summary>
    public ulong CommittedIndex(IAckedIndexer acked)
    {
        ulong incoming = Incoming.CommittedIndex(acked);
        ulong outgoing = Outgoing.CommittedIndex(acked);
        return incoming < outgoing ? incoming : outgoing;
    }

    /// <summary>Won only when both halves win; Lost when either loses; Pending otherwise.</summary>
    public VoteResult VoteResult(IReadOnlyDictionary<ulong, bool> votes)
    {
        VoteResult incoming = Incoming.VoteResult(votes);
        VoteResult outgoing = Outgoing.VoteResult(votes);
        if (incoming == outgoing)
        {
            return incoming;
        }

        return incoming == Quorum.VoteResult.Lost || outgoing == Quorum.VoteResult.Lost
            ? Quorum.VoteResult.Lost
            : Quorum.VoteResult.Pending;
    }

    /// <summary>The acknowledged indexes of every voter of either half (see <see cref="MajorityConfig.Describe"/>).</summary>
    public string Describe(IAckedIndexer acked) => Ids().Describe(acked);

    /// <summary>"(1 2 3)" or, while joint, "(1 2 3)&amp;&amp;(1 2 4)".</summary>
    public override string ToString() => IsJoint ? $"{Incoming}&&{Outgoing}" : Incoming.ToString();
}

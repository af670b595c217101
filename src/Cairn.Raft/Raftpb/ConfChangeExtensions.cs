using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;

namespace Cairn.Raft.Raftpb;

/// <summary>Either kind of configuration change: the legacy single-node <see cref="ConfChange"/> or
/// <see cref="ConfChangeV2"/>. The core works on the V2 form.</summary>
public interface IConfChange
{
    ConfChangeV2 AsV2();

    /// <summary>The V1 form, or null when this change cannot be expressed as one.</summary>
    ConfChange? AsV1();

    /// <summary>The entry type that carries this change in the log.</summary>
    EntryType EntryType { get; }
}

public sealed partial class ConfChange : IConfChange
{
    public ConfChangeV2 AsV2() => new()
    {
        Changes = { new ConfChangeSingle { Type = Type, NodeId = NodeId } },
        Context = Context,
    };

    public ConfChange? AsV1() => this;

    public EntryType EntryType => EntryType.EntryConfChange;
}

public sealed partial class ConfChangeV2 : IConfChange
{
    public ConfChangeV2 AsV2() => this;

    public ConfChange? AsV1() => null;

    public EntryType EntryType => EntryType.EntryConfChangeV2;

    /// <summary>True when applying this change enters a joint configuration: either it names an explicit joint
    /// transition or it changes more than one node. <paramref name="autoLeave"/> tells whether the core leaves
    /// the joint configuration by itself once it is applied (every transition except JointExplicit).</summary>
    public bool EnterJoint(out bool autoLeave)
    {
        autoLeave = false;
        if (Transition == ConfChangeTransition.Auto && Changes.Count <= 1)
        {
            return false;
        }
        autoLeave = Transition != ConfChangeTransition.JointExplicit;
        return true;
    }

    /// <summary>True for the empty change (context ignored) that leaves a joint configuration.</summary>
    public bool LeaveJoint() => Transition == ConfChangeTransition.Auto && Changes.Count == 0;
}

public sealed partial class ConfState
{
    /// <summary>Equal up to the order of IDs within each set (etcd-io/raft's ConfState.Equivalent).</summary>
    public bool Equivalent(ConfState other) =>
        SameSet(Voters, other.Voters) && SameSet(Learners, other.Learners) &&
        SameSet(VotersOutgoing, other.VotersOutgoing) && SameSet(LearnersNext, other.LearnersNext) &&
        AutoLeave == other.AutoLeave;

    private static bool SameSet(IEnumerable<ulong> a, IEnumerable<ulong> b) =>
        a.Distinct().Order().SequenceEqual(b.Distinct().Order());
}

/// <summary>Builders for configuration changes.</summary>
public static class ConfChanges
{
    /// <summary>Serializes a change into an entry payload.</summary>
    public static ByteString Marshal(IConfChange cc) => cc switch
    {
        ConfChange v1 => v1.ToByteString(),
        ConfChangeV2 v2 => v2.ToByteString(),
        _ => throw new System.ArgumentException("unknown conf change type", nameof(cc)),
    };
}

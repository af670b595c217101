using System.Collections.Generic;
using System.Text;
using Cairn.Raft.Quorum;

namespace Cairn.Raft.Tracker;

/// <summary>
/// A cluster configuration: who votes, who learns, and whether a joint configuration is left automatically.
/// Invariants (checked by the configuration changer): learners and voters are disjoint; <see cref="LearnersNext"/>
/// holds only outgoing voters that become learners when the joint configuration is left, and it is empty, like
/// <see cref="JointConfig.Outgoing"/>, and <see cref="AutoLeave"/> is false, outside a joint configuration.
/// </summary>
public sealed class TrackerConfig
{
    public TrackerConfig()
        : this(new JointConfig(), [], [], autoLeave: false)
    {
    }

    public TrackerConfig(JointConfig voters, SortedSet<ulong> learners, SortedSet<ulong> learnersNext, bool autoLeave)
    {
        Voters = voters;
        Learners = learners;
        LearnersNext = learnersNext;
        AutoLeave = autoLeave;
    }

    public JointConfig Voters { get; }

    /// <summary>Peers that receive the log but do not vote. Never overlaps either half of <see cref="Voters"/>.</summary>
    public SortedSet<ulong> Learners { get; }

    /// <summary>
    /// Peers to turn into learners when the joint configuration is left. A voter being demoted cannot join
    /// <see cref="Learners"/> right away because it still votes in the outgoing configuration.
    /// </summary>
    public SortedSet<ulong> LearnersNext { get; }

    /// <summary>
    /// True when the leader should propose leaving the joint configuration as soon as it can. Only meaningful (and
    /// only ever true) while joint.
    /// </summary>
    public bool AutoLeave { get; set; }

    public TrackerConfig Clone() => new(Voters.Clone(), new(Learners), new(LearnersNext), AutoLeave);

    /// <summary>e.g. "voters=(1 2 3)&amp;&amp;(1 2 4) learners=(5) learners_next=(4) autoleave".</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("voters=").Append(Voters);
        if (Learners.Count > 0)
        {
            sb.Append(" learners=").Append(FormatIds(Learners));
        }

        if (LearnersNext.Count > 0)
        {
            sb.Append(" learners_next=").Append(FormatIds(LearnersNext));
        }

        if (AutoLeave)
        {
            sb.Append(" autoleave");
        }

        return sb.ToString();
    }

    internal static string FormatIds(IEnumerable<ulong> ids) => new MajorityConfig(ids).ToString();
}

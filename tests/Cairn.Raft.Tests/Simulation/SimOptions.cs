using System.Globalization;

namespace Cairn.Raft.Tests.Simulation;

/// <summary>
/// The parameters of one simulated run, all derived from its seed (see <see cref="FromSeed"/>) so that a seed alone
/// replays it. Time is counted in network units: <see cref="UnitsPerTick"/> units make one Raft tick, which lets
/// messages sent in the same tick arrive in a different order.
/// </summary>
public sealed record SimOptions
{
    public const int UnitsPerTick = 10;

    public required ulong Seed { get; init; }

    public required int Nodes { get; init; }

    /// <summary>Ticks of faults and load before the network heals.</summary>
    public int ChaosTicks { get; init; } = 300;

    /// <summary>Ticks after healing within which a leader must exist and a new proposal must be applied everywhere.</summary>
    public int LivenessBoundTicks { get; init; } = 200;

    public int ElectionTick { get; init; } = 10;

    public int HeartbeatTick { get; init; } = 1;

    public bool PreVote { get; init; }

    public bool CheckQuorum { get; init; }

    public int MaxInflightMsgs { get; init; } = 4;

    public ulong MaxInflightBytes { get; init; }

    public ulong MaxSizePerMsg { get; init; } = 256;

    /// <summary>Probability that a sent message is lost.</summary>
    public double DropRate { get; init; }

    /// <summary>Probability that a delivered message is delivered twice.</summary>
    public double DuplicateRate { get; init; }

    /// <summary>Largest delivery delay in network units (the smallest is 1).</summary>
    public int MaxDelayUnits { get; init; } = 5;

    /// <summary>Per tick: probability of crashing one running node (any number may be down at once).</summary>
    public double CrashRate { get; init; }

    /// <summary>Per tick: probability of restarting one crashed node.</summary>
    public double RestartRate { get; init; }

    /// <summary>Per tick: probability of splitting the network into two sides (or healing a split).</summary>
    public double PartitionRate { get; init; }

    /// <summary>Per tick: probability of a client proposal to a random running node.</summary>
    public double ProposalRate { get; init; } = 0.5;

    /// <summary>Per tick: probability of a read-index request to a random running node.</summary>
    public double ReadRate { get; init; }

    /// <summary>Per tick: probability of proposing a membership change (0: the configuration never changes).</summary>
    public double ConfChangeRate { get; init; }

    /// <summary>Per tick: probability of asking the leader to transfer leadership.</summary>
    public double TransferRate { get; init; }

    /// <summary>A node snapshots and compacts its log once this many entries are applied past its snapshot.</summary>
    public int CompactEvery { get; init; } = 20;

    /// <summary>
    /// Fault injection for testing the checkers themselves: restart nodes without their persisted HardState
    /// (forgetting votes and terms), which breaks Raft's assumptions. Never set in the real tiers.
    /// </summary>
    public bool ForgetHardStateOnRestart { get; init; }

    /// <summary>Draws a run's parameters from <paramref name="seed"/>: every run gets its own mix of faults.</summary>
    public static SimOptions FromSeed(ulong seed, int nodes)
    {
        var rng = new SimRng(seed ^ 0x5EED5EED5EED5EEDUL);
        bool checkQuorum = rng.Chance(0.5);
        return new SimOptions
        {
            Seed = seed,
            Nodes = nodes,
            PreVote = rng.Chance(0.5),
            CheckQuorum = checkQuorum,
            MaxInflightMsgs = rng.Next(1, 9),
            MaxInflightBytes = rng.Chance(0.3) ? 512UL : 0UL,
            MaxSizePerMsg = rng.Chance(0.5) ? 64UL : 512UL,
            DropRate = rng.Pick([0.0, 0.02, 0.1, 0.25]),
            DuplicateRate = rng.Pick([0.0, 0.02, 0.1]),
            MaxDelayUnits = rng.Pick([1, 5, 15, 40]),
            CrashRate = rng.Pick([0.0, 0.01, 0.03]),
            RestartRate = rng.Pick([0.05, 0.2]),
            PartitionRate = rng.Pick([0.0, 0.01, 0.03]),
            ProposalRate = rng.Pick([0.2, 0.6, 1.5]),
            ReadRate = rng.Pick([0.0, 0.1]),
            ConfChangeRate = rng.Chance(0.4) ? rng.Pick([0.02, 0.05]) : 0.0,
            TransferRate = rng.Chance(0.3) ? 0.01 : 0.0,
            CompactEvery = rng.Pick([5, 20, 1000]),
        };
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"seed={Seed} nodes={Nodes} prevote={PreVote} checkquorum={CheckQuorum} inflight={MaxInflightMsgs}/{MaxInflightBytes}B " +
        $"maxmsg={MaxSizePerMsg} drop={DropRate} dup={DuplicateRate} delay<={MaxDelayUnits}u crash={CrashRate} " +
        $"restart={RestartRate} partition={PartitionRate} propose={ProposalRate} read={ReadRate} " +
        $"confchange={ConfChangeRate} transfer={TransferRate} compact={CompactEvery}");
}

using System.Globalization;

namespace Cairn.Raft.Tests.Simulation;

/// <summary>What one run did: its trace hash (equal seeds, equal hashes) and the faults and work it covered.</summary>
public sealed record SimResult
{
    public required ulong Seed { get; init; }

    public required int Nodes { get; init; }

    public required string TraceHash { get; init; }

    public long Ticks { get; init; }

    public long MessagesSent { get; init; }

    public long MessagesDelivered { get; init; }

    public long MessagesDropped { get; init; }

    public long MessagesDuplicated { get; init; }

    public int Crashes { get; init; }

    public int TornReadies { get; init; }

    public int Restarts { get; init; }

    public int Partitions { get; init; }

    public int Proposals { get; init; }

    public ulong AppliedIndex { get; init; }

    public int Leaders { get; init; }

    public int SnapshotsInstalled { get; init; }

    public int ConfChangesApplied { get; init; }

    public int Transfers { get; init; }

    public long ReadsChecked { get; init; }

    /// <summary>Ticks from healing until a leader existed and a new proposal was applied on every member.</summary>
    public long LivenessTicks { get; init; }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"seed={Seed} nodes={Nodes} hash={TraceHash} ticks={Ticks} sent={MessagesSent} delivered={MessagesDelivered} " +
        $"dropped={MessagesDropped} duplicated={MessagesDuplicated} crashes={Crashes} torn={TornReadies} restarts={Restarts} " +
        $"partitions={Partitions} proposals={Proposals} applied={AppliedIndex} leaders={Leaders} snapshots={SnapshotsInstalled} " +
        $"confchanges={ConfChangesApplied} transfers={Transfers} reads={ReadsChecked} liveness={LivenessTicks}t");
}

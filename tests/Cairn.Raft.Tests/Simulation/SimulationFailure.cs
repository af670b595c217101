namespace Cairn.Raft.Tests.Simulation;

/// <summary>A violated Raft property (or a core exception) during a simulated run.</summary>
public sealed class SimulationFailure(string property, string detail) : Exception($"{property}: {detail}")
{
    /// <summary>Which check failed: election safety, log matching, leader completeness, state machine safety,
    /// linearizable reads, liveness, or a crash of the core.</summary>
    public string Property { get; } = property;
}

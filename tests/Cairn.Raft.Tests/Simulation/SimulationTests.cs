using System.Globalization;
using Xunit.Abstractions;

namespace Cairn.Raft.Tests.Simulation;

/// <summary>The CI (or full) tier for three-node clusters; runs in parallel with the five-node tier.</summary>
public sealed class SimulationThreeNodeTests(ITestOutputHelper output)
{
    [Fact]
    public void RandomizedRuns_ThreeNodes_KeepSafetyAndLiveness() => SimulationTier.Run(3, output);
}

/// <summary>The CI (or full) tier for five-node clusters.</summary>
public sealed class SimulationFiveNodeTests(ITestOutputHelper output)
{
    [Fact]
    public void RandomizedRuns_FiveNodes_KeepSafetyAndLiveness() => SimulationTier.Run(5, output);
}

/// <summary>
/// Replays one run with its full event trace: CAIRN_SIM_SEED=n (and CAIRN_SIM_NODES=3 or 5, default 3). Without
/// the variable it replays seed 1. The trace hash printed here is the one to compare across processes.
/// </summary>
public sealed class SimulationReplayTests(ITestOutputHelper output)
{
    [Fact]
    public void Replay_SeedFromEnvironment()
    {
        ulong seed = ulong.Parse(Environment.GetEnvironmentVariable("CAIRN_SIM_SEED") ?? "1", CultureInfo.InvariantCulture);
        int nodes = int.Parse(Environment.GetEnvironmentVariable("CAIRN_SIM_NODES") ?? "3", CultureInfo.InvariantCulture);
        var options = SimOptions.FromSeed(seed, nodes);
        var trace = new List<string>();
        output.WriteLine(options.ToString());
        try
        {
            var result = Simulator.Run(options, trace);
            foreach (string line in trace)
            {
                output.WriteLine(line);
            }

            output.WriteLine(result.ToString());
            output.WriteLine($"trace hash: {result.TraceHash}");
        }
        catch (SimulationFailure f)
        {
            foreach (string line in trace)
            {
                output.WriteLine(line);
            }

            Assert.Fail($"seed {seed} ({nodes} nodes) failed: {f.Message}\nreplay: {SimulationTier.ReplayCommand(seed, nodes)}");
        }
    }
}

public sealed class SimulationDeterminismTests
{
    [Theory]
    [InlineData(3, 11)]
    [InlineData(5, 12)]
    [InlineData(5, 13)]
    public void SameSeed_SameTraceHash(int nodes, ulong seed)
    {
        var first = Simulator.Run(SimOptions.FromSeed(seed, nodes));
        var second = Simulator.Run(SimOptions.FromSeed(seed, nodes));
        Assert.Equal(first, second);
        Assert.True(first.MessagesDelivered > 100, first.ToString());
    }

    [Fact]
    public void DifferentSeeds_DifferentTraceHashes()
    {
        var hashes = Enumerable.Range(1, 20).Select(s => Simulator.Run(SimOptions.FromSeed((ulong)s, 3)).TraceHash).ToList();
        Assert.Equal(hashes.Count, hashes.Distinct().Count());
    }

    [Fact]
    public void Checkers_DetectNodesThatForgetTheirVotes()
    {
        // Raft is only safe if a node's term and vote survive restarts. Breaking that on purpose must be caught by
        // the checkers, or they could not catch the same bug in the core either.
        var properties = new List<string>();
        for (ulong seed = 1; seed <= 100 && !properties.Exists(p => p != "core exception"); seed++)
        {
            var options = SimOptions.FromSeed(seed, 3) with
            {
                ForgetHardStateOnRestart = true,
                CrashRate = 0.05,
                RestartRate = 0.5,
                PartitionRate = 0.02,
            };
            try
            {
                Simulator.Run(options);
            }
            catch (SimulationFailure f)
            {
                properties.Add(f.Property);
            }
        }

        // The broken assumption may also trip the core's own assertions; at least one checker must fire.
        Assert.Contains(properties, p => p is "election safety" or "leader completeness" or "log matching" or "state machine safety");
    }
}

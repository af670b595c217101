using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Cairn.Raft.Tests.Simulation;

/// <summary>
/// Runs many seeds of <see cref="Simulator"/>. The CI tier runs a fixed range of seeds sized to a few minutes on two
/// cores; CAIRN_SIM_FULL=1 runs the full tier; CAIRN_SIM_SEEDS=first-last runs any range. A failure names its seed
/// and the one command that replays it.
/// </summary>
internal static class SimulationTier
{
    /// <summary>Seeds per cluster size in the CI tier.</summary>
    public const int CiSeeds = 5_000;

    /// <summary>Seeds per cluster size in the full tier (both sizes: twice as many runs).</summary>
    public const int FullSeeds = 10_000;

    public static string ReplayCommand(ulong seed, int nodes) =>
        $"CAIRN_SIM_SEED={seed} CAIRN_SIM_NODES={nodes} dotnet test tests/Cairn.Raft.Tests --filter \"FullyQualifiedName~SimulationReplayTests\"";

    public static (ulong First, ulong Last, bool Parallel) Range()
    {
        string? range = Environment.GetEnvironmentVariable("CAIRN_SIM_SEEDS");
        if (!string.IsNullOrEmpty(range))
        {
            string[] parts = range.Split('-', 2);
            return (ulong.Parse(parts[0], CultureInfo.InvariantCulture), ulong.Parse(parts[^1], CultureInfo.InvariantCulture), true);
        }

        return Environment.GetEnvironmentVariable("CAIRN_SIM_FULL") == "1" ? (1UL, (ulong)FullSeeds, true) : (1UL, (ulong)CiSeeds, false);
    }

    public static void Run(int nodes, ITestOutputHelper output)
    {
        var (first, last, parallel) = Range();
        var failures = new ConcurrentBag<(ulong Seed, string Message)>();
        var results = new ConcurrentBag<SimResult>();
        var clock = Stopwatch.StartNew();
        void RunSeed(long s)
        {
            ulong seed = (ulong)s;
            try
            {
                results.Add(Simulator.Run(SimOptions.FromSeed(seed, nodes)));
            }
            catch (SimulationFailure f)
            {
                failures.Add((seed, f.Message));
            }
        }

        if (parallel)
        {
            System.Threading.Tasks.Parallel.For((long)first, (long)last + 1, RunSeed);
        }
        else
        {
            for (ulong seed = first; seed <= last; seed++)
            {
                RunSeed((long)seed);
            }
        }

        output.WriteLine(Summary(nodes, results, clock.Elapsed));
        if (!failures.IsEmpty)
        {
            var firstFailures = failures.OrderBy(f => f.Seed).Take(3).ToList();
            Assert.Fail($"{failures.Count} of {last - first + 1} simulations failed:\n" +
                string.Join('\n', failures.OrderBy(f => f.Seed).Take(50).Select(f => $"  seed {f.Seed}: {f.Message.Split('\n')[0]}")) + "\n\n" +
                string.Join("\n\n", firstFailures.Select(f => Explain(f.Seed, nodes, f.Message))));
        }
    }

    /// <summary>The failure, the run's parameters, the replay command and the end of the run's trace.</summary>
    public static string Explain(ulong seed, int nodes, string message)
    {
        var trace = new List<string>();
        var options = SimOptions.FromSeed(seed, nodes);
        try
        {
            Simulator.Run(options, trace);
        }
        catch (SimulationFailure)
        {
        }

        return $"seed {seed} ({nodes} nodes) failed: {message}\n{options}\n" +
            $"replay: {ReplayCommand(seed, nodes)}\nlast events:\n" + string.Join('\n', trace.TakeLast(40));
    }

    public static string Summary(int nodes, IReadOnlyCollection<SimResult> results, TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{results.Count} runs of {nodes} nodes passed in {elapsed.TotalSeconds:F1}s: " +
            $"ticks={results.Sum(r => r.Ticks)} messages={results.Sum(r => r.MessagesSent)} " +
            $"dropped={results.Sum(r => r.MessagesDropped)} duplicated={results.Sum(r => r.MessagesDuplicated)} " +
            $"crashes={results.Sum(r => r.Crashes)} torn-readies={results.Sum(r => r.TornReadies)} " +
            $"restarts={results.Sum(r => r.Restarts)} partitions={results.Sum(r => r.Partitions)} " +
            $"proposals={results.Sum(r => r.Proposals)} applied={results.Sum(r => (long)r.AppliedIndex)} " +
            $"leaders={results.Sum(r => r.Leaders)} snapshots={results.Sum(r => r.SnapshotsInstalled)} " +
            $"confchanges={results.Sum(r => r.ConfChangesApplied)} transfers={results.Sum(r => r.Transfers)} " +
            $"reads={results.Sum(r => r.ReadsChecked)} " +
            $"max-liveness={(results.Count == 0 ? 0 : results.Max(r => r.LivenessTicks))}t");
}

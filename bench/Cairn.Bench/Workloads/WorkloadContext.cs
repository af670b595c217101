using Cairn.Bench.Load;

namespace Cairn.Bench.Workloads;

/// <summary>What a workload gets when a run starts: the settings, warm connections, and the run's samples.</summary>
internal sealed record WorkloadContext(LoadSettings Settings, Connections Connections, SampleSet Samples);

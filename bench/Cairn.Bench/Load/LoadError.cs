namespace Cairn.Bench.Load;

/// <summary>A request that came back but failed the workload's own check (e.g. a keepalive with TTL 0); counted as an error.</summary>
internal sealed class LoadError(string message) : Exception(message);

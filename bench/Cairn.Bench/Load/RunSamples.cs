namespace Cairn.Bench.Load;

/// <summary>
/// Raw result of one run (one pass): latency samples per series (ms), successful operations, errors, wall time, and a
/// few error messages.
/// </summary>
internal sealed record RunSamples(List<double>[] Series, long Operations, long Errors, double Seconds, IReadOnlyList<string> ErrorSamples);

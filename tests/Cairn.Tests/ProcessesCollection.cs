namespace Cairn.Tests;

/// <summary>
/// Every test that starts a server process joins this collection, so they run one at a time (the machine has two
/// cores, and timings such as kill -9 moments must not compete). xunit honours [Fact(Timeout)] only in such a
/// non-parallel collection; see <see cref="Hang"/>.
/// </summary>
[CollectionDefinition("Processes", DisableParallelization = true)]
public sealed class ProcessesCollection;

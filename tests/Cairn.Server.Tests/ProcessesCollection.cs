namespace Cairn.Server.Tests;

/// <summary>
/// Tests that start processes (real etcd, etcdctl) join this collection, so they run one at a time on the two-core
/// machine. xunit honours [Fact(Timeout)] only in such a non-parallel collection.
/// </summary>
[CollectionDefinition("Processes", DisableParallelization = true)]
public sealed class ProcessesCollection;

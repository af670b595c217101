namespace Cairn.Ctl.Tests;

/// <summary>
/// Every test that starts a process (etcd, etcdctl, cairnctl, cfssl) joins this collection, so they run one at a time
/// on the two-core machine; xunit honours [Fact(Timeout)] only in such a non-parallel collection.
/// </summary>
[CollectionDefinition("Processes", DisableParallelization = true)]
public sealed class ProcessesCollection;

/// <summary>Per-test hang timeouts (milliseconds) for process tests.</summary>
internal static class Hang
{
    public const int Default = 120_000;
}

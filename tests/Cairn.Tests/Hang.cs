namespace Cairn.Tests;

/// <summary>Per-test hang timeouts (milliseconds) for process tests: a hung server fails its test, not the run.</summary>
internal static class Hang
{
    /// <summary>An etcdctl session or a differential scenario.</summary>
    public const int Default = 120_000;

    /// <summary>The kill -9 loop: ten crashes and restarts under load.</summary>
    public const int Crash = 600_000;
}

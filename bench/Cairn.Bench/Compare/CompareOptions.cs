using Cairn.Testing;

namespace Cairn.Bench.Compare;

/// <summary>How to run a comparison (see CompareCommand for the flags).</summary>
internal sealed record CompareOptions
{
    public required ServerBinary Etcd { get; init; }

    public required ServerBinary Cairn { get; init; }

    public bool Quick { get; init; }

    /// <summary>Parent folder of both servers' data dirs (the same disk for both); the temp folder when null.</summary>
    public string? DataDir { get; init; }

    /// <summary>Only workloads whose name contains one of these run; all when empty.</summary>
    public IReadOnlyList<string> Only { get; init; } = [];

    /// <summary>Keys for the memory probe; 0 skips it.</summary>
    public int RssKeys { get; init; }

    public bool CheckPerf { get; init; }

    /// <summary>Overrides the plan's passes and pass length when set.</summary>
    public int? Passes { get; init; }

    public TimeSpan? Pass { get; init; }
}

namespace Cairn.Tests.Cluster;

/// <summary>Hang timeouts (milliseconds) for the cluster tests: generous, so only a hung server trips them.</summary>
internal static class ClusterTimeouts
{
    /// <summary>One scenario on three or five members.</summary>
    public const int Scenario = 180_000;

    /// <summary>The catch-up scenario, whose full tier writes 20,000 keys.</summary>
    public const int Long = 600_000;

    /// <summary>True in the full tier (CAIRN_TIER=full, e.g. <c>./test.sh --full</c>).</summary>
    public static bool FullTier => Environment.GetEnvironmentVariable("CAIRN_TIER") == "full";
}

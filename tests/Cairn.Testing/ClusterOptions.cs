namespace Cairn.Testing;

/// <summary>Settings shared by every member a fixture starts.</summary>
public sealed record ClusterOptions
{
    /// <summary>--initial-cluster-token; the acceptance checks use "checks".</summary>
    public string Token { get; init; } = "checks";

    /// <summary>Flags appended after the standard ones, e.g. ["--max-txn-ops", "4"].</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>How long a member may take to answer GET /health with health=true.</summary>
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Parent of the fixture's temporary folder; the system temp folder when null.</summary>
    public string? WorkRoot { get; init; }
}

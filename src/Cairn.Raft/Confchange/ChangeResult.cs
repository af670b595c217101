using Cairn.Raft.Tracker;

namespace Cairn.Raft.Confchange;

/// <summary>
/// The outcome of a configuration change computed by <see cref="Changer"/>: the new configuration and progress map
/// to switch to, or the reason the change is invalid (worded as etcd-io/raft words it). The inputs are never
/// modified, so a failed change leaves the tracker as it was.
/// </summary>
internal readonly struct ChangeResult
{
    private ChangeResult(TrackerConfig? config, ProgressMap? progress, string? error)
    {
        Config = config;
        Progress = progress;
        Error = error;
    }

    /// <summary>The new configuration; null when <see cref="Error"/> is set.</summary>
    public TrackerConfig? Config { get; }

    /// <summary>The new progress map; null when <see cref="Error"/> is set.</summary>
    public ProgressMap? Progress { get; }

    /// <summary>Why the change is invalid; null on success.</summary>
    public string? Error { get; }

    public bool IsOk => Error is null;

    public static ChangeResult Ok(TrackerConfig config, ProgressMap progress) => new(config, progress, null);

    public static ChangeResult Fail(string error) => new(null, null, error);

    /// <summary>
    /// The new configuration and progress; an invalid change here is a bug (a committed change must apply, so
    /// proposals are validated before they are appended), and throws.
    /// </summary>
    public (TrackerConfig Config, ProgressMap Progress) Unwrap() =>
        IsOk ? (Config!, Progress!) : throw new System.InvalidOperationException($"invalid configuration change: {Error}");

    /// <summary>Deconstructs via <see cref="Unwrap"/>: <c>var (config, progress) = changer.Simple(cc);</c> throws on an error.</summary>
    public void Deconstruct(out TrackerConfig config, out ProgressMap progress) => (config, progress) = Unwrap();
}

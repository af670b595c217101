namespace Cairn.Storage.Mvcc;

public sealed record MvccOptions
{
    /// <summary>Revisions deleted per backend batch scope during physical compaction (and keys per index lock hold).</summary>
    public int CompactionBatchLimit { get; init; } = 1000;

    /// <summary>Pause between compaction batches, so writers always get the batch lock in between.</summary>
    public TimeSpan CompactionPause { get; init; } = TimeSpan.Zero;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public static MvccOptions Default { get; } = new();
}

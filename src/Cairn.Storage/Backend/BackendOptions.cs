namespace Cairn.Storage.Backend;

public sealed record BackendOptions
{
    /// <summary>Longest time a write stays in the uncommitted batch.</summary>
    public TimeSpan BatchInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Operations after which the batch is committed at the end of the current scope.</summary>
    public int BatchLimit { get; init; } = 10_000;

    /// <summary>SQLite page cache of the writer connection. It must hold a full batch to avoid spilling mid-batch.</summary>
    public int WriterCacheKiB { get; init; } = 16 * 1024;

    /// <summary>SQLite page cache of each reader connection; kept small because there is one per concurrent reader.</summary>
    public int ReaderCacheKiB { get; init; } = 2 * 1024;

    /// <summary>
    /// Bytes of the database each reader maps into memory (SQLite mmap_size); 0 reads through the page cache with
    /// pread. Mapped pages are shared between readers and count as file-backed RSS once touched.
    /// </summary>
    public long ReaderMmapBytes { get; init; }

    /// <summary>Idle reader connections kept for reuse.</summary>
    public int MaxIdleReaders { get; init; } = 8;

    /// <summary>How often committed pages are checkpointed from SQLite's WAL into the database file, off the writer.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Size of SQLite's WAL file above which a checkpoint briefly holds writers back to copy the rest and truncate it
    /// (under a steady write load a checkpoint running beside the writer never catches up on its own).
    /// </summary>
    public long WalTruncateBytes { get; init; } = 64L * 1024 * 1024;

    public static BackendOptions Default { get; } = new();
}

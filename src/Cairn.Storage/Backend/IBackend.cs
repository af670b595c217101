namespace Cairn.Storage.Backend;

/// <summary>
/// The persistent store under MVCC, leases, membership and auth: named buckets of byte keys ordered bytewise.
/// <para><b>Writes.</b> One writer at a time goes through <see cref="BatchTx"/>; writes are buffered in a batch that is
/// committed every BatchInterval, every BatchLimit operations, or on <see cref="ForceCommit"/>. A commit never splits a
/// BatchTx scope, so everything written inside one scope (including <see cref="SetConsistentIndex"/>) commits together.
/// The apply loop wraps each raft entry in one scope: set the consistent index, apply, dispose.</para>
/// <para><b>Reads.</b> <see cref="ReadTx"/> sees every write made so far, committed or still in the batch, and may run on
/// many threads concurrently with the writer. Each call sees the latest data (no snapshot across calls).</para>
/// <para>Kept narrow so that a RocksDB (or other ordered KV) backend could replace SQLite.</para>
/// </summary>
public interface IBackend : IDisposable
{
    /// <summary>A pooled reader; dispose it promptly.</summary>
    IBackendReadTx ReadTx();

    /// <summary>Takes the (reentrant) batch lock for the calling thread; disposing the returned scope releases it.</summary>
    IBackendBatchTx BatchTx();

    /// <summary>Commits the batch now and makes everything committed so far durable.</summary>
    void ForceCommit();

    /// <summary>The raft (index, term) of the last entry whose effects are in the backend, as committed or batched.</summary>
    (ulong Index, ulong Term) ConsistentIndex { get; }

    /// <summary>Records the applied raft entry; written in the same commit as the writes of the enclosing BatchTx scope.</summary>
    void SetConsistentIndex(ulong index, ulong term);

    /// <summary>Bytes the database occupies, free pages included.</summary>
    long Size { get; }

    /// <summary>Bytes in use: <see cref="Size"/> less free pages (what <see cref="Defragment"/> would leave).</summary>
    long SizeInUse { get; }

    /// <summary>CRC-32C over every bucket name (in name order) followed by its keys and values in key order.</summary>
    uint Hash(IReadOnlySet<string>? ignoreBuckets = null);

    /// <summary>Writes a consistent copy of the whole database (a file a member can open as its backend).</summary>
    Task WriteSnapshotAsync(Stream destination, CancellationToken cancellationToken);

    /// <summary>Rewrites the database without free space. Blocks writers while it runs.</summary>
    void Defragment();

    /// <summary>
    /// Replaces the whole database with the file at <paramref name="dbPath"/> (made by <see cref="WriteSnapshotAsync"/>,
    /// typically received from the leader); the file is moved into place and the uncommitted batch is discarded.
    /// Call outside any BatchTx scope, then rebuild the layers above (MvccStore.Restore).
    /// </summary>
    void Restore(string dbPath);
}

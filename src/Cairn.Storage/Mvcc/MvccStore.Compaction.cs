using Cairn.Api.Errors;
using Cairn.Storage.Backend;

namespace Cairn.Storage.Mvcc;

/// <summary>Compaction: the revision moves at once; index and backend catch up in the background, in order.</summary>
public sealed partial class MvccStore
{
    private static readonly byte[] ScheduledCompactKey = "scheduledCompactRev"u8.ToArray();
    private static readonly byte[] FinishedCompactKey = "finishedCompactRev"u8.ToArray();

    private readonly object _compactionGate = new();
    private Task _compactionTail = Task.CompletedTask;

    /// <summary>
    /// Compacts history up to <paramref name="rev"/>: reads below it fail with Compacted from now on. Throws
    /// EtcdErrors.Compacted when rev &lt;= CompactRevision and EtcdErrors.FutureRev when rev &gt; CurrentRevision. The
    /// scheduled revision is written in the current batch (call inside the apply's BatchTx scope to commit it with the
    /// consistent index). The task completes when the index and the backend have dropped the superseded revisions
    /// (deleted 1,000 per batch scope, so writers interleave); a restart finishes an interrupted compaction.
    /// </summary>
    public Task Compact(long rev)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using (IBackendBatchTx batch = _backend.BatchTx())
        {
            lock (_revLock)
            {
                if (rev <= _compactRev)
                {
                    throw EtcdErrors.Compacted.ToException();
                }
                if (rev > _currentRev)
                {
                    throw EtcdErrors.FutureRev.ToException();
                }
                _compactRev = rev;
            }
            batch.Put(Buckets.Meta, ScheduledCompactKey, RevisionValue(rev));
        }
        return ScheduleCompaction(rev);
    }

    /// <summary>Completes when every compaction scheduled so far has finished.</summary>
    internal Task Compactions
    {
        get
        {
            lock (_compactionGate)
            {
                return _compactionTail;
            }
        }
    }

    private Task ScheduleCompaction(long rev)
    {
        lock (_compactionGate)
        {
            Task previous = _compactionTail;
            _compactionTail = Task.Run(async () =>
            {
                try
                {
                    await previous.ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // That compaction's own task carries its failure; this one still runs.
                }
                try
                {
                    await CompactAsync(rev).ConfigureAwait(false);
                }
                catch (ObjectDisposedException) when (_disposed)
                {
                    // Closed mid-compaction: the scheduled revision is persisted and a restart finishes the job.
                }
            });
            return _compactionTail;
        }
    }

    private async Task CompactAsync(long rev)
    {
        int batchLimit = Math.Max(1, _options.CompactionBatchLimit);
        KeyIndex index = Index;
        var removed = new List<(long Main, int SubFlags)>();
        byte[]? resume = null;
        do
        {
            if (_disposed)
            {
                return;
            }
            resume = index.CompactChunk(rev, resume, batchLimit, removed);
        }
        while (resume is not null);

        removed.Sort();
        byte[] revKey = new byte[Revision.TombstoneKeyBytes];
        for (int i = 0; i < removed.Count; i += batchLimit)
        {
            if (_disposed)
            {
                return;
            }
            using (IBackendBatchTx batch = _backend.BatchTx())
            {
                int end = Math.Min(removed.Count, i + batchLimit);
                for (int j = i; j < end; j++)
                {
                    (long main, int subFlags) = removed[j];
                    int length = new Revision(main, subFlags >> 1).WriteKey(revKey, tombstone: (subFlags & 1) != 0);
                    batch.Delete(Buckets.Key, revKey.AsSpan(0, length));
                }
            }
            await Pause().ConfigureAwait(false);
        }
        if (_disposed)
        {
            return;
        }
        using (IBackendBatchTx batch = _backend.BatchTx())
        {
            batch.Put(Buckets.Meta, FinishedCompactKey, RevisionValue(rev));
        }
    }

    private async Task Pause()
    {
        if (_options.CompactionPause > TimeSpan.Zero)
        {
            await Task.Delay(_options.CompactionPause, _options.TimeProvider).ConfigureAwait(false);
        }
        else
        {
            await Task.Yield();
        }
    }
}

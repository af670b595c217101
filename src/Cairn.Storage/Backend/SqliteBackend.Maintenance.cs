using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Cairn.Storage.Backend;

/// <summary>Maintenance: hashing, snapshot copies, defragmentation and SQLite WAL checkpointing.</summary>
public sealed partial class SqliteBackend
{
    public uint Hash(IReadOnlySet<string>? ignoreBuckets = null)
    {
        SqliteReadTx reader = PinnedReader();
        try
        {
            uint crc = 0;
            var names = _buckets.Values.Where(b => b.Visible && ignoreBuckets?.Contains(b.Name) != true)
                .OrderBy(b => b.Name, StringComparer.Ordinal).ToList();
            foreach (SqliteBucket bucket in names)
            {
                crc = Crc32C.Update(crc, bucket.NameBytes);
                using var scan = new SqliteStatement(reader.Connection.Handle!, $"SELECT k, v FROM {bucket.Table} ORDER BY k");
                try
                {
                    while (scan.Step())
                    {
                        crc = Crc32C.Update(crc, scan.Blob(0));
                        crc = Crc32C.Update(crc, scan.Blob(1));
                    }
                }
                finally
                {
                    scan.Reset();
                }
            }
            return crc;
        }
        finally
        {
            reader.EndSnapshot();
            reader.Dispose();
        }
    }

    public async Task WriteSnapshotAsync(Stream destination, CancellationToken cancellationToken)
    {
        string tmp = $"{_path}.snapshot-{Guid.NewGuid():N}.tmp";
        try
        {
            await Task.Run(() => BackupTo(tmp), cancellationToken).ConfigureAwait(false);
            var source = new FileStream(tmp, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await using (source.ConfigureAwait(false))
            {
                await source.CopyToAsync(destination, 1 << 16, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            File.Delete(tmp);
            File.Delete(tmp + "-journal");
        }
    }

    public void Defragment()
    {
        lock (_batchLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            CommitLocked(durable: false);
            sqlite3 db = _writer.Handle!;
            SqliteStatement.Exec(db, "COMMIT");
            try
            {
                SqliteStatement.Exec(db, "VACUUM");
                lock (_checkpointLock)
                {
                    ReleaseIdleSnapshots();
                    SqliteStatement.Exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
                }
            }
            finally
            {
                SqliteStatement.Exec(db, "BEGIN");
                UpdateSize();
            }
        }
    }

    /// <summary>Ends the read transactions idle pooled readers keep open, so a checkpoint can pass them.</summary>
    private void ReleaseIdleSnapshots()
    {
        var idle = new List<SqliteReadTx>();
        while (_idleReaders.TryPop(out SqliteReadTx? reader))
        {
            reader.EndSnapshot();
            idle.Add(reader);
        }
        for (int i = idle.Count - 1; i >= 0; i--)
        {
            _idleReaders.Push(idle[i]);
        }
    }

    /// <summary>A reader whose read transaction sees exactly the state after a fresh commit of the batch.</summary>
    private SqliteReadTx PinnedReader()
    {
        SqliteReadTx reader = RentReader();
        try
        {
            lock (_batchLock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                CommitLocked(durable: false);
                reader.BeginSnapshot();
            }
            return reader;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    private void BackupTo(string file)
    {
        SqliteReadTx reader = PinnedReader();
        try
        {
            var builder = new SqliteConnectionStringBuilder { DataSource = file, Pooling = false, Mode = SqliteOpenMode.ReadWriteCreate };
            using var destination = new SqliteConnection(builder.ToString());
            destination.Open();
            reader.Connection.BackupDatabase(destination);
            SqliteStatement.Exec(destination.Handle!, "PRAGMA journal_mode=DELETE");
        }
        finally
        {
            reader.EndSnapshot();
            reader.Dispose();
        }
    }

    /// <summary>
    /// Copies committed pages from SQLite's WAL into the database file beside the writer; when the WAL has grown past
    /// <see cref="BackendOptions.WalTruncateBytes"/>, holds writers back briefly to finish and truncate it.
    /// </summary>
    private void Checkpoint()
    {
        if (Interlocked.Exchange(ref _uncheckpointedCommits, 0) == 0)
        {
            return;
        }
        lock (_checkpointLock)
        {
            if (_disposed)
            {
                return;
            }
            ReleaseIdleSnapshots();
            SqliteStatement.Exec(_checkpointer.Handle!, "PRAGMA wal_checkpoint(PASSIVE)");
        }
        var wal = new FileInfo(_path + "-wal");
        if (!wal.Exists || wal.Length <= _options.WalTruncateBytes)
        {
            return;
        }
        _truncateWanted = true;
        try
        {
            lock (_batchLock)
            {
                lock (_checkpointLock)
                {
                    if (_disposed)
                    {
                        return;
                    }
                    // The open batch holds SQLite's write lock; commit it so the checkpoint can take over.
                    CommitLocked(durable: false);
                    ReleaseIdleSnapshots();
                    SqliteStatement.Exec(_checkpointer.Handle!, "PRAGMA wal_checkpoint(TRUNCATE)");
                    TruncateCount++;
                }
            }
        }
        finally
        {
            _truncateWanted = false;
        }
    }
}

using System.Buffers.Binary;
using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Cairn.Storage.Backend;

/// <summary>
/// <see cref="IBackend"/> on SQLite (Microsoft.Data.Sqlite's bundled native library, driven through prepared raw
/// statements on the hot paths). journal_mode=WAL with synchronous=NORMAL: commits are atomic but not fsynced, because
/// the raft WAL is the durability point and the consistent index makes replay idempotent; <see cref="ForceCommit"/> is
/// the durable commit used before the raft log may be released. One writer connection keeps a transaction open for
/// the batch; readers use pooled connections plus the <see cref="WriteBuffer"/>; a third connection checkpoints
/// SQLite's WAL into the database file in the background so commits never pay for it.
/// </summary>
public sealed class SqliteBackend : IBackend
{
    private readonly object _batchLock = new();
    private readonly object _checkpointLock = new();
    private readonly string _path;
    private readonly BackendOptions _options;
    private readonly SqliteConnection _writer;
    private readonly SqliteConnection _checkpointer;
    private readonly ConcurrentDictionary<string, SqliteBucket> _buckets = new(StringComparer.Ordinal);
    private readonly ConcurrentStack<SqliteReadTx> _idleReaders = new();
    private readonly SqliteBatchTx _batchTx;
    private readonly SqliteStatement _pageCount;
    private readonly SqliteStatement _freelistCount;
    private readonly ITimer _commitTimer;
    private readonly ITimer _checkpointTimer;
    private readonly string _readerConnectionString;
    private int _depth;
    private int _pending;
    private bool _indexDirty;
    private ulong _consistentIndex;
    private ulong _consistentTerm;
    private long _size;
    private long _sizeInUse;
    private int _uncheckpointedCommits;
    private volatile bool _disposed;

    public SqliteBackend(string path, BackendOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? BackendOptions.Default;
        timeProvider ??= TimeProvider.System;
        _path = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var builder = new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false, Mode = SqliteOpenMode.ReadWriteCreate };
        _readerConnectionString = builder.ToString();
        _writer = new SqliteConnection(_readerConnectionString);
        _writer.Open();
        sqlite3 db = _writer.Handle!;
        SqliteStatement.Exec(db, "PRAGMA journal_mode=WAL");
        SqliteStatement.Exec(db, "PRAGMA synchronous=NORMAL");
        SqliteStatement.Exec(db, "PRAGMA wal_autocheckpoint=0");
        SqliteStatement.Exec(db, "PRAGMA busy_timeout=10000");
        SqliteStatement.Exec(db, $"PRAGMA cache_size=-{_options.WriterCacheKiB}");
        foreach (string name in ExistingBuckets(db))
        {
            AddBucket(name, visible: true);
        }
        foreach (string name in Buckets.All)
        {
            if (!_buckets.ContainsKey(name))
            {
                SqliteStatement.Exec(db, SqliteBucket.CreateSql(name));
                AddBucket(name, visible: true);
            }
        }
        _pageCount = new SqliteStatement(db, "PRAGMA page_count");
        _freelistCount = new SqliteStatement(db, "PRAGMA freelist_count");
        using (IBackendReadTx read = ReadTx())
        {
            _consistentIndex = ReadUInt64(read.Get(Buckets.Meta, Buckets.ConsistentIndexKey));
            _consistentTerm = ReadUInt64(read.Get(Buckets.Meta, Buckets.TermKey));
        }
        UpdateSize();
        _checkpointer = new SqliteConnection(_readerConnectionString);
        _checkpointer.Open();
        SqliteStatement.Exec(_checkpointer.Handle!, "PRAGMA busy_timeout=10000");
        SqliteStatement.Exec(db, "BEGIN");
        _batchTx = new SqliteBatchTx(this);
        _commitTimer = timeProvider.CreateTimer(static s => ((SqliteBackend)s!).OnCommitTimer(), this, _options.BatchInterval, _options.BatchInterval);
        _checkpointTimer = timeProvider.CreateTimer(static s => ((SqliteBackend)s!).Checkpoint(), this, _options.CheckpointInterval, _options.CheckpointInterval);
    }

    public string FilePath => _path;

    /// <summary>Batches committed since open (tests observe batching through it).</summary>
    public long CommitCount { get; private set; }

    public long Size => Interlocked.Read(ref _size);

    public long SizeInUse => Interlocked.Read(ref _sizeInUse);

    public (ulong Index, ulong Term) ConsistentIndex
    {
        get
        {
            lock (_batchLock)
            {
                return (_consistentIndex, _consistentTerm);
            }
        }
    }

    internal WriteBuffer Buffer { get; } = new();

    internal int PendingLocked
    {
        get
        {
            EnsureHeld();
            return _pending;
        }
    }

    public IBackendReadTx ReadTx() => RentReader();

    public IBackendBatchTx BatchTx()
    {
        Monitor.Enter(_batchLock);
        if (_disposed)
        {
            Monitor.Exit(_batchLock);
            throw new ObjectDisposedException(nameof(SqliteBackend));
        }
        _depth++;
        return _batchTx;
    }

    public void SetConsistentIndex(ulong index, ulong term)
    {
        lock (_batchLock)
        {
            _consistentIndex = index;
            _consistentTerm = term;
            _indexDirty = true;
        }
    }

    public void ForceCommit()
    {
        lock (_batchLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            CommitLocked(durable: true);
        }
    }

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

    public void Dispose()
    {
        lock (_batchLock)
        {
            if (_disposed)
            {
                return;
            }
            _commitTimer.Dispose();
            _checkpointTimer.Dispose();
            CommitLocked(durable: true);
            _disposed = true;
            SqliteStatement.Exec(_writer.Handle!, "COMMIT");
        }
        lock (_checkpointLock)
        {
            _checkpointer.Dispose();
        }
        while (_idleReaders.TryPop(out SqliteReadTx? reader))
        {
            reader.Close();
        }
        foreach (SqliteBucket bucket in _buckets.Values)
        {
            bucket.Put.Dispose();
            bucket.Delete.Dispose();
        }
        _pageCount.Dispose();
        _freelistCount.Dispose();
        _writer.Dispose();
    }

    internal SqliteBucket? FindBucket(string name) => _buckets.GetValueOrDefault(name);

    internal void CreateBucketLocked(string name)
    {
        EnsureHeld();
        if (_buckets.ContainsKey(name))
        {
            return;
        }
        if (!SqliteBucket.IsValidName(name))
        {
            throw new ArgumentException($"invalid bucket name '{name}'", nameof(name));
        }
        SqliteStatement.Exec(_writer.Handle!, SqliteBucket.CreateSql(name));
        AddBucket(name, visible: false);
        _pending++;
    }

    internal void PutLocked(string bucket, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        EnsureHeld();
        SqliteStatement put = Bucket(bucket).Put;
        put.Bind(1, key);
        put.Bind(2, value);
        put.Execute();
        Buffer.Put(bucket, key, value);
        _pending++;
    }

    internal void DeleteLocked(string bucket, ReadOnlySpan<byte> key)
    {
        EnsureHeld();
        SqliteStatement delete = Bucket(bucket).Delete;
        delete.Bind(1, key);
        delete.Execute();
        Buffer.Delete(bucket, key);
        _pending++;
    }

    internal void EndBatch()
    {
        EnsureHeld();
        try
        {
            if (--_depth == 0 && _pending >= _options.BatchLimit)
            {
                CommitLocked(durable: false);
            }
        }
        finally
        {
            Monitor.Exit(_batchLock);
        }
    }

    internal void ReturnReader(SqliteReadTx reader)
    {
        if (_disposed || _idleReaders.Count >= _options.MaxIdleReaders)
        {
            reader.Close();
            return;
        }
        _idleReaders.Push(reader);
    }

    private static ulong ReadUInt64(byte[]? value) => value is { Length: 8 } ? BinaryPrimitives.ReadUInt64BigEndian(value) : 0;

    private static List<string> ExistingBuckets(sqlite3 db)
    {
        var names = new List<string>();
        using var list = new SqliteStatement(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'b\\_%' ESCAPE '\\'");
        while (list.Step())
        {
            names.Add(System.Text.Encoding.UTF8.GetString(list.Blob(0))[SqliteBucket.TablePrefix.Length..]);
        }
        list.Reset();
        return names;
    }

    private SqliteReadTx RentReader()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idleReaders.TryPop(out SqliteReadTx? reader))
        {
            return reader;
        }
        var connection = new SqliteConnection(_readerConnectionString);
        connection.Open();
        SqliteStatement.Exec(connection.Handle!, "PRAGMA busy_timeout=10000");
        SqliteStatement.Exec(connection.Handle!, "PRAGMA query_only=1");
        SqliteStatement.Exec(connection.Handle!, $"PRAGMA cache_size=-{_options.ReaderCacheKiB}");
        if (_options.ReaderMmapBytes > 0)
        {
            SqliteStatement.Exec(connection.Handle!, $"PRAGMA mmap_size={_options.ReaderMmapBytes}");
        }
        return new SqliteReadTx(this, connection);
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

    private void AddBucket(string name, bool visible)
    {
        string table = SqliteBucket.Quote(name);
        sqlite3 db = _writer.Handle!;
        var bucket = new SqliteBucket(name, new SqliteStatement(db, SqliteBucket.PutSql(table)), new SqliteStatement(db, SqliteBucket.DeleteSql(table)), visible);
        _buckets[name] = bucket;
    }

    private SqliteBucket Bucket(string name) =>
        _buckets.TryGetValue(name, out SqliteBucket? bucket) ? bucket : throw new ArgumentException($"bucket '{name}' does not exist", nameof(name));

    private void EnsureHeld()
    {
        if (!Monitor.IsEntered(_batchLock))
        {
            throw new InvalidOperationException("backend writes need the batch lock: call inside a BatchTx() scope");
        }
    }

    private void OnCommitTimer()
    {
        lock (_batchLock)
        {
            if (!_disposed && (_pending > 0 || _indexDirty))
            {
                CommitLocked(durable: false);
            }
        }
    }

    private void CommitLocked(bool durable)
    {
        sqlite3 db = _writer.Handle!;
        if (_indexDirty || durable)
        {
            // Written at commit time, so it always describes exactly the writes this commit carries.
            WriteConsistentIndex();
        }
        else if (_pending == 0)
        {
            return;
        }
        SqliteStatement.Exec(db, "COMMIT");
        if (durable)
        {
            // synchronous cannot change inside a transaction: a tiny FULL transaction fsyncs SQLite's WAL, and with it
            // every frame committed before.
            SqliteStatement.Exec(db, "PRAGMA synchronous=FULL");
            SqliteStatement.Exec(db, "BEGIN");
            WriteConsistentIndex();
            SqliteStatement.Exec(db, "COMMIT");
            SqliteStatement.Exec(db, "PRAGMA synchronous=NORMAL");
        }
        Buffer.Clear(() =>
        {
            foreach (SqliteBucket bucket in _buckets.Values)
            {
                bucket.Visible = true;
            }
        });
        _pending = 0;
        CommitCount++;
        Interlocked.Increment(ref _uncheckpointedCommits);
        UpdateSize();
        if (!_disposed)
        {
            SqliteStatement.Exec(db, "BEGIN");
        }
    }

    private void WriteConsistentIndex()
    {
        SqliteStatement put = _buckets[Buckets.Meta].Put;
        Span<byte> value = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(value, _consistentIndex);
        put.Bind(1, Buckets.ConsistentIndexKey);
        put.Bind(2, value);
        put.Execute();
        BinaryPrimitives.WriteUInt64BigEndian(value, _consistentTerm);
        put.Bind(1, Buckets.TermKey);
        put.Bind(2, value);
        put.Execute();
        _indexDirty = false;
    }

    private void UpdateSize()
    {
        _pageCount.Step();
        long pages = _pageCount.Int64(0);
        _pageCount.Reset();
        _freelistCount.Step();
        long free = _freelistCount.Int64(0);
        _freelistCount.Reset();
        long pageSize = 4096;
        Interlocked.Exchange(ref _size, pages * pageSize);
        Interlocked.Exchange(ref _sizeInUse, (pages - free) * pageSize);
    }

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
            SqliteStatement.Exec(_checkpointer.Handle!, "PRAGMA wal_checkpoint(PASSIVE)");
        }
    }
}

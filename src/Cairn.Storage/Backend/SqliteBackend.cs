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
/// SQLite's WAL into the database file in the background so commits never pay for it (writers are held back only for
/// the short final step when the WAL must be truncated). Page caches are small: values are read on demand and the
/// operating system's file cache does the rest.
/// </summary>
public sealed partial class SqliteBackend : IBackend
{
    private readonly object _batchLock = new();
    private readonly object _checkpointLock = new();
    private readonly object _indexLock = new();
    private readonly string _path;
    private readonly BackendOptions _options;
    private SqliteConnection _writer = null!;
    private SqliteConnection _checkpointer = null!;
    private readonly ConcurrentDictionary<string, SqliteBucket> _buckets = new(StringComparer.Ordinal);
    private readonly ConcurrentStack<SqliteReadTx> _idleReaders = new();
    private readonly SqliteBatchTx _batchTx;
    private SqliteStatement _pageCount = null!;
    private SqliteStatement _freelistCount = null!;
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
    private long _pageSize;
    private int _uncheckpointedCommits;
    private volatile bool _disposed;
    private volatile bool _truncateWanted;
    private int _epoch;

    public SqliteBackend(string path, BackendOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? BackendOptions.Default;
        timeProvider ??= TimeProvider.System;
        _path = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var builder = new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false, Mode = SqliteOpenMode.ReadWriteCreate };
        _readerConnectionString = builder.ToString();
        OpenDatabase();
        _batchTx = new SqliteBatchTx(this);
        _commitTimer = timeProvider.CreateTimer(static s => ((SqliteBackend)s!).OnCommitTimer(), this, _options.BatchInterval, _options.BatchInterval);
        _checkpointTimer = timeProvider.CreateTimer(static s => ((SqliteBackend)s!).Checkpoint(), this, _options.CheckpointInterval, _options.CheckpointInterval);
    }

    public string FilePath => _path;

    /// <summary>Batches committed since open (tests observe batching through it).</summary>
    public long CommitCount { get; private set; }

    /// <summary>Truncating checkpoints run since open.</summary>
    public long TruncateCount { get; private set; }

    public long Size => Interlocked.Read(ref _size);

    public long SizeInUse => Interlocked.Read(ref _sizeInUse);

    public (ulong Index, ulong Term) ConsistentIndex
    {
        get
        {
            lock (_indexLock)
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
        lock (_indexLock)
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
            CloseDatabase();
        }
    }

    /// <summary>
    /// Replaces the whole database with the file at <paramref name="dbPath"/> (a copy made by WriteSnapshotAsync,
    /// typically received from the leader), which is moved into place. The uncommitted batch is discarded: the
    /// snapshot supersedes it. Call outside any BatchTx scope; readers rented before the call finish on the old file.
    /// </summary>
    public void Restore(string dbPath)
    {
        lock (_batchLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_depth > 0)
            {
                throw new InvalidOperationException("backend restore inside a BatchTx scope");
            }
            lock (_checkpointLock)
            {
                SqliteStatement.Exec(_writer.Handle!, "ROLLBACK");
                _pending = 0;
                Interlocked.Increment(ref _epoch);
                CloseDatabase();
                File.Delete(_path + "-wal");
                File.Delete(_path + "-shm");
                File.Move(dbPath, _path, overwrite: true);
                FileSync.SyncDirectory(Path.GetDirectoryName(_path)!);
                Buffer.Clear(null);
                OpenDatabase();
            }
        }
    }

    /// <summary>Opens the writer and checkpointer connections, loads buckets and the consistent index, and begins the batch.</summary>
    private void OpenDatabase()
    {
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
        using (var pageSize = new SqliteStatement(db, "PRAGMA page_size"))
        {
            pageSize.Step();
            _pageSize = pageSize.Int64(0);
            pageSize.Reset();
        }
        _pageCount = new SqliteStatement(db, "PRAGMA page_count");
        _freelistCount = new SqliteStatement(db, "PRAGMA freelist_count");
        using (IBackendReadTx read = ReadTx())
        {
            lock (_indexLock)
            {
                _consistentIndex = ReadUInt64(read.Get(Buckets.Meta, Buckets.ConsistentIndexKey));
                _consistentTerm = ReadUInt64(read.Get(Buckets.Meta, Buckets.TermKey));
                _indexDirty = false;
            }
        }
        UpdateSize();
        _checkpointer = new SqliteConnection(_readerConnectionString);
        _checkpointer.Open();
        // Short: a truncating checkpoint waits for readers while writers are held back.
        SqliteStatement.Exec(_checkpointer.Handle!, "PRAGMA busy_timeout=200");
        SqliteStatement.Exec(db, "BEGIN");
    }

    /// <summary>Closes every connection of the current database file (rented readers close when returned).</summary>
    private void CloseDatabase()
    {
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
        _buckets.Clear();
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
        if (_disposed || reader.Epoch != Volatile.Read(ref _epoch) || _idleReaders.Count >= _options.MaxIdleReaders)
        {
            reader.Close();
            return;
        }
        if (_truncateWanted)
        {
            reader.EndSnapshot();
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
        return new SqliteReadTx(this, connection, Volatile.Read(ref _epoch));
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
            if (!_disposed && (_pending > 0 || Volatile.Read(ref _indexDirty)))
            {
                CommitLocked(durable: false);
            }
        }
    }

    private void CommitLocked(bool durable)
    {
        sqlite3 db = _writer.Handle!;
        if (Volatile.Read(ref _indexDirty) || durable)
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
        ulong index;
        ulong term;
        lock (_indexLock)
        {
            (index, term) = (_consistentIndex, _consistentTerm);
            _indexDirty = false;
        }
        SqliteStatement put = _buckets[Buckets.Meta].Put;
        Span<byte> value = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(value, index);
        put.Bind(1, Buckets.ConsistentIndexKey);
        put.Bind(2, value);
        put.Execute();
        BinaryPrimitives.WriteUInt64BigEndian(value, term);
        put.Bind(1, Buckets.TermKey);
        put.Bind(2, value);
        put.Execute();
    }

    private void UpdateSize()
    {
        _pageCount.Step();
        long pages = _pageCount.Int64(0);
        _pageCount.Reset();
        _freelistCount.Step();
        long free = _freelistCount.Int64(0);
        _freelistCount.Reset();
        Interlocked.Exchange(ref _size, pages * _pageSize);
        Interlocked.Exchange(ref _sizeInUse, (pages - free) * _pageSize);
    }
}

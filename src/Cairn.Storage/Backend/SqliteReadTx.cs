using Microsoft.Data.Sqlite;

namespace Cairn.Storage.Backend;

/// <summary>
/// A pooled reader connection with its prepared statements. Each lookup first consults the uncommitted batch
/// (<see cref="WriteBuffer"/>) and then the committed database through a read transaction that is kept open across
/// lookups (and across rentals) and restarted only when a newer commit is needed: starting a WAL read transaction
/// costs several times a lookup. Idle readers' transactions are ended before each checkpoint so they never pin the
/// SQLite WAL.
/// </summary>
internal sealed class SqliteReadTx : IBackendReadTx
{
    private const long NoSnapshot = -1;

    private readonly SqliteBackend _backend;
    private readonly Dictionary<string, Statements> _statements = new(StringComparer.Ordinal);
    private readonly SqliteStatement _begin;
    private readonly SqliteStatement _commit;
    private long _snapshotGeneration = NoSnapshot;
    private bool _pinned;

    public SqliteReadTx(SqliteBackend backend, SqliteConnection connection, int epoch)
    {
        _backend = backend;
        Connection = connection;
        Epoch = epoch;
        _begin = new SqliteStatement(connection.Handle!, "BEGIN");
        _commit = new SqliteStatement(connection.Handle!, "COMMIT");
    }

    public SqliteConnection Connection { get; }

    /// <summary>Which database file (see SqliteBackend.Restore) the connection is on.</summary>
    public int Epoch { get; }

    public byte[]? Get(string bucket, ReadOnlySpan<byte> key) =>
        TryGet(bucket, key, static v => v.ToArray(), out byte[] value) ? value : null;

    public bool TryGet<T>(string bucket, ReadOnlySpan<byte> key, ValueDecoder<T> decode, out T value)
    {
        value = default!;
        SqliteBucket? info = _backend.FindBucket(bucket);
        if (info is null)
        {
            return false;
        }
        if (_backend.Buffer.TryGet(bucket, key, out byte[]? buffered, out long generation))
        {
            if (buffered is null)
            {
                return false;
            }
            value = decode(buffered);
            return true;
        }
        if (!info.Visible)
        {
            return false;
        }
        EnsureSnapshot(generation);
        SqliteStatement get = For(info).Get;
        try
        {
            get.Bind(1, key);
            if (get.Step())
            {
                value = decode(get.Blob(0));
                return true;
            }
            return false;
        }
        finally
        {
            get.Reset();
        }
    }

    public void Range(string bucket, ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, BucketVisitor visitor)
    {
        SqliteBucket? info = _backend.FindBucket(bucket);
        if (info is null)
        {
            return;
        }
        List<KeyValuePair<byte[], byte[]?>>? pending = _backend.Buffer.Range(bucket, start, end, out long generation);
        int p = 0;
        if (info.Visible)
        {
            EnsureSnapshot(generation);
            Statements statements = For(info);
            SqliteStatement scan = end.IsEmpty ? statements.RangeFrom : statements.Range;
            try
            {
                scan.Bind(1, start);
                if (!end.IsEmpty)
                {
                    scan.Bind(2, end);
                }
                while (scan.Step())
                {
                    ReadOnlySpan<byte> key = scan.Blob(0);
                    // Batched writes before this row, then the batched version of this row if any.
                    bool replaced = false;
                    while (pending is not null && p < pending.Count)
                    {
                        int cmp = pending[p].Key.AsSpan().SequenceCompareTo(key);
                        if (cmp > 0)
                        {
                            break;
                        }
                        KeyValuePair<byte[], byte[]?> pair = pending[p++];
                        if (pair.Value is not null && !visitor(pair.Key, pair.Value))
                        {
                            return;
                        }
                        if (cmp == 0)
                        {
                            replaced = true;
                            break;
                        }
                    }
                    if (!replaced && !visitor(key, scan.Blob(1)))
                    {
                        return;
                    }
                }
            }
            finally
            {
                scan.Reset();
            }
        }
        while (pending is not null && p < pending.Count)
        {
            KeyValuePair<byte[], byte[]?> pair = pending[p++];
            if (pair.Value is not null && !visitor(pair.Key, pair.Value))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Pins a read transaction at the current commit (call under the batch lock, right after a commit) for hashing
    /// and snapshots, until <see cref="EndSnapshot"/>.
    /// </summary>
    public void BeginSnapshot()
    {
        EndSnapshot();
        long generation = _backend.Buffer.Generation;
        _begin.Execute();
        SqliteStatement.Exec(Connection.Handle!, "SELECT count(*) FROM sqlite_master");
        _snapshotGeneration = generation;
        _pinned = true;
    }

    /// <summary>Ends the open read transaction, if any, so it no longer holds back SQLite's WAL.</summary>
    public void EndSnapshot()
    {
        _pinned = false;
        if (_snapshotGeneration != NoSnapshot)
        {
            _snapshotGeneration = NoSnapshot;
            _commit.Execute();
        }
    }

    public void Dispose() => _backend.ReturnReader(this);

    /// <summary>Closes the connection for good.</summary>
    public void Close()
    {
        foreach (Statements s in _statements.Values)
        {
            s.Get.Dispose();
            s.Range.Dispose();
            s.RangeFrom.Dispose();
        }
        _statements.Clear();
        _begin.Dispose();
        _commit.Dispose();
        Connection.Dispose();
    }

    /// <summary>Makes sure the read transaction includes the commit numbered <paramref name="generation"/>.</summary>
    private void EnsureSnapshot(long generation)
    {
        if (_snapshotGeneration >= generation || _pinned)
        {
            return;
        }
        if (_snapshotGeneration != NoSnapshot)
        {
            _commit.Execute();
        }
        // Read the generation before the snapshot starts (at the next statement): it then holds every counted commit.
        _snapshotGeneration = _backend.Buffer.Generation;
        _begin.Execute();
    }

    private Statements For(SqliteBucket info)
    {
        if (!_statements.TryGetValue(info.Name, out Statements? s))
        {
            var db = Connection.Handle!;
            s = new Statements(
                new SqliteStatement(db, SqliteBucket.GetSql(info.Table)),
                new SqliteStatement(db, SqliteBucket.RangeSql(info.Table)),
                new SqliteStatement(db, SqliteBucket.RangeFromSql(info.Table)));
            _statements.Add(info.Name, s);
        }
        return s;
    }

    private sealed record Statements(SqliteStatement Get, SqliteStatement Range, SqliteStatement RangeFrom);
}

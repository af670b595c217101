using Microsoft.Data.Sqlite;

namespace Cairn.Storage.Backend;

/// <summary>
/// A pooled reader connection with its prepared statements. Each lookup first consults the uncommitted batch
/// (<see cref="WriteBuffer"/>) and then the committed database, in its own implicit read transaction.
/// </summary>
internal sealed class SqliteReadTx : IBackendReadTx
{
    private readonly SqliteBackend _backend;
    private readonly Dictionary<string, Statements> _statements = new(StringComparer.Ordinal);
    private bool _inSnapshot;

    public SqliteReadTx(SqliteBackend backend, SqliteConnection connection)
    {
        _backend = backend;
        Connection = connection;
    }

    public SqliteConnection Connection { get; }

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
        if (_backend.Buffer.TryGet(bucket, key, out byte[]? buffered))
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
        List<KeyValuePair<byte[], byte[]?>>? pending = _backend.Buffer.Range(bucket, start, end);
        int p = 0;
        if (info.Visible)
        {
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

    /// <summary>Starts a read transaction pinned at the latest commit (for hashing and snapshots).</summary>
    public void BeginSnapshot()
    {
        SqliteStatement.Exec(Connection.Handle!, "BEGIN");
        SqliteStatement.Exec(Connection.Handle!, "SELECT count(*) FROM sqlite_master");
        _inSnapshot = true;
    }

    public void EndSnapshot()
    {
        if (_inSnapshot)
        {
            _inSnapshot = false;
            SqliteStatement.Exec(Connection.Handle!, "COMMIT");
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
        Connection.Dispose();
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

using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Cairn.Storage.Backend;

/// <summary>
/// A persistent prepared statement driven through the raw SQLite API: binds spans and reads column spans without the
/// per-call objects of the ADO.NET layer. Owned by one connection, used by one thread at a time.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _stmt;

    public SqliteStatement(sqlite3 db, string sql)
    {
        _db = db;
        int rc = raw.sqlite3_prepare_v3(db, sql, raw.SQLITE_PREPARE_PERSISTENT, out _stmt);
        SqliteException.ThrowExceptionForRC(rc, db);
    }

    public void Bind(int index, ReadOnlySpan<byte> value)
    {
        // An empty span would bind NULL; a zero-length blob keeps comparisons and NOT NULL working.
        int rc = value.IsEmpty ? raw.sqlite3_bind_zeroblob(_stmt, index, 0) : raw.sqlite3_bind_blob(_stmt, index, value);
        SqliteException.ThrowExceptionForRC(rc, _db);
    }

    /// <summary>True with a row available, false when done; on error the statement is reset and the error thrown.</summary>
    public bool Step()
    {
        int rc = raw.sqlite3_step(_stmt);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }
        if (rc == raw.SQLITE_DONE)
        {
            return false;
        }
        raw.sqlite3_reset(_stmt);
        SqliteException.ThrowExceptionForRC(rc, _db);
        return false;
    }

    public ReadOnlySpan<byte> Blob(int column) => raw.sqlite3_column_blob(_stmt, column);

    public long Int64(int column) => raw.sqlite3_column_int64(_stmt, column);

    public void Reset() => raw.sqlite3_reset(_stmt);

    /// <summary>Runs a statement that returns no rows (or whose rows are ignored) and resets it.</summary>
    public void Execute()
    {
        try
        {
            while (Step())
            {
            }
        }
        finally
        {
            Reset();
        }
    }

    public void Dispose() => _stmt.Dispose();

    /// <summary>Runs one or more SQL statements without results.</summary>
    public static void Exec(sqlite3 db, string sql)
    {
        int rc = raw.sqlite3_exec(db, sql);
        SqliteException.ThrowExceptionForRC(rc, db);
    }
}

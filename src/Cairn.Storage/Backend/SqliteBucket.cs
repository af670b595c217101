using System.Text;

namespace Cairn.Storage.Backend;

/// <summary>
/// One bucket: a WITHOUT ROWID table "b_&lt;name&gt;" (k BLOB PRIMARY KEY, v BLOB), so keys are kept in memcmp
/// (bytewise) order. <see cref="Visible"/> turns true once its CREATE has committed and readers may query the table.
/// </summary>
internal sealed class SqliteBucket(string name, SqliteStatement put, SqliteStatement delete, bool visible)
{
    public const string TablePrefix = "b_";

    public string Name { get; } = name;

    public string Table { get; } = Quote(name);

    public byte[] NameBytes { get; } = Encoding.UTF8.GetBytes(name);

    /// <summary>Writer-connection statements.</summary>
    public SqliteStatement Put { get; } = put;

    public SqliteStatement Delete { get; } = delete;

    public volatile bool Visible = visible;

    public static string Quote(string name) => $"\"{TablePrefix}{name}\"";

    public static bool IsValidName(string name)
    {
        if (name.Length == 0 || name.Length > 64)
        {
            return false;
        }
        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }
        return true;
    }

    public static string CreateSql(string name) =>
        $"CREATE TABLE IF NOT EXISTS {Quote(name)} (k BLOB PRIMARY KEY NOT NULL, v BLOB NOT NULL) WITHOUT ROWID";

    public static string PutSql(string table) => $"INSERT OR REPLACE INTO {table} (k, v) VALUES (?1, ?2)";

    public static string DeleteSql(string table) => $"DELETE FROM {table} WHERE k = ?1";

    public static string GetSql(string table) => $"SELECT v FROM {table} WHERE k = ?1";

    public static string RangeSql(string table) => $"SELECT k, v FROM {table} WHERE k >= ?1 AND k < ?2 ORDER BY k";

    public static string RangeFromSql(string table) => $"SELECT k, v FROM {table} WHERE k >= ?1 ORDER BY k";
}

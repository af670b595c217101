namespace Cairn.Storage.Mvcc;

/// <summary>
/// Options of a range read. Limit &lt;= 0: no limit. Rev &lt;= 0: the txn's revision. Count: return only the count.
/// </summary>
public readonly record struct RangeOptions
{
    public long Limit { get; init; }

    public long Rev { get; init; }

    public bool Count { get; init; }
}

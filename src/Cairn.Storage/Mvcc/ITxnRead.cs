namespace Cairn.Storage.Mvcc;

/// <summary>
/// A read view pinned at <see cref="Rev"/>, the store revision when it began; writes after that are not seen.
/// <para>Range key/end: empty end reads the single key; end "\0" reads every key &gt;= key; otherwise [key, end).</para>
/// <para>Errors: a revision below the compact revision throws EtcdErrors.Compacted (reading exactly at it works); a
/// revision above <see cref="Rev"/> throws EtcdErrors.FutureRev.</para>
/// </summary>
public interface ITxnRead : IDisposable
{
    long Rev { get; }

    /// <summary>The compact revision when the txn began (-1 if the store was never compacted, as etcd's FirstRev).</summary>
    long FirstRev { get; }

    RangeResult Range(ReadOnlySpan<byte> key, ReadOnlySpan<byte> end, RangeOptions options);
}

using Cairn.Storage.Backend;

namespace Cairn.Storage.Mvcc;

/// <summary>A read view; the backend reader is rented on the first range and returned at Dispose.</summary>
internal sealed class TxnRead(MvccStore store, long rev, long firstRev) : ITxnRead
{
    private IBackendReadTx? _tx;

    public long Rev { get; } = rev;

    public long FirstRev { get; } = firstRev;

    public RangeResult Range(ReadOnlySpan<byte> key, ReadOnlySpan<byte> end, RangeOptions options) =>
        store.RangeKeys(ref _tx, key, end, Rev, options);

    public void Dispose()
    {
        _tx?.Dispose();
        _tx = null;
    }
}

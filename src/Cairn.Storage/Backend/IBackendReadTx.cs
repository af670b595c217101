namespace Cairn.Storage.Backend;

/// <summary>Decodes a stored value in place (the span is only valid during the call).</summary>
public delegate T ValueDecoder<T>(ReadOnlySpan<byte> value);

/// <summary>Visits one pair of a range scan (spans valid only during the call); return false to stop.</summary>
public delegate bool BucketVisitor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

/// <summary>
/// Reads of a backend that see committed and batched writes. One instance serves one thread at a time;
/// do not start a Range from inside another Range's visitor on the same instance.
/// </summary>
public interface IBackendReadTx : IDisposable
{
    /// <summary>The value stored at <paramref name="key"/>, or null.</summary>
    byte[]? Get(string bucket, ReadOnlySpan<byte> key);

    /// <summary>Decodes the value at <paramref name="key"/> without copying it first; false when absent.</summary>
    bool TryGet<T>(string bucket, ReadOnlySpan<byte> key, ValueDecoder<T> decode, out T value);

    /// <summary>Visits the pairs with start &lt;= key &lt; end in key order; an empty end means no upper bound.</summary>
    void Range(string bucket, ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, BucketVisitor visitor);
}

namespace Cairn.Storage.Backend;

/// <summary>
/// The writes of the current (uncommitted) batch, kept so that readers on other connections see them at once.
/// A null value is a delete. Cleared right after the batch commits, under the same lock that readers take, together
/// with a bump of <see cref="Generation"/>: a reader that misses a write here observes a generation whose commit holds
/// it, and reads the database through a snapshot at least that new.
/// </summary>
internal sealed class WriteBuffer
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Dictionary<byte[], byte[]?>> _buckets = new(StringComparer.Ordinal);
    private int _count;
    private long _generation;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Commits so far; a database snapshot started after reading it contains every commit it counts.</summary>
    public long Generation => Volatile.Read(ref _generation);

    public void Put(string bucket, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => Set(bucket, key, value.ToArray());

    public void Delete(string bucket, ReadOnlySpan<byte> key) => Set(bucket, key, null);

    /// <summary>
    /// True when the batch decides the key: <paramref name="value"/> is its value, or null if deleted. Otherwise
    /// <paramref name="generation"/> is the commit generation a database read must see at least.
    /// </summary>
    public bool TryGet(string bucket, ReadOnlySpan<byte> key, out byte[]? value, out long generation)
    {
        value = null;
        if (Volatile.Read(ref _count) == 0)
        {
            generation = Volatile.Read(ref _generation);
            return false;
        }
        lock (_gate)
        {
            generation = _generation;
            return _buckets.TryGetValue(bucket, out Dictionary<byte[], byte[]?>? pending)
                && pending.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out value);
        }
    }

    /// <summary>The batched writes with start &lt;= key &lt; end (empty end: unbounded), in key order; null when none.</summary>
    public List<KeyValuePair<byte[], byte[]?>>? Range(string bucket, ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, out long generation)
    {
        if (Volatile.Read(ref _count) == 0)
        {
            generation = Volatile.Read(ref _generation);
            return null;
        }
        List<KeyValuePair<byte[], byte[]?>>? found = null;
        lock (_gate)
        {
            generation = _generation;
            if (!_buckets.TryGetValue(bucket, out Dictionary<byte[], byte[]?>? pending))
            {
                return null;
            }
            foreach (KeyValuePair<byte[], byte[]?> pair in pending)
            {
                ReadOnlySpan<byte> k = pair.Key;
                if (k.SequenceCompareTo(start) >= 0 && (end.IsEmpty || k.SequenceCompareTo(end) < 0))
                {
                    (found ??= []).Add(pair);
                }
            }
        }
        found?.Sort(static (a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
        return found;
    }

    /// <summary>Drops the batch after its commit; <paramref name="afterCommit"/> runs inside the readers' lock.</summary>
    public void Clear(Action? afterCommit)
    {
        lock (_gate)
        {
            afterCommit?.Invoke();
            Volatile.Write(ref _generation, _generation + 1);
            foreach (Dictionary<byte[], byte[]?> pending in _buckets.Values)
            {
                if (pending.Count > 4 * 16_384)
                {
                    pending.Clear();
                    pending.TrimExcess();
                }
                else
                {
                    pending.Clear();
                }
            }
            Volatile.Write(ref _count, 0);
        }
    }

    private void Set(string bucket, ReadOnlySpan<byte> key, byte[]? value)
    {
        byte[] k = key.ToArray();
        lock (_gate)
        {
            if (!_buckets.TryGetValue(bucket, out Dictionary<byte[], byte[]?>? pending))
            {
                pending = new Dictionary<byte[], byte[]?>(ByteArrayComparer.Instance);
                _buckets.Add(bucket, pending);
            }
            pending[k] = value;
            Volatile.Write(ref _count, _count + 1);
        }
    }
}

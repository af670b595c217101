using System.Buffers.Binary;
using Cairn.Api.Errors;
using Cairn.Api.Mvccpb;
using Cairn.Storage.Backend;
using Google.Protobuf;

namespace Cairn.Storage.Mvcc;

/// <summary>
/// Multi-version KV over an <see cref="IBackend"/>, modelled on etcd's mvcc store.
/// <para>Every change is stored in the "key" bucket under its revision (see <see cref="Revision"/>) with the serialized
/// mvccpb.KeyValue as value; tombstones store the key only. An in-memory <see cref="KeyIndex"/> maps each key to its
/// revisions; it is rebuilt from the backend on open, together with the current and compact revisions.</para>
/// <para>Reads (<see cref="Read"/>) are concurrent and see the store as of the revision they began at; one write txn
/// (<see cref="Write"/>) at a time runs under the backend's batch scope. <see cref="Compact"/> moves the compact
/// revision at once and removes superseded revisions from the index and the backend in the background.</para>
/// </summary>
public sealed partial class MvccStore : IDisposable
{
    private static readonly ValueDecoder<KeyValue> ParseKeyValue = static v => KeyValue.Parser.ParseFrom(v);

    private readonly IBackend _backend;
    private readonly MvccOptions _options;
    private readonly object _revLock = new();
    private long _currentRev;
    private long _compactRev;
    private TxnWrite? _activeWrite;
    private byte[] _valueBuffer = new byte[1024];
    private volatile bool _disposed;

    public MvccStore(IBackend backend, MvccOptions? options = null)
    {
        _backend = backend;
        _options = options ?? MvccOptions.Default;
        Load();
    }

    /// <summary>The revision of the last write txn that changed something; 1 for an empty store (etcd's currentRev).</summary>
    public long CurrentRevision
    {
        get
        {
            lock (_revLock)
            {
                return _currentRev;
            }
        }
    }

    /// <summary>The revision reads must not go below (reading exactly at it works); -1 until the first compaction.</summary>
    public long CompactRevision
    {
        get
        {
            lock (_revLock)
            {
                return _compactRev;
            }
        }
    }

    /// <summary>Receives each changing write txn's events (the watch layer). Set before writes start.</summary>
    public IMvccObserver? Observer { get; set; }

    /// <summary>Told about lease attach/detach as keys are put and deleted (the lessor). Set before writes start.</summary>
    public IKeyLeaseHook? LeaseHook { get; set; }

    /// <summary>Keys in the index, including deleted keys whose history is not yet compacted.</summary>
    public int IndexedKeys => Index.Count;

    internal KeyIndex Index { get; private set; } = new();

    public ITxnRead Read()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_revLock)
        {
            return new TxnRead(this, _currentRev, _compactRev);
        }
    }

    /// <summary>Begins the write txn; blocks while another thread's write txn (or backend batch scope) is open.</summary>
    public ITxnWrite Write()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        IBackendBatchTx batch = _backend.BatchTx();
        if (_activeWrite is not null)
        {
            batch.Dispose();
            throw new InvalidOperationException("mvcc: a write txn is already open on this thread");
        }
        long begin;
        long first;
        lock (_revLock)
        {
            begin = _currentRev;
            first = _compactRev;
        }
        _activeWrite = new TxnWrite(this, batch, begin, first);
        return _activeWrite;
    }

    /// <summary>
    /// etcd's HashKV: CRC-32C over "key" then every stored revision up to <paramref name="rev"/> (0: current), leaving
    /// out revisions at or below the compact revision that a compaction at <paramref name="rev"/> would not keep, so
    /// the hash does not depend on how far physical compaction has got.
    /// </summary>
    public (uint Hash, long Revision, long CompactRevision) HashByRev(long rev)
    {
        long compactRev;
        long currentRev;
        lock (_revLock)
        {
            compactRev = _compactRev;
            currentRev = _currentRev;
        }
        if (rev > 0 && rev <= compactRev)
        {
            throw EtcdErrors.Compacted.ToException();
        }
        if (rev > 0 && rev > currentRev)
        {
            throw EtcdErrors.FutureRev.ToException();
        }
        if (rev == 0)
        {
            rev = currentRev;
        }
        HashSet<Revision> keep = Index.Keep(rev, compactRev, out bool anyLive);
        uint crc = Crc32C.Update(0, "key"u8);
        using (IBackendReadTx read = _backend.ReadTx())
        {
            read.Range(Buckets.Key, [], new Revision(rev + 1, 0).ToKey(), (k, v) =>
            {
                Revision kr = Revision.FromKey(k);
                if (kr.Main <= compactRev && anyLive && !keep.Contains(kr))
                {
                    return true;
                }
                crc = Crc32C.Update(crc, k);
                crc = Crc32C.Update(crc, v);
                return true;
            });
        }
        return (crc, currentRev, compactRev);
    }

    /// <summary>
    /// The stored events with <paramref name="fromRev"/> &lt;= revision &lt; <paramref name="toRev"/>, in revision
    /// order, stopping after the revision in which the count reaches <paramref name="limit"/> (never mid-revision).
    /// Throws EtcdErrors.Compacted when <paramref name="fromRev"/> is below the compact revision (for watchers catching up).
    /// </summary>
    public IReadOnlyList<Event> RangeEvents(long fromRev, long toRev, int limit)
    {
        if (fromRev < CompactRevision)
        {
            throw EtcdErrors.Compacted.ToException();
        }
        var events = new List<Event>();
        if (fromRev >= toRev)
        {
            return events;
        }
        long lastMain = 0;
        using IBackendReadTx read = _backend.ReadTx();
        read.Range(Buckets.Key, new Revision(fromRev, 0).ToKey(), new Revision(toRev, 0).ToKey(), (k, v) =>
        {
            Revision kr = Revision.FromKey(k);
            if (events.Count >= limit && kr.Main != lastMain)
            {
                return false;
            }
            KeyValue kv = KeyValue.Parser.ParseFrom(v);
            bool tombstone = Revision.IsTombstoneKey(k);
            if (tombstone)
            {
                kv.ModRevision = kr.Main;
            }
            events.Add(new Event { Type = tombstone ? Event.Types.EventType.Delete : Event.Types.EventType.Put, Kv = kv });
            lastMain = kr.Main;
            return true;
        });
        return events;
    }

    /// <summary>Every live key that carries a lease, with its lease (to re-attach keys to leases after a restart).</summary>
    public void ForEachLeasedKey(Action<byte[], long> action) => Index.ForEachLeased(action);

    public void Dispose() => _disposed = true;

    internal RangeResult RangeKeys(ref IBackendReadTx? tx, ReadOnlySpan<byte> key, ReadOnlySpan<byte> end, long curRev, RangeOptions options)
    {
        long rev = options.Rev;
        if (rev > curRev)
        {
            throw EtcdErrors.FutureRev.ToException();
        }
        if (rev <= 0)
        {
            rev = curRev;
        }
        if (rev < CompactRevision)
        {
            throw EtcdErrors.Compacted.ToException();
        }
        int limit = options.Limit <= 0 || options.Limit > int.MaxValue ? int.MaxValue : (int)options.Limit;
        List<Revision>? revisions = options.Count ? null : new List<Revision>(Math.Min(limit, 64));
        long count = Index.Range(key, end, rev, limit, revisions);
        // A compaction that began during the index walk may have dropped what this read needed.
        if (rev < CompactRevision)
        {
            throw EtcdErrors.Compacted.ToException();
        }
        if (revisions is null || revisions.Count == 0)
        {
            return new RangeResult([], curRev, count);
        }
        tx ??= _backend.ReadTx();
        var kvs = new KeyValue[revisions.Count];
        Span<byte> revKey = stackalloc byte[Revision.KeyBytes];
        for (int i = 0; i < kvs.Length; i++)
        {
            revisions[i].WriteKey(revKey);
            if (!tx.TryGet(Buckets.Key, revKey, ParseKeyValue, out KeyValue kv))
            {
                if (rev < CompactRevision)
                {
                    throw EtcdErrors.Compacted.ToException();
                }
                throw new InvalidOperationException($"mvcc: revision {revisions[i]} is indexed but missing from the backend");
            }
            kvs[i] = kv;
        }
        return new RangeResult(kvs, curRev, count);
    }

    internal void WriteRevision(IBackendBatchTx batch, Revision revision, bool tombstone, KeyValue kv)
    {
        int size = kv.CalculateSize();
        if (_valueBuffer.Length < size)
        {
            _valueBuffer = new byte[Math.Max(size, _valueBuffer.Length * 2)];
        }
        Span<byte> value = _valueBuffer.AsSpan(0, size);
        kv.WriteTo(value);
        Span<byte> revKey = stackalloc byte[Revision.TombstoneKeyBytes];
        int length = revision.WriteKey(revKey, tombstone);
        batch.Put(Buckets.Key, revKey[..length], value);
        if (_valueBuffer.Length > 1 << 20)
        {
            _valueBuffer = new byte[1024];
        }
    }

    /// <summary>Makes a write txn's revision current, then hands its events to the observer (still in the batch scope).</summary>
    internal void Publish(long revision, List<KeyValue> changes)
    {
        lock (_revLock)
        {
            _currentRev = revision;
        }
        IMvccObserver? observer = Observer;
        if (observer is null)
        {
            return;
        }
        var events = new Event[changes.Count];
        for (int i = 0; i < events.Length; i++)
        {
            KeyValue kv = changes[i];
            events[i] = new Event { Type = kv.CreateRevision == 0 ? Event.Types.EventType.Delete : Event.Types.EventType.Put, Kv = kv };
        }
        observer.OnCommit(revision, events);
    }

    internal void EndWrite(TxnWrite txn)
    {
        if (ReferenceEquals(_activeWrite, txn))
        {
            _activeWrite = null;
        }
    }

    /// <summary>A stored compact revision, or -1 (etcd's "never compacted") when there is none.</summary>
    private static long ReadRevision(byte[]? value) => value is { Length: >= 8 } ? BinaryPrimitives.ReadInt64BigEndian(value) : -1;

    private static byte[] RevisionValue(long rev)
    {
        byte[] value = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(value, rev);
        return value;
    }

    /// <summary>
    /// Rebuilds the index and revisions from the backend after IBackend.Restore replaced its content (a snapshot from
    /// the leader). Waits for the current write txn; reads that began before see the old state or fail as compacted.
    /// </summary>
    public void Restore()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using IBackendBatchTx batch = _backend.BatchTx();
        if (_activeWrite is not null)
        {
            throw new InvalidOperationException("mvcc: restore inside a write txn");
        }
        Load();
    }

    /// <summary>Builds the key index and revisions from the backend; resumes an interrupted compaction.</summary>
    private void Load()
    {
        var index = new KeyIndex();
        long finished;
        long scheduled;
        long maxMain = 0;
        using (IBackendReadTx read = _backend.ReadTx())
        {
            finished = ReadRevision(read.Get(Buckets.Meta, FinishedCompactKey));
            scheduled = ReadRevision(read.Get(Buckets.Meta, ScheduledCompactKey));
            read.Range(Buckets.Key, [], [], (k, v) =>
            {
                Revision rev = Revision.FromKey(k);
                if (!KeyValueFields.TryRead(v, out ReadOnlySpan<byte> key, out long created, out long version, out long lease) || key.IsEmpty)
                {
                    throw new InvalidDataException($"mvcc: undecodable value at revision {rev}");
                }
                index.Restore(key, rev.Main, rev.Sub, Revision.IsTombstoneKey(k), created, version, lease);
                maxMain = rev.Main;
                return true;
            });
        }
        lock (_revLock)
        {
            Index = index;
            _compactRev = Math.Max(finished, scheduled);
            // Revisions up to the compact revision may all have been compacted away. An empty store is at revision 1,
            // as etcd's: the first write gets revision 2.
            _currentRev = Math.Max(1, Math.Max(maxMain, _compactRev));
        }
        if (scheduled > finished)
        {
            _ = ScheduleCompaction(scheduled);
        }
    }
}

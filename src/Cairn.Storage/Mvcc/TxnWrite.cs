using Cairn.Api.Mvccpb;
using Cairn.Storage.Backend;
using Google.Protobuf;

namespace Cairn.Storage.Mvcc;

/// <summary>
/// The write txn (see <see cref="ITxnWrite"/>): holds the backend batch scope from creation to End, so its writes and
/// the consistent index the caller sets in the same scope commit together and no other writer interleaves.
/// </summary>
internal sealed class TxnWrite : ITxnWrite
{
    private readonly MvccStore _store;
    private readonly IBackendBatchTx _batch;
    private readonly List<KeyValue> _changes = new(4);
    private IBackendReadTx? _read;
    private bool _ended;

    public TxnWrite(MvccStore store, IBackendBatchTx batch, long beginRev, long firstRev)
    {
        _store = store;
        _batch = batch;
        Rev = beginRev;
        FirstRev = firstRev;
    }

    public long Rev { get; }

    public long FirstRev { get; }

    public IReadOnlyList<KeyValue> Changes => _changes;

    private long ReadRev => _changes.Count > 0 ? Rev + 1 : Rev;

    public RangeResult Range(ReadOnlySpan<byte> key, ReadOnlySpan<byte> end, RangeOptions options)
    {
        EnsureOpen();
        return _store.RangeKeys(ref _read, key, end, ReadRev, options);
    }

    public long Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long lease) =>
        Put(ByteString.CopyFrom(key), ByteString.CopyFrom(value), lease);

    public long Put(ByteString key, ByteString value, long lease)
    {
        EnsureOpen();
        if (key.IsEmpty)
        {
            throw new ArgumentException("mvcc: empty key", nameof(key));
        }
        long rev = Rev + 1;
        int sub = _changes.Count;
        PutOutcome outcome = _store.Index.Put(key.Span, rev, sub, lease);
        var kv = new KeyValue
        {
            Key = key,
            Value = value,
            CreateRevision = outcome.Created,
            ModRevision = rev,
            Version = outcome.Version,
            Lease = lease,
        };
        _store.WriteRevision(_batch, new Revision(rev, sub), tombstone: false, kv);
        _changes.Add(kv);
        IKeyLeaseHook? hook = _store.LeaseHook;
        if (hook is not null)
        {
            if (outcome.PreviousLease != 0)
            {
                hook.Detach(outcome.PreviousLease, key.Span);
            }
            if (lease != 0)
            {
                hook.Attach(lease, key.Span);
            }
        }
        return rev;
    }

    public (long Deleted, long Rev) DeleteRange(ReadOnlySpan<byte> key, ReadOnlySpan<byte> end)
    {
        EnsureOpen();
        List<byte[]> keys = _store.Index.LiveKeys(key, end, ReadRev);
        foreach (byte[] k in keys)
        {
            Delete(k);
        }
        return keys.Count != 0 || _changes.Count > 0 ? (keys.Count, Rev + 1) : (0, Rev);
    }

    public void End()
    {
        if (_ended)
        {
            return;
        }
        _ended = true;
        try
        {
            _read?.Dispose();
            _read = null;
            if (_changes.Count > 0)
            {
                _store.Publish(Rev + 1, _changes);
            }
        }
        finally
        {
            _store.EndWrite(this);
            _batch.Dispose();
        }
    }

    public void Dispose() => End();

    private void Delete(byte[] key)
    {
        long rev = Rev + 1;
        int sub = _changes.Count;
        if (!_store.Index.Tombstone(key, rev, sub, out long previousLease))
        {
            throw new InvalidOperationException("mvcc: a key found live could not be tombstoned");
        }
        // Stored as etcd stores tombstones (key only); the change and its event also carry the delete's revision.
        var kv = new KeyValue { Key = UnsafeByteOperations.UnsafeWrap(key) };
        _store.WriteRevision(_batch, new Revision(rev, sub), tombstone: true, kv);
        kv.ModRevision = rev;
        _changes.Add(kv);
        if (previousLease != 0)
        {
            _store.LeaseHook?.Detach(previousLease, key);
        }
    }

    private void EnsureOpen()
    {
        if (_ended)
        {
            throw new InvalidOperationException("mvcc: write txn already ended");
        }
    }
}

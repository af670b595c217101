using Cairn.Api.Mvccpb;

namespace Cairn.Storage.Mvcc;

/// <summary>
/// A range read: the first Limit key-values in key order; <see cref="Rev"/> is the revision of the txn that read
/// (its current revision, as etcd reports it), and <see cref="Count"/> is the number of keys in the range at the
/// revision read, regardless of Limit.
/// </summary>
public sealed record RangeResult(IReadOnlyList<KeyValue> Kvs, long Rev, long Count);

namespace Cairn.Storage.Mvcc;

/// <summary>
/// Keeps a lessor's key sets in step with MVCC, called inside the write txn as etcd's mvcc calls Attach/Detach:
/// a put detaches the key from its previous lease (if any) and attaches it to the new one; a delete detaches it.
/// </summary>
public interface IKeyLeaseHook
{
    void Attach(long leaseId, ReadOnlySpan<byte> key);

    void Detach(long leaseId, ReadOnlySpan<byte> key);
}

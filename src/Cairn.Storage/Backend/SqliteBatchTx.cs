namespace Cairn.Storage.Backend;

/// <summary>The backend's single batch scope object; valid while the owning thread holds the batch lock.</summary>
internal sealed class SqliteBatchTx(SqliteBackend backend) : IBackendBatchTx
{
    public int Pending => backend.PendingLocked;

    public void CreateBucket(string bucket) => backend.CreateBucketLocked(bucket);

    public void Put(string bucket, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => backend.PutLocked(bucket, key, value);

    public void Delete(string bucket, ReadOnlySpan<byte> key) => backend.DeleteLocked(bucket, key);

    public void Dispose() => backend.EndBatch();
}

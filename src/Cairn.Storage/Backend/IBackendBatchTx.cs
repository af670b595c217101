namespace Cairn.Storage.Backend;

/// <summary>
/// The writer's scope over the batch: holds the batch lock until disposed, so no commit lands in the middle of it.
/// Scopes nest on one thread. Reads go through <see cref="IBackend.ReadTx"/>, which sees these writes at once.
/// </summary>
public interface IBackendBatchTx : IDisposable
{
    /// <summary>Creates the bucket if it does not exist (the well-known buckets always exist).</summary>
    void CreateBucket(string bucket);

    void Put(string bucket, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    void Delete(string bucket, ReadOnlySpan<byte> key);

    /// <summary>Operations buffered since the last commit.</summary>
    int Pending { get; }
}

using Cairn.Api.Mvccpb;
using Google.Protobuf;

namespace Cairn.Storage.Mvcc;

/// <summary>
/// The single write txn. All its changes share main revision <c>Rev + 1</c> with sub revisions 0, 1, 2...; its reads
/// see its own writes. <see cref="End"/> (or Dispose) publishes the revision (if anything changed), notifies the
/// observer, and releases the backend batch; a txn that changed nothing does not advance the revision.
/// </summary>
public interface ITxnWrite : ITxnRead
{
    /// <summary>Puts a value; returns the txn's new revision. Keeps create_revision of a live key and bumps version.</summary>
    long Put(ByteString key, ByteString value, long lease);

    long Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long lease);

    /// <summary>Deletes the live keys of the range (same key/end rules as Range); returns how many, and the revision.</summary>
    (long Deleted, long Rev) DeleteRange(ReadOnlySpan<byte> key, ReadOnlySpan<byte> end);

    /// <summary>The key-values written so far; a delete appears with only Key and ModRevision set.</summary>
    IReadOnlyList<KeyValue> Changes { get; }

    void End();
}

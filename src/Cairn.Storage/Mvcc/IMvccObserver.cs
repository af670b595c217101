using Cairn.Api.Mvccpb;

namespace Cairn.Storage.Mvcc;

/// <summary>
/// Receives each write txn's events as one batch, in revision order, on the writer's thread, after
/// <see cref="MvccStore.CurrentRevision"/> has become <paramref name="revision"/> and before the next write txn starts.
/// Must not call back into a write txn.
/// </summary>
public interface IMvccObserver
{
    void OnCommit(long revision, IReadOnlyList<Event> events);
}

using Cairn.Raft;
using Cairn.Raft.Raftpb;

namespace Cairn.Server.Peer;

/// <summary>What the peer transport hands to the raft node. Implementations queue onto the raft loop; none of
/// these may block.</summary>
internal interface IPeerHandler
{
    ulong MemberId { get; }

    ulong ClusterId { get; }

    /// <summary>Whether <paramref name="id"/> was removed from the cluster (its traffic is refused).</summary>
    bool IsRemoved(ulong id);

    /// <summary>A message from a peer, to be stepped into raft.</summary>
    void Deliver(Message message);

    /// <summary>A snapshot message whose backend data has been received into <paramref name="dbPath"/>.</summary>
    void DeliverSnapshot(Message message, string dbPath);

    /// <summary>Where a received snapshot's backend data goes before it is installed.</summary>
    string NewSnapshotPath();

    /// <summary>Opens a consistent copy of the backend to stream to a follower.</summary>
    Task WriteBackendSnapshotAsync(Stream destination, CancellationToken ct);

    void ReportUnreachable(ulong peerId);

    void ReportSnapshot(ulong peerId, SnapshotStatus status);
}

using Cairn.Raft;
using Cairn.Raft.Raftpb;

namespace Cairn.Server.Raft;

/// <summary>Everything that reaches the raft loop goes through one queue as one of these, so the loop is the only
/// thread that touches the RawNode.</summary>
internal abstract record RaftEvent
{
    public sealed record Tick : RaftEvent
    {
        public static readonly Tick Instance = new();
    }

    public sealed record Propose(ulong Id, byte[] Data) : RaftEvent;

    public sealed record ProposeConfChange(ConfChange Change) : RaftEvent;

    public sealed record Step(Message Message) : RaftEvent;

    public sealed record SnapshotReceived(Message Message, string DbPath) : RaftEvent;

    public sealed record Unreachable(ulong PeerId) : RaftEvent;

    public sealed record SnapshotReport(ulong PeerId, SnapshotStatus Status) : RaftEvent;

    public sealed record TransferLeader(ulong Transferee) : RaftEvent;

    public sealed record ReadIndex(TaskCompletionSource<ulong> Waiter) : RaftEvent;

    public sealed record Campaign : RaftEvent;

    public sealed record QueryStatus(TaskCompletionSource<Status> Waiter) : RaftEvent;
}

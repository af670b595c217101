using Cairn.Raft.Raftpb;

namespace Cairn.Storage.Wal;

/// <summary>
/// What <see cref="Wal.ReadAll"/> recovered: the metadata written at Create, the last HardState (empty when none was
/// saved), and the entries after the start snapshot's index, with later writes at an index replacing earlier ones.
/// </summary>
public sealed record WalReadResult(byte[] Metadata, HardState HardState, IReadOnlyList<Entry> Entries)
{
    /// <summary>Index of the last entry, or the start snapshot's index when there are none.</summary>
    public ulong LastIndex { get; init; }
}

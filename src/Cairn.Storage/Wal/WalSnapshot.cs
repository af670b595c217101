using Cairn.Raft.Raftpb;

namespace Cairn.Storage.Wal;

/// <summary>
/// The WAL's snapshot marker: the raft index and term a snapshot covers (and its membership). Open(dir, start) reads
/// the log from the record that matches <c>start</c>; the zero value is the marker Create writes.
/// </summary>
public readonly record struct WalSnapshot(ulong Index, ulong Term, ConfState? ConfState = null);

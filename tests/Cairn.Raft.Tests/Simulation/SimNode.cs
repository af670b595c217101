using System.Buffers.Binary;
using Cairn.Raft.Raftpb;
using Google.Protobuf;

namespace Cairn.Raft.Tests.Simulation;

/// <summary>
/// One simulated member: what survives a crash (its storage: persisted snapshot, entries and HardState) and what
/// does not (the running <see cref="RawNode"/> and the applied state machine, rebuilt from the snapshot on restart).
/// The state machine is a chain hash over the applied entries, so two states are equal exactly when the same
/// entries were applied in the same order.
/// </summary>
internal sealed class SimNode(ulong id)
{
    public ulong Id { get; } = id;

    /// <summary>The persisted state. Replaced by a fresh copy of its persisted contents on every restart.</summary>
    public MemoryStorage Storage { get; private set; } = new();

    /// <summary>The running node, or null while crashed.</summary>
    public RawNode? Node { get; private set; }

    public bool Up => Node is not null;

    /// <summary>Removed from the cluster: shut down for good (as etcd stops a removed member).</summary>
    public bool Removed { get; set; }

    /// <summary>Bumped on every restart: a snapshot report goes only to the incarnation that sent it.</summary>
    public int Incarnation { get; private set; }

    public ulong AppliedIndex { get; private set; }

    public ulong StateChain { get; private set; }

    /// <summary>The configuration as of the applied index.</summary>
    public ConfState ConfState { get; private set; } = new();

    public Raft Raft => Node!.Raft;

    public void Crash() => Node = null;

    /// <summary>
    /// Starts (or restarts) the node from its persisted state only. A node with nothing persisted bootstraps the
    /// initial cluster again, as etcd does for a member without a WAL.
    /// </summary>
    public void Start(Func<MemoryStorage, ulong, RawNode> create, IReadOnlyList<Peer> initialPeers, bool forgetHardState)
    {
        var fresh = new MemoryStorage();
        Storage.Snapshot(out var snapshot);
        ulong snapIndex = snapshot.Metadata?.Index ?? 0;
        if (snapIndex > 0)
        {
            fresh.ApplySnapshot(snapshot);
        }

        fresh.Append(PersistedLog());
        var (hardState, _) = Storage.InitialState();
        // The fault injected to test the checkers forgets the term and vote (keeping the commit index, which the
        // core validates against its log): the node may then vote twice in one term.
        fresh.SetHardState(forgetHardState ? new HardState { Commit = hardState.Commit } : hardState);

        Storage = fresh;
        (AppliedIndex, StateChain) = snapIndex > 0 ? DecodeState(snapshot.Data) : (0UL, 0UL);
        ConfState = snapIndex > 0 ? snapshot.Metadata!.ConfState.Clone() : new ConfState();
        Incarnation++;
        Node = create(Storage, AppliedIndex);
        if (snapIndex == 0 && Storage.LastIndex() == 0)
        {
            Node.Bootstrap(initialPeers);
        }
    }

    /// <summary>The persisted entries after the snapshot.</summary>
    public IReadOnlyList<Entry> PersistedLog()
    {
        ulong first = Storage.FirstIndex();
        ulong last = Storage.LastIndex();
        if (last < first)
        {
            return [];
        }

        var err = Storage.Entries(first, last + 1, ulong.MaxValue, out var entries);
        return err == RaftError.None ? entries : throw new InvalidOperationException($"reading persisted log: {err}");
    }

    /// <summary>Applies one committed entry to the state machine and returns the new chain hash.</summary>
    public ulong Apply(Entry entry)
    {
        if (entry.Index != AppliedIndex + 1)
        {
            throw new SimulationFailure("state machine safety", $"node {Id} applied index {entry.Index} after {AppliedIndex}");
        }

        var hash = new TraceHash();
        hash.Add(StateChain);
        hash.Add(entry.Index);
        hash.Add(entry.Term);
        hash.Add((ulong)entry.Type);
        hash.Add(entry.Data.Span);
        StateChain = hash.Value;
        AppliedIndex = entry.Index;
        return StateChain;
    }

    public void SetConfState(ConfState cs) => ConfState = cs;

    /// <summary>Installs a snapshot's state (its index and chain hash).</summary>
    public void Install(Snapshot snapshot)
    {
        (AppliedIndex, StateChain) = DecodeState(snapshot.Data);
        ConfState = snapshot.Metadata.ConfState.Clone();
    }

    public static ByteString EncodeState(ulong index, ulong chain)
    {
        var buf = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(buf, index);
        BinaryPrimitives.WriteUInt64LittleEndian(buf.AsSpan(8), chain);
        return ByteString.CopyFrom(buf);
    }

    public static (ulong Index, ulong Chain) DecodeState(ByteString data) =>
        (BinaryPrimitives.ReadUInt64LittleEndian(data.Span), BinaryPrimitives.ReadUInt64LittleEndian(data.Span[8..]));

    /// <summary>True when <paramref name="cs"/> lists this node in any role.</summary>
    public bool MemberOf(ConfState cs) =>
        cs.Voters.Contains(Id) || cs.Learners.Contains(Id) || cs.VotersOutgoing.Contains(Id) || cs.LearnersNext.Contains(Id);
}

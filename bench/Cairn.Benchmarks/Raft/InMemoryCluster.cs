using Cairn.Raft;
using Cairn.Raft.Raftpb;
using Google.Protobuf;

namespace Cairn.Benchmarks.Raft;

/// <summary>
/// A cluster of <see cref="RawNode"/>s wired together in memory: messages go straight from one node's Ready to
/// another node's Step (no serialization, no loss), storage is <see cref="MemoryStorage"/>, and every Ready is
/// handled in contract order (persist, send, apply, advance). Logs are compacted as they grow so that long
/// benchmark runs measure a steady state.
/// </summary>
public sealed class InMemoryCluster
{
    private const ulong CompactEvery = 4096;

    private readonly RawNode[] _nodes;
    private readonly MemoryStorage[] _storages;
    private readonly ulong[] _applied;
    private readonly ulong[] _snapshotIndex;
    private readonly ConfState[] _confStates;
    private readonly Queue<Message> _mailbox = new();

    public InMemoryCluster(int size)
    {
        _nodes = new RawNode[size];
        _storages = new MemoryStorage[size];
        _applied = new ulong[size];
        _snapshotIndex = new ulong[size];
        _confStates = new ConfState[size];
        var peers = Enumerable.Range(1, size).Select(i => new Peer((ulong)i)).ToList();
        for (int i = 0; i < size; i++)
        {
            _storages[i] = new MemoryStorage();
            _confStates[i] = new ConfState();
            _nodes[i] = new RawNode(new Config
            {
                Id = (ulong)i + 1,
                ElectionTick = 10,
                HeartbeatTick = 1,
                Storage = _storages[i],
                MaxSizePerMsg = 1024 * 1024,
                MaxInflightMsgs = 256,
                Seed = i + 1,
            });
            _nodes[i].Bootstrap(peers);
        }

        Pump();
        _nodes[0].Campaign();
        Pump();
        if (_nodes[0].BasicStatus().SoftState.RaftState != StateType.Leader)
        {
            throw new InvalidOperationException("node 1 did not become leader");
        }
    }

    /// <summary>Total entries applied by the leader so far.</summary>
    public ulong LeaderApplied => _applied[0];

    /// <summary>Proposes <paramref name="data"/> through the leader (node 1).</summary>
    public void Propose(ByteString data)
    {
        var err = _nodes[0].Propose(data);
        if (err != RaftError.None)
        {
            throw new InvalidOperationException($"proposal failed: {err}");
        }
    }

    /// <summary>Delivers messages and handles Readies until the cluster is quiet.</summary>
    public void Pump()
    {
        bool busy = true;
        while (busy)
        {
            busy = false;
            for (int i = 0; i < _nodes.Length; i++)
            {
                if (_nodes[i].HasReady())
                {
                    HandleReady(i);
                    busy = true;
                }
            }

            while (_mailbox.TryDequeue(out var m))
            {
                _nodes[(int)m.To - 1].Step(m);
                busy = true;
            }
        }
    }

    private void HandleReady(int i)
    {
        var node = _nodes[i];
        var storage = _storages[i];
        var rd = node.Ready();
        if (rd.Snapshot is { Metadata.Index: > 0 } snap)
        {
            storage.ApplySnapshot(snap);
            _applied[i] = snap.Metadata.Index;
            _confStates[i] = snap.Metadata.ConfState;
        }

        storage.Append(rd.Entries);
        if (rd.HardState is not null)
        {
            storage.SetHardState(rd.HardState);
        }

        foreach (var m in rd.Messages)
        {
            _mailbox.Enqueue(m);
        }

        foreach (var e in rd.CommittedEntries)
        {
            if (e.Type == EntryType.EntryConfChange)
            {
                _confStates[i] = node.ApplyConfChange(ConfChange.Parser.ParseFrom(e.Data));
            }

            _applied[i] = e.Index;
        }

        node.Advance(rd);
        if (_applied[i] >= _snapshotIndex[i] + CompactEvery)
        {
            storage.CreateSnapshot(_applied[i], _confStates[i], ByteString.Empty, out _);
            storage.Compact(_applied[i]);
            _snapshotIndex[i] = _applied[i];
        }
    }
}

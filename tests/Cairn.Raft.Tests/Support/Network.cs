using Cairn.Raft.Raftpb;

namespace Cairn.Raft.Tests.Support;

/// <summary>Something messages can be delivered to: a Raft node or a black hole.</summary>
internal interface IStateMachine
{
    RaftError Step(Message m);

    List<Message> ReadMessages();
}

internal sealed class RaftPeer(Raft raft) : IStateMachine
{
    public Raft Raft { get; } = raft;

    public RaftError Step(Message m) => Raft.Step(m);

    public List<Message> ReadMessages() => Raft.TakeMessages();
}

/// <summary>A peer that swallows everything (a crashed or partitioned node).</summary>
internal sealed class BlackHole : IStateMachine
{
    public RaftError Step(Message m) => RaftError.None;

    public List<Message> ReadMessages() => [];
}

/// <summary>
/// A synchronous in-memory network of Raft nodes (etcd-io/raft's test network): <see cref="Send"/> delivers
/// messages breadth-first until none are left, applying drop rates, cuts and ignored message types.
/// </summary>
internal sealed class Network
{
    private readonly Dictionary<(ulong From, ulong To), double> _drop = [];
    private readonly HashSet<MessageType> _ignore = [];
    private readonly Random _random = new(1);

    /// <summary>Peers by ID; null entries in the constructor become fresh nodes of the full membership.</summary>
    public SortedDictionary<ulong, IStateMachine> Peers { get; } = [];

    public SortedDictionary<ulong, MemoryStorage> Storage { get; } = [];

    /// <summary>Sees every message before it is delivered; returning false drops it.</summary>
    public Func<Message, bool>? MsgHook { get; set; }

    public Network(params IStateMachine?[] peers)
        : this(null, peers)
    {
    }

    private Network(Action<Config>? configure, IStateMachine?[] peers)
    {
        ulong[] ids = Enumerable.Range(1, peers.Length).Select(i => (ulong)i).ToArray();
        for (int j = 0; j < peers.Length; j++)
        {
            ulong id = ids[j];
            switch (peers[j])
            {
                case null:
                    var storage = RaftTestUtil.NewStorage(ids);
                    Storage[id] = storage;
                    var cfg = RaftTestUtil.NewConfig(id, 10, 1, storage);
                    configure?.Invoke(cfg);
                    Peers[id] = new RaftPeer(new Raft(cfg));
                    break;
                default:
                    Peers[id] = peers[j]!;
                    break;
            }
        }
    }

    /// <summary>A network whose fresh nodes are configured by <paramref name="configure"/>.</summary>
    public static Network WithConfig(Action<Config> configure, params IStateMachine?[] peers) => new(configure, peers);

    /// <summary>A network of <paramref name="size"/> fresh nodes.</summary>
    public static Network OfSize(int size, Action<Config>? configure = null) => new(configure, new IStateMachine?[size]);

    public Raft Raft(ulong id) => ((RaftPeer)Peers[id]).Raft;

    public void Send(params Message[] msgs)
    {
        var queue = new Queue<Message>(msgs);
        while (queue.Count > 0)
        {
            var m = queue.Dequeue();
            var p = Peers[m.To];
            p.Step(m);
            foreach (var next in Filter(p.ReadMessages()))
            {
                queue.Enqueue(next);
            }
        }
    }

    public void Drop(ulong from, ulong to, double rate) => _drop[(from, to)] = rate;

    public void Cut(ulong one, ulong other)
    {
        Drop(one, other, 2.0);
        Drop(other, one, 2.0);
    }

    public void Isolate(ulong id)
    {
        foreach (ulong other in Peers.Keys)
        {
            if (other != id)
            {
                Drop(id, other, 1.0);
                Drop(other, id, 1.0);
            }
        }
    }

    public void Ignore(MessageType type) => _ignore.Add(type);

    public void Recover()
    {
        _drop.Clear();
        _ignore.Clear();
    }

    private IEnumerable<Message> Filter(List<Message> msgs)
    {
        foreach (var m in msgs)
        {
            if (_ignore.Contains(m.Type))
            {
                continue;
            }
            if (m.Type == MessageType.MsgHup)
            {
                throw new InvalidOperationException("unexpected MsgHup");
            }
            if (_drop.TryGetValue((m.From, m.To), out double rate) && _random.NextDouble() < rate)
            {
                continue;
            }
            if (MsgHook is not null && !MsgHook(m))
            {
                continue;
            }
            yield return m;
        }
    }
}

using System.Text;
using Cairn.Raft.Raftpb;
using Google.Protobuf;

namespace Cairn.Raft.Tests.Interaction;

/// <summary>One node of the interaction environment: its RawNode, its storage and what it applied.</summary>
internal sealed class InteractionNode(MemoryStorage storage, Config config)
{
    public RawNode Node { get; set; } = null!;

    public MemoryStorage Storage { get; } = storage;

    public Config Config { get; } = config;

    /// <summary>Payloads of the normal entries applied, in order (a snapshot's data first).</summary>
    public List<string> Applied { get; } = [];

    public ulong AppliedIndex { get; set; }

    /// <summary>The configuration as of <see cref="AppliedIndex"/>.</summary>
    public ConfState ConfState { get; set; } = new();
}

/// <summary>
/// The node's storage as the core sees it. Like etcd-io/raft's interaction environment, a snapshot asked for by
/// the leader is always fresh: taken at the applied index with the applied configuration and data, so that it
/// includes members added since the last compaction.
/// </summary>
internal sealed class EnvStorage(InteractionNode node) : IRaftStorage
{
    public (HardState HardState, ConfState ConfState) InitialState() => node.Storage.InitialState();

    public RaftError Entries(ulong lo, ulong hi, ulong maxSize, out IReadOnlyList<Entry> entries) =>
        node.Storage.Entries(lo, hi, maxSize, out entries);

    public RaftError Term(ulong index, out ulong term) => node.Storage.Term(index, out term);

    public ulong LastIndex() => node.Storage.LastIndex();

    public ulong FirstIndex() => node.Storage.FirstIndex();

    public RaftError Snapshot(out Snapshot snapshot)
    {
        var err = node.Storage.Snapshot(out snapshot);
        if (err != RaftError.None || node.AppliedIndex <= snapshot.Metadata.Index)
        {
            return err;
        }
        err = node.Storage.Term(node.AppliedIndex, out ulong term);
        if (err != RaftError.None)
        {
            return err;
        }
        snapshot = new Snapshot
        {
            Data = ByteString.CopyFromUtf8(string.Join(' ', node.Applied)),
            Metadata = new SnapshotMetadata { Index = node.AppliedIndex, Term = term, ConfState = node.ConfState.Clone() },
        };
        return RaftError.None;
    }
}

/// <summary>Log levels of the environment's log capture, most verbose first.</summary>
internal enum EnvLogLevel
{
    Debug,
    Info,
    Warning,
    Error,
    None,
}

/// <summary>Writes the nodes' log lines into the environment's output, as etcd-io/raft's interaction tests do.</summary>
internal sealed class EnvLogger(InteractionEnv env) : IRaftLogger
{
    public bool IsDebugEnabled => env.LogLevel <= EnvLogLevel.Debug;

    public void Debug(string message) => env.Log(EnvLogLevel.Debug, "DEBUG", message);

    public void Info(string message) => env.Log(EnvLogLevel.Info, "INFO", message);

    public void Warning(string message) => env.Log(EnvLogLevel.Warning, "WARN", message);

    public void Error(string message) => env.Log(EnvLogLevel.Error, "ERROR", message);
}

/// <summary>
/// A deterministic multi-node environment driven by text commands (see <see cref="InteractionEnv.Handle"/>),
/// modelled on etcd-io/raft's rafttest.InteractionEnv. Nodes exchange messages only when a script says so:
/// <c>process-ready</c> moves a node's Ready messages to the network, <c>deliver-msgs</c> steps them into their
/// recipients, <c>stabilize</c> repeats both until nothing moves.
/// </summary>
internal sealed partial class InteractionEnv
{
    private readonly StringBuilder _output = new();
    private readonly EnvLogger _logger;

    public InteractionEnv()
    {
        _logger = new EnvLogger(this);
    }

    /// <summary>Nodes by ID (IDs are 1..n in order of creation).</summary>
    public SortedDictionary<ulong, InteractionNode> Nodes { get; } = [];

    /// <summary>Messages sent and not yet delivered, in send order.</summary>
    public List<Message> Messages { get; } = [];

    /// <summary>Groups of a network partition; messages between different groups are dropped. Empty: no partition.</summary>
    public List<HashSet<ulong>> Partition { get; } = [];

    public EnvLogLevel LogLevel { get; set; } = EnvLogLevel.Info;

    public void Log(EnvLogLevel level, string prefix, string message)
    {
        if (level >= LogLevel)
        {
            _output.Append(prefix).Append(' ').Append(message).Append('\n');
        }
    }

    private void Write(string line) => _output.Append(line).Append('\n');

    private string TakeOutput()
    {
        string s = _output.ToString();
        _output.Clear();
        return s;
    }

    private InteractionNode Node(ulong id) =>
        Nodes.TryGetValue(id, out var n) ? n : throw new InvalidOperationException($"no node {id}");

    /// <summary>Adds a node with <paramref name="storage"/>; its config is built from the defaults plus
    /// <paramref name="configure"/>.</summary>
    private void AddNode(MemoryStorage storage, Action<Config> configure)
    {
        ulong id = (ulong)Nodes.Count + 1;
        var cfg = new Config
        {
            Id = id,
            ElectionTick = 3,
            HeartbeatTick = 1,
            MaxSizePerMsg = ulong.MaxValue,
            MaxInflightMsgs = int.MaxValue,
            Seed = (int)id,
            Logger = _logger,
        };
        configure(cfg);
        var n = new InteractionNode(storage, cfg);
        cfg.Storage = new EnvStorage(n);
        Check(storage.Snapshot(out var snap));
        cfg.Applied = snap.Metadata.Index;
        n.AppliedIndex = snap.Metadata.Index;
        n.ConfState = snap.Metadata.ConfState.Clone();
        n.Node = new RawNode(cfg);
        Nodes[id] = n;
    }

    /// <summary>Handles one Ready of node <paramref name="id"/> as a host must: persist, queue the messages
    /// (sending), apply committed entries, advance. Prints the Ready.</summary>
    private void ProcessReady(ulong id)
    {
        var n = Node(id);
        var rd = n.Node.Ready();
        Write(DescribeReady(rd));

        if (rd.Snapshot is not null)
        {
            Check(n.Storage.ApplySnapshot(rd.Snapshot));
            n.Applied.Clear();
            n.Applied.Add($"<snapshot {rd.Snapshot.Metadata.Index}: {rd.Snapshot.Data.ToStringUtf8()}>");
            n.AppliedIndex = rd.Snapshot.Metadata.Index;
            n.ConfState = rd.Snapshot.Metadata.ConfState.Clone();
        }
        n.Storage.Append(rd.Entries);
        if (rd.HardState is not null)
        {
            n.Storage.SetHardState(rd.HardState);
        }
        Messages.AddRange(rd.Messages);
        foreach (var e in rd.CommittedEntries)
        {
            switch (e.Type)
            {
                case EntryType.EntryConfChange:
                    n.ConfState = n.Node.ApplyConfChange(Raftpb.ConfChange.Parser.ParseFrom(e.Data));
                    break;
                case EntryType.EntryConfChangeV2:
                    n.ConfState = n.Node.ApplyConfChange(ConfChangeV2.Parser.ParseFrom(e.Data));
                    break;
                default:
                    if (!e.Data.IsEmpty)
                    {
                        n.Applied.Add(e.Data.ToStringUtf8());
                    }
                    break;
            }
        }
        if (rd.CommittedEntries.Count > 0)
        {
            n.AppliedIndex = rd.CommittedEntries[^1].Index;
        }
        n.Node.Advance(rd);
    }

    private static void Check(RaftError err)
    {
        if (err != RaftError.None)
        {
            throw new InvalidOperationException(err.Message());
        }
    }

    /// <summary>Steps every queued message addressed to one of <paramref name="ids"/> (all when empty) into its
    /// recipient, in send order. Messages crossing the partition are dropped. Returns how many moved.</summary>
    private int DeliverMsgs(IReadOnlyCollection<ulong> ids, IReadOnlyCollection<ulong> dropTo)
    {
        int moved = 0;
        var remaining = new List<Message>();
        var deliver = new List<Message>();
        foreach (var m in Messages)
        {
            if (ids.Count == 0 || ids.Contains(m.To))
            {
                deliver.Add(m);
            }
            else
            {
                remaining.Add(m);
            }
        }
        Messages.Clear();
        Messages.AddRange(remaining);
        foreach (var m in deliver)
        {
            moved++;
            if (dropTo.Contains(m.To) || Partitioned(m.From, m.To))
            {
                Write($"dropped: {Util.DescribeMessage(m)}");
                continue;
            }
            if (!Nodes.ContainsKey(m.To))
            {
                Write($"dropped (no such node): {Util.DescribeMessage(m)}");
                continue;
            }
            Write(Util.DescribeMessage(m));
            var err = Node(m.To).Node.Step(m);
            if (err != RaftError.None)
            {
                Write($"error: {err.Message()}");
            }
        }
        return moved;
    }

    private bool Partitioned(ulong a, ulong b)
    {
        if (Partition.Count == 0)
        {
            return false;
        }
        var groupA = Partition.FirstOrDefault(g => g.Contains(a));
        var groupB = Partition.FirstOrDefault(g => g.Contains(b));
        return !ReferenceEquals(groupA, groupB);
    }

    /// <summary>Processes Readies and delivers messages among <paramref name="ids"/> until nothing changes.</summary>
    private void Stabilize(IReadOnlyCollection<ulong> ids)
    {
        var targets = ids.Count == 0 ? Nodes.Keys.ToList() : ids.ToList();
        while (true)
        {
            bool done = true;
            foreach (ulong id in targets)
            {
                if (Node(id).Node.HasReady())
                {
                    done = false;
                    Write($"> {id} handling Ready");
                    using (Indent())
                    {
                        ProcessReady(id);
                    }
                }
            }
            foreach (ulong id in targets)
            {
                if (Messages.Any(m => m.To == id))
                {
                    done = false;
                    Write($"> {id} receiving messages");
                    using (Indent())
                    {
                        DeliverMsgs([id], []);
                    }
                }
            }
            if (done)
            {
                return;
            }
        }
    }

    /// <summary>Indents everything written while the scope is open by two spaces.</summary>
    private IndentScope Indent() => new(this, _output.Length);

    private readonly struct IndentScope(InteractionEnv env, int start) : IDisposable
    {
        public void Dispose()
        {
            string written = env._output.ToString(start, env._output.Length - start);
            env._output.Length = start;
            foreach (string line in written.Split('\n'))
            {
                if (line.Length > 0)
                {
                    env._output.Append("  ").Append(line).Append('\n');
                }
            }
        }
    }

    private static string DescribeReady(Ready rd)
    {
        var sb = new StringBuilder();
        sb.Append("Ready MustSync=").Append(rd.MustSync ? "true" : "false").Append(":\n");
        if (rd.SoftState is not null)
        {
            sb.Append("Lead:").Append(rd.SoftState.Lead).Append(" State:").Append(rd.SoftState.RaftState).Append('\n');
        }
        if (rd.HardState is not null)
        {
            sb.Append("HardState ").Append(Util.DescribeHardState(rd.HardState)).Append('\n');
        }
        if (rd.Entries.Count > 0)
        {
            sb.Append("Entries:\n");
            foreach (var e in rd.Entries)
            {
                sb.Append(Util.DescribeEntry(e)).Append('\n');
            }
        }
        if (rd.Snapshot is not null)
        {
            sb.Append("Snapshot ").Append(Util.DescribeSnapshot(rd.Snapshot)).Append('\n');
        }
        if (rd.CommittedEntries.Count > 0)
        {
            sb.Append("CommittedEntries:\n");
            foreach (var e in rd.CommittedEntries)
            {
                sb.Append(Util.DescribeEntry(e)).Append('\n');
            }
        }
        if (rd.Messages.Count > 0)
        {
            sb.Append("Messages:\n");
            foreach (var m in rd.Messages)
            {
                sb.Append(Util.DescribeMessage(m)).Append('\n');
            }
        }
        if (rd.ReadStates.Count > 0)
        {
            sb.Append("ReadStates:\n");
            foreach (var rs in rd.ReadStates)
            {
                sb.Append("Index:").Append(rs.Index).Append(" RequestCtx:").Append(rs.RequestCtx.ToStringUtf8()).Append('\n');
            }
        }
        return sb.ToString().TrimEnd('\n');
    }

    private static ByteString Utf8(string s) => ByteString.CopyFromUtf8(s);
}

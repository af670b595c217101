using System.Globalization;
using Cairn.Raft.Raftpb;
using Google.Protobuf;

namespace Cairn.Raft.Tests.Simulation;

/// <summary>
/// One seeded run of a cluster of <see cref="RawNode"/>s on a <see cref="SimNetwork"/>. The run has two phases:
/// chaos (crashes, torn Ready handling, partitions, message loss, duplication and reordering, proposals, reads,
/// membership changes and leader transfers) and then recovery (everything restarted, the network whole and
/// reliable), within which a leader must emerge and a new proposal must be applied on every member. Every
/// <see cref="Ready"/> is handled as the contract says: persist, send, apply, advance. Safety is checked throughout
/// (<see cref="SafetyChecker"/>). Everything happens in a fixed order driven by one <see cref="SimRng"/>, so a
/// seed replays exactly and yields the same <see cref="TraceHash"/>.
/// </summary>
internal sealed partial class Simulator
{
    private readonly SimOptions _o;
    private readonly SimRng _rng;
    private readonly SimNetwork _net;
    private readonly SafetyChecker _checker = new();
    private readonly TraceHash _hash = new();
    private readonly SimNode[] _nodes;
    private readonly Peer[] _peers;
    private readonly List<string>? _trace;
    private readonly List<Action> _afterAdvance = [];
    private readonly HashSet<ulong> _confChangeIndexes = [];
    private readonly Dictionary<string, HashSet<ulong>> _liveApplied = new(StringComparer.Ordinal);
    private long _now;
    private long _tick;
    private bool _faults = true;
    private int _seq;
    private long _delivered;
    private int _crashes;
    private int _torn;
    private int _restarts;
    private int _partitions;
    private int _proposals;
    private int _snapshots;
    private int _transfers;
    private bool _removalProposed;

    private Simulator(SimOptions options, List<string>? trace)
    {
        _o = options;
        _rng = new SimRng(options.Seed);
        _net = new SimNetwork(options, _rng.Fork());
        _nodes = [.. Enumerable.Range(1, options.Nodes).Select(i => new SimNode((ulong)i))];
        _peers = [.. _nodes.Select(n => new Peer(n.Id))];
        _trace = trace;
    }

    /// <summary>Runs <paramref name="options"/>; throws <see cref="SimulationFailure"/> when a property is violated.
    /// With <paramref name="trace"/>, every event is also described there.</summary>
    public static SimResult Run(SimOptions options, List<string>? trace = null) => new Simulator(options, trace).Execute();

    private SimResult Execute()
    {
        try
        {
            foreach (var n in _nodes)
            {
                Start(n);
            }

            for (_tick = 0; _tick < _o.ChaosTicks; _tick++)
            {
                Faults();
                Workload();
                StepTick();
            }

            long healedAt = _tick;
            Heal();
            long deadline = healedAt + _o.LivenessBoundTicks;
            bool live = false;
            for (; _tick < deadline && !live; _tick++)
            {
                if ((_tick - healedAt) % _o.ElectionTick == 0)
                {
                    ProposeLiveness();
                }

                StepTick();
                live = Live();
            }

            if (!live)
            {
                throw new SimulationFailure("liveness",
                    $"no leader with a new proposal applied on every member {_o.LivenessBoundTicks} ticks after healing; {Describe()}");
            }

            SafetyChecker.CheckLogMatching(_nodes);
            return new SimResult
            {
                Seed = _o.Seed,
                Nodes = _o.Nodes,
                TraceHash = _hash.ToString(),
                Ticks = _tick,
                MessagesSent = _net.Sent,
                MessagesDelivered = _delivered,
                MessagesDropped = _net.Dropped,
                MessagesDuplicated = _net.Duplicated,
                Crashes = _crashes,
                TornReadies = _torn,
                Restarts = _restarts,
                Partitions = _partitions,
                Proposals = _proposals,
                AppliedIndex = _checker.MaxApplied,
                Leaders = _checker.LeadersElected,
                SnapshotsInstalled = _snapshots,
                ConfChangesApplied = _confChangeIndexes.Count,
                Transfers = _transfers,
                ReadsChecked = _checker.ReadsChecked,
                LivenessTicks = _tick - healedAt,
            };
        }
        catch (SimulationFailure f)
        {
            throw new SimulationFailure(f.Property, $"tick {_tick}: {f.Message}");
        }
        catch (Exception e)
        {
            throw new SimulationFailure("core exception", $"tick {_tick}: {e}");
        }
    }

    private void StepTick()
    {
        Log($"-- tick {_tick}");
        _hash.Add("tick");
        _hash.Add((ulong)_tick);
        foreach (var n in _nodes)
        {
            if (n.Up)
            {
                n.Node!.Tick();
                Observe(n);
            }
        }

        for (int unit = 0; unit < SimOptions.UnitsPerTick; unit++)
        {
            _now = _tick * SimOptions.UnitsPerTick + unit;
            Deliver();
            ProcessReadies();
        }

        if (_tick % 25 == 0)
        {
            SafetyChecker.CheckLogMatching(_nodes);
        }
    }

    private void Deliver()
    {
        while (_net.TryDeliver(_now, out byte[] wire, out bool lost))
        {
            var m = Message.Parser.ParseFrom(wire);
            _hash.Add((ulong)_now);
            _hash.Add(wire);
            var to = NodeOf(m.To);
            var from = NodeOf(m.From);
            if (lost || !to.Up)
            {
                // A snapshot's sender always learns the outcome (the Ready contract requires ReportSnapshot).
                Log($"drop {Describe(m)} ({(lost ? "partitioned" : "down")})");
                if (m.Type == MessageType.MsgSnap && from.Up)
                {
                    from.Node!.ReportSnapshot(m.To, SnapshotStatus.Failure);
                }

                continue;
            }

            Log($"deliver {Describe(m)}");
            _delivered++;
            to.Node!.Step(m);
            Observe(to);
            if (m.Type == MessageType.MsgSnap && from.Up)
            {
                from.Node!.ReportSnapshot(m.To, SnapshotStatus.Finish);
                Observe(from);
            }
        }
    }

    private void ProcessReadies()
    {
        bool any = true;
        for (int round = 0; any && round < 100; round++)
        {
            any = false;
            foreach (var n in _nodes)
            {
                if (n.Up && n.Node!.HasReady())
                {
                    HandleReady(n);
                    any = true;
                }
            }
        }
    }

    // The Ready contract: persist (snapshot, entries, HardState), then send, then apply, then Advance.
    private void HandleReady(SimNode n)
    {
        var node = n.Node!;
        var rd = node.Ready();
        if (_faults && _rng.Chance(_o.CrashRate / 4))
        {
            // Crash while persisting: nothing of this Ready survives, nothing was sent.
            Log($"n{n.Id} crashes before persisting its ready");
            Crash(n, torn: true);
            return;
        }

        bool hasSnapshot = rd.Snapshot is { Metadata.Index: > 0 };
        if (hasSnapshot)
        {
            var err = n.Storage.ApplySnapshot(rd.Snapshot!);
            if (err != RaftError.None)
            {
                throw new SimulationFailure("core exception", $"node {n.Id} cannot persist ready snapshot: {err}");
            }
        }

        n.Storage.Append(rd.Entries);
        if (rd.HardState is not null)
        {
            n.Storage.SetHardState(rd.HardState);
        }

        if (_faults && _rng.Chance(_o.CrashRate / 4))
        {
            // Crash after persisting, before sending: the persisted state survives, the messages are lost.
            Log($"n{n.Id} crashes after persisting its ready");
            Crash(n, torn: true);
            return;
        }

        foreach (var m in rd.Messages)
        {
            Send(n, m);
        }

        if (hasSnapshot)
        {
            n.Install(rd.Snapshot!);
            _checker.OnSnapshotInstalled(n.Id, n.AppliedIndex, rd.Snapshot!.Metadata.Term, n.StateChain);
            _snapshots++;
            Log($"n{n.Id} installs snapshot {n.AppliedIndex}");
        }

        foreach (var e in rd.CommittedEntries)
        {
            ApplyEntry(n, e);
        }

        foreach (var rs in rd.ReadStates)
        {
            _checker.OnReadState(n.Id, rs.RequestCtx.ToStringUtf8(), rs.Index);
        }

        node.Advance(rd);
        foreach (var action in _afterAdvance)
        {
            action();
        }

        _afterAdvance.Clear();
        Observe(n);
        MaybeCompact(n);
        if (n.Up && n.ConfState.Voters.Count > 0 && !n.MemberOf(n.ConfState))
        {
            // Like etcd, a member that applies its own removal shuts down for good.
            Log($"n{n.Id} applied its removal and stops");
            n.Removed = true;
            n.Crash();
        }
    }

    private void Send(SimNode n, Message m)
    {
        _hash.Add("send");
        bool queued = _net.Send(m, _now, _faults);
        Log($"{(queued ? "send" : "lose")} {Describe(m)}");
        if (queued)
        {
            return;
        }

        // The transport noticed the loss: tell the sender after this Ready, as a transport would.
        ulong to = m.To;
        if (m.Type == MessageType.MsgSnap)
        {
            _afterAdvance.Add(() => n.Node?.ReportSnapshot(to, SnapshotStatus.Failure));
        }
        else if (_rng.Chance(0.5))
        {
            _afterAdvance.Add(() => n.Node?.ReportUnreachable(to));
        }
    }

    private void ApplyEntry(SimNode n, Entry e)
    {
        ulong chain = n.Apply(e);
        _checker.OnApplied(n.Id, e, chain);
        _hash.Add(n.Id);
        _hash.Add(chain);
        switch (e.Type)
        {
            case EntryType.EntryConfChange:
                n.SetConfState(n.Node!.ApplyConfChange(Raftpb.ConfChange.Parser.ParseFrom(e.Data)));
                _confChangeIndexes.Add(e.Index);
                Log($"n{n.Id} applies conf change at {e.Index}: {Util.DescribeConfState(n.ConfState)}");
                break;
            case EntryType.EntryConfChangeV2:
                n.SetConfState(n.Node!.ApplyConfChange(ConfChangeV2.Parser.ParseFrom(e.Data)));
                _confChangeIndexes.Add(e.Index);
                Log($"n{n.Id} applies conf change v2 at {e.Index}: {Util.DescribeConfState(n.ConfState)}");
                break;
            default:
                string data = e.Data.ToStringUtf8();
                if (data.StartsWith("live", StringComparison.Ordinal) && _liveApplied.TryGetValue(data, out var appliedBy))
                {
                    appliedBy.Add(n.Id);
                }

                break;
        }
    }

    private void MaybeCompact(SimNode n)
    {
        if (!n.Up)
        {
            return;
        }

        n.Storage.Snapshot(out var snap);
        ulong snapIndex = snap.Metadata?.Index ?? 0;
        if (n.AppliedIndex < snapIndex + (ulong)_o.CompactEvery)
        {
            return;
        }

        var err = n.Storage.CreateSnapshot(n.AppliedIndex, n.ConfState, SimNode.EncodeState(n.AppliedIndex, n.StateChain), out _);
        if (err != RaftError.None)
        {
            return;
        }

        // Keep a few entries so that slightly lagging followers can still catch up from the log.
        ulong compactTo = n.AppliedIndex - (ulong)_rng.Next(0, 3);
        if (compactTo > snapIndex)
        {
            n.Storage.Compact(compactTo);
        }

        Log($"n{n.Id} snapshots at {n.AppliedIndex} and compacts to {compactTo}");
    }

    /// <summary>Checks election safety and leader completeness whenever a node may have changed role.</summary>
    private void Observe(SimNode n)
    {
        if (!n.Up || n.Raft.State != StateType.Leader)
        {
            return;
        }

        _checker.ObserveLeader(n.Id, n.Raft.Term, n.Raft.RaftLog);
        if (!n.Raft.Trk.Progress.TryGetValue(n.Id, out var self) || self.IsLearner)
        {
            // A leader demoted or removed by a change applied while it led: the application restarts it (as etcd
            // stops a removed member), so that a voter can take over.
            Log($"n{n.Id} leads without being a voter: restart");
            Crash(n, torn: false);
            Start(n);
        }
    }

    private void Start(SimNode n)
    {
        n.Start(CreateNode, _peers, _o.ForgetHardStateOnRestart);
        Log($"n{n.Id} starts (incarnation {n.Incarnation}, applied {n.AppliedIndex})");
        _hash.Add("start");
        _hash.Add(n.Id);
    }

    private void Crash(SimNode n, bool torn)
    {
        n.Crash();
        _hash.Add("crash");
        _hash.Add(n.Id);
        if (torn)
        {
            _torn++;
        }
    }

    private RawNode CreateNode(MemoryStorage storage, ulong applied) => new(new Config
    {
        Id = NodeIdOf(storage),
        ElectionTick = _o.ElectionTick,
        HeartbeatTick = _o.HeartbeatTick,
        Storage = storage,
        Applied = applied,
        MaxSizePerMsg = _o.MaxSizePerMsg,
        MaxInflightMsgs = _o.MaxInflightMsgs,
        MaxInflightBytes = _o.MaxInflightBytes == 0 ? 0 : Math.Max(_o.MaxInflightBytes, _o.MaxSizePerMsg),
        CheckQuorum = _o.CheckQuorum,
        PreVote = _o.PreVote,
        Seed = _rng.Next(int.MaxValue),
    });

    private ulong NodeIdOf(MemoryStorage storage) => _nodes.First(n => ReferenceEquals(n.Storage, storage)).Id;

    private SimNode NodeOf(ulong id) => _nodes[(int)id - 1];

    private void Log(string line)
    {
        _trace?.Add(string.Create(CultureInfo.InvariantCulture, $"[{_now,6}] {line}"));
    }

    private static string Describe(Message m) => Util.DescribeMessage(m);

    private string Describe() => string.Join("; ", _nodes.Select(n => n.Up
        ? $"n{n.Id} {n.Raft.State} term={n.Raft.Term} lead={n.Raft.Lead} commit={n.Raft.RaftLog.Committed} applied={n.AppliedIndex} {n.Raft.Trk.Config}"
        : $"n{n.Id} {(n.Removed ? "removed" : "down")}"));
}

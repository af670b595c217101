using System.Globalization;
using System.Text;
using Cairn.Raft.Raftpb;
using Cairn.Raft.Tests.DataDriven;
using Cairn.Raft.Tests.Support;

namespace Cairn.Raft.Tests.Interaction;

/// <summary>
/// The commands of the interaction scripts (tests/Cairn.Raft.Tests/testdata/*.txt):
/// <code>
/// add-nodes N [voters=(1,2)] [learners=(3)] [index=I] [content=S] [prevote=true] [checkquorum=true]
///             [read-only=lease] [max-size-per-msg=B] [max-inflight=N] [max-inflight-bytes=B]
///             [max-uncommitted=B] [max-committed-per-ready=B] [disable-forwarding=true]
/// campaign ID | propose ID DATA | propose-conf-change ID [v1=true] [transition=auto|implicit|explicit] + "v2 l3 r1"
/// process-ready ID... | deliver-msgs [drop=(IDs)] ID... | stabilize [ID...]
/// tick-election ID | tick-heartbeat ID | tick ID N
/// partition (1) (2,3) | heal
/// transfer-leader from=ID to=ID | read-index ID CTX | report-unreachable ID PEER | report-snapshot ID PEER [failure]
/// compact ID INDEX | restart ID | raft-state | raft-log ID | status ID | applied ID | log-level LEVEL
/// </code>
/// </summary>
internal sealed partial class InteractionEnv
{
    public string Handle(DataDrivenCase c)
    {
        try
        {
            Dispatch(c);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException)
        {
            Write($"error: {e.Message}");
        }
        return TakeOutput();
    }

    private void Dispatch(DataDrivenCase c)
    {
        var pos = Positional(c);
        switch (c.Command)
        {
            case "add-nodes":
                AddNodes(c, pos);
                break;
            case "campaign":
                ReportError(Node(Id(pos, 0)).Node.Campaign());
                break;
            case "propose":
                ReportError(Node(Id(pos, 0)).Node.Propose(Utf8(pos[1])));
                break;
            case "propose-conf-change":
                ProposeConfChange(c, pos);
                break;
            case "process-ready":
                foreach (ulong id in Ids(pos))
                {
                    if (pos.Count > 1)
                    {
                        Write($"> {id} handling Ready");
                        using (Indent())
                        {
                            ProcessReady(id);
                        }
                    }
                    else
                    {
                        ProcessReady(id);
                    }
                }
                break;
            case "deliver-msgs":
                DeliverMsgs(Ids(pos), c.Arg("drop")?.Values.Select(ulong.Parse).ToList() ?? []);
                break;
            case "stabilize":
                Stabilize(Ids(pos));
                break;
            case "tick-election":
                Tick(Id(pos, 0), Node(Id(pos, 0)).Config.ElectionTick);
                break;
            case "tick-heartbeat":
                Tick(Id(pos, 0), Node(Id(pos, 0)).Config.HeartbeatTick);
                break;
            case "tick":
                Tick(Id(pos, 0), int.Parse(pos[1], CultureInfo.InvariantCulture));
                break;
            case "partition":
                Partition.Clear();
                foreach (var group in c.Args)
                {
                    Partition.Add([.. ParseGroup(group.Key)]);
                }
                break;
            case "heal":
                Partition.Clear();
                break;
            case "transfer-leader":
                Node(ulong.Parse(c.Arg("from")!.Single)).Node.TransferLeader(ulong.Parse(c.Arg("to")!.Single));
                break;
            case "read-index":
                Node(Id(pos, 0)).Node.ReadIndex(Utf8(pos[1]));
                break;
            case "report-unreachable":
                Node(Id(pos, 0)).Node.ReportUnreachable(Id(pos, 1));
                break;
            case "report-snapshot":
                Node(Id(pos, 0)).Node.ReportSnapshot(Id(pos, 1), pos.Count > 2 && pos[2] == "failure" ? SnapshotStatus.Failure : SnapshotStatus.Finish);
                break;
            case "compact":
                Compact(Id(pos, 0), ulong.Parse(pos[1], CultureInfo.InvariantCulture));
                break;
            case "restart":
                Restart(Id(pos, 0));
                break;
            case "raft-state":
                RaftState();
                break;
            case "raft-log":
                RaftLogOf(Id(pos, 0));
                break;
            case "status":
                StatusOf(Id(pos, 0));
                break;
            case "applied":
                Write(string.Join(' ', Node(Id(pos, 0)).Applied));
                break;
            case "log-level":
                LogLevel = pos[0] switch
                {
                    "debug" => EnvLogLevel.Debug,
                    "info" => EnvLogLevel.Info,
                    "warn" => EnvLogLevel.Warning,
                    "error" => EnvLogLevel.Error,
                    "none" => EnvLogLevel.None,
                    _ => throw new FormatException($"unknown log level {pos[0]}"),
                };
                break;
            default:
                throw new FormatException($"unknown command {c.Command}");
        }
    }

    /// <summary>Arguments without a value, in order ("1", "2", "data").</summary>
    private static List<string> Positional(DataDrivenCase c) =>
        c.Args.Where(a => a.Values.Count == 0 && !a.Key.StartsWith('(')).Select(a => a.Key).ToList();

    private static ulong Id(List<string> pos, int i) =>
        i < pos.Count ? ulong.Parse(pos[i], CultureInfo.InvariantCulture) : throw new FormatException("missing node id");

    private static List<ulong> Ids(List<string> pos) => pos.Select(p => ulong.Parse(p, CultureInfo.InvariantCulture)).ToList();

    private static IEnumerable<ulong> ParseGroup(string key) =>
        key.Trim('(', ')').Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => ulong.Parse(s.Trim(), CultureInfo.InvariantCulture));

    private void ReportError(RaftError err)
    {
        if (err != RaftError.None)
        {
            Write($"error: {err.Message()}");
        }
    }

    private void AddNodes(DataDrivenCase c, List<string> pos)
    {
        int count = int.Parse(pos[0], CultureInfo.InvariantCulture);
        var voters = c.Arg("voters")?.Values.Select(ulong.Parse).ToArray() ?? [];
        var learners = c.Arg("learners")?.Values.Select(ulong.Parse).ToArray() ?? [];
        ulong index = c.Arg("index") is { } ia ? ulong.Parse(ia.Single, CultureInfo.InvariantCulture) : 0;
        string content = c.Arg("content")?.Single ?? "";
        for (int i = 0; i < count; i++)
        {
            var storage = new MemoryStorage();
            if (voters.Length > 0 || learners.Length > 0)
            {
                var cs = new ConfState();
                cs.Voters.AddRange(voters);
                cs.Learners.AddRange(learners);
                if (index > 0)
                {
                    Check(storage.ApplySnapshot(new Snapshot
                    {
                        Data = Utf8(content),
                        Metadata = new SnapshotMetadata { Index = index, Term = 1, ConfState = cs },
                    }));
                }
                else
                {
                    storage.InitConfState(cs);
                }
            }
            AddNode(storage, cfg => Configure(cfg, c));
        }
    }

    private static void Configure(Config cfg, DataDrivenCase c)
    {
        foreach (var arg in c.Args)
        {
            if (arg.Values.Count != 1)
            {
                continue;
            }
            string v = arg.Single;
            switch (arg.Key)
            {
                case "prevote":
                    cfg.PreVote = bool.Parse(v);
                    break;
                case "checkquorum":
                    cfg.CheckQuorum = bool.Parse(v);
                    break;
                case "read-only":
                    cfg.ReadOnlyOption = v == "lease" ? ReadOnlyOption.LeaseBased : ReadOnlyOption.Safe;
                    break;
                case "max-size-per-msg":
                    cfg.MaxSizePerMsg = ulong.Parse(v, CultureInfo.InvariantCulture);
                    break;
                case "max-inflight":
                    cfg.MaxInflightMsgs = int.Parse(v, CultureInfo.InvariantCulture);
                    break;
                case "max-inflight-bytes":
                    cfg.MaxInflightBytes = ulong.Parse(v, CultureInfo.InvariantCulture);
                    break;
                case "max-uncommitted":
                    cfg.MaxUncommittedEntriesSize = ulong.Parse(v, CultureInfo.InvariantCulture);
                    break;
                case "max-committed-per-ready":
                    cfg.MaxCommittedSizePerReady = ulong.Parse(v, CultureInfo.InvariantCulture);
                    break;
                case "disable-forwarding":
                    cfg.DisableProposalForwarding = bool.Parse(v);
                    break;
                case "election-tick":
                    cfg.ElectionTick = int.Parse(v, CultureInfo.InvariantCulture);
                    break;
            }
        }
    }

    private void ProposeConfChange(DataDrivenCase c, List<string> pos)
    {
        var transition = (c.Arg("transition")?.Single ?? "auto") switch
        {
            "auto" => ConfChangeTransition.Auto,
            "implicit" => ConfChangeTransition.JointImplicit,
            "explicit" => ConfChangeTransition.JointExplicit,
            var t => throw new FormatException($"unknown transition {t}"),
        };
        var v2 = ConfChangeParser.Parse(c.Input.Trim(), transition);
        IConfChange cc = v2;
        if (c.Arg("v1")?.Single == "true")
        {
            if (v2.Changes.Count != 1)
            {
                throw new FormatException("v1 conf changes hold exactly one change");
            }
            cc = new Raftpb.ConfChange { Type = v2.Changes[0].Type, NodeId = v2.Changes[0].NodeId };
        }
        ReportError(Node(Id(pos, 0)).Node.ProposeConfChange(cc));
    }

    private void Tick(ulong id, int ticks)
    {
        for (int i = 0; i < ticks; i++)
        {
            Node(id).Node.Tick();
        }
    }

    /// <summary>Snapshots node <paramref name="id"/> at its applied index and compacts its log up to
    /// <paramref name="index"/> (at most the applied index).</summary>
    private void Compact(ulong id, ulong index)
    {
        var n = Node(id);
        if (index > n.AppliedIndex)
        {
            throw new InvalidOperationException($"cannot compact past the applied index {n.AppliedIndex}");
        }
        string data = string.Join(' ', n.Applied);
        Check(n.Storage.CreateSnapshot(n.AppliedIndex, n.ConfState, Utf8(data), out _));
        Check(n.Storage.Compact(index));
        RaftLogOf(id);
    }

    /// <summary>Crashes and restarts node <paramref name="id"/> from its storage; unpersisted state is lost.</summary>
    private void Restart(ulong id)
    {
        var n = Node(id);
        n.Storage.Snapshot(out var snap);
        ulong snapIndex = snap.Metadata.Index;
        n.Config.Applied = snapIndex;
        n.AppliedIndex = snapIndex;
        n.ConfState = snap.Metadata.ConfState.Clone();
        n.Applied.Clear();
        if (snapIndex > 0)
        {
            n.Applied.Add($"<snapshot {snapIndex}: {snap.Data.ToStringUtf8()}>");
        }
        n.Node = new RawNode(n.Config);
        Messages.RemoveAll(m => m.From == id);
    }

    private void RaftState()
    {
        foreach (var (id, n) in Nodes)
        {
            var st = n.Node.Status();
            string role = st.ConfState.Voters.Contains(id) || st.ConfState.VotersOutgoing.Contains(id)
                ? "Voter"
                : st.ConfState.Learners.Contains(id) ? "Learner" : "Non-Voter";
            Write($"{id}: {st.SoftState.RaftState} ({role}) Term:{st.HardState.Term} Lead:{st.SoftState.Lead}");
        }
    }

    private void RaftLogOf(ulong id)
    {
        var s = Node(id).Storage;
        ulong first = s.FirstIndex();
        ulong last = s.LastIndex();
        if (last < first)
        {
            Write($"log is empty: first index={first}, last index={last}");
            return;
        }
        Check(s.Entries(first, last + 1, ulong.MaxValue, out var entries));
        foreach (var e in entries)
        {
            Write(Util.DescribeEntry(e));
        }
    }

    private void StatusOf(ulong id)
    {
        var st = Node(id).Node.Status();
        var sb = new StringBuilder();
        foreach (var (peer, pr) in st.Progress)
        {
            sb.Append(peer).Append(": ").Append(pr).Append('\n');
        }
        Write(sb.Length == 0 ? $"{id} is not leader ({st.SoftState.RaftState})" : sb.ToString().TrimEnd('\n'));
    }
}

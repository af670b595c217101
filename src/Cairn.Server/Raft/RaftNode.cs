using System.Threading.Channels;
using Cairn.Api.Errors;
using Cairn.Raft;
using Cairn.Raft.Raftpb;
using Cairn.Server.Membership;
using Cairn.Server.Peer;
using Cairn.Storage.Backend;
using Cairn.Storage.Snap;
using Cairn.Storage.Wal;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Raft;

/// <summary>What a <see cref="RaftNode"/> needs from the member that hosts it.</summary>
internal sealed record RaftNodeHost(
    ulong MemberId,
    ulong ClusterId,
    int HeartbeatMs,
    int ElectionMs,
    ulong SnapshotCount,
    Wal Wal,
    Snapshotter Snapshotter,
    MemoryStorage Storage,
    ulong Applied,
    ConfState ConfState,
    IReadOnlyList<Cairn.Raft.Peer>? BootstrapPeers,
    IBackend Backend,
    RaftCluster Cluster,
    WaitRegistry Waits,
    Action<Entry> ApplyNormal,
    Action<string, Snapshot> InstallSnapshot,
    Action<ulong, bool> LeaderChanged,
    Action<string> Stop)
{
    public Hosting.TlsSetup? PeerTls { get; init; }
}

/// <summary>
/// The member's raft loop around a Cairn.Raft <see cref="RawNode"/> (etcd's etcdserver/raft.go): one thread
/// ticks, steps peer messages, takes proposals, and processes each Ready: persist snapshot, entries and HardState
/// to the WAL (one fsync when MustSync: proposals that arrive together share it), send messages (a leader sends
/// before persisting), hand committed entries to the <see cref="Applier"/> thread, then Advance. A single member
/// is a one-voter group that commits what it has persisted.
/// </summary>
internal sealed partial class RaftNode : IPeerHandler, IAsyncDisposable
{
    /// <summary>Entries kept in the log behind a snapshot so slow followers catch up without one (etcd's value).</summary>
    private const ulong SnapshotCatchUpEntries = 5000;

    private readonly RaftNodeHost host;
    private readonly RawNode node;
    private readonly PeerTransport transport;
    private readonly ILogger logger;
    private readonly Channel<RaftEvent> events = Channel.CreateUnbounded<RaftEvent>(
        new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource stop = new();
    private readonly Dictionary<ulong, string> receivedSnapshots = [];
    private readonly Applier applier;
    private readonly Task loop;
    private readonly Task ticker;
    private ConfState confState;
    private ulong snapshotIndex;
    private ulong appliedIndex;
    private ulong leaderId;
    private ulong term;
    private ulong commitIndex;
    private bool isLeader;
    private bool campaignPending;

    public RaftNode(RaftNodeHost host, ILoggerFactory loggers)
    {
        this.host = host;
        logger = loggers.CreateLogger("cairn.raft");
        confState = host.ConfState;
        appliedIndex = host.Applied;
        host.Storage.Snapshot(out var snap);
        snapshotIndex = snap.Metadata?.Index ?? 0;
        var config = new Config
        {
            Id = host.MemberId,
            ElectionTick = Math.Max(2, host.ElectionMs / Math.Max(1, host.HeartbeatMs)),
            HeartbeatTick = 1,
            Storage = host.Storage,
            Applied = host.Applied,
            MaxSizePerMsg = 1024 * 1024,
            MaxInflightMsgs = 4096 / 8,
            MaxUncommittedEntriesSize = 1 << 30,
            CheckQuorum = true,
            PreVote = true,
            Seed = unchecked((int)host.MemberId ^ Environment.ProcessId),
            Logger = new RaftLogger(loggers.CreateLogger("cairn.raft.core")),
        };
        node = new RawNode(config);
        if (host.BootstrapPeers is { } peers)
        {
            node.Bootstrap(peers);
        }
        transport = new PeerTransport(this, loggers, host.PeerTls);
        foreach (var m in host.Cluster.Members)
        {
            transport.AddPeer(m.Id, m.PeerUrls);
        }
        var hs = host.Storage.InitialState().HardState;
        term = hs.Term;
        commitIndex = hs.Commit;
        applier = new Applier(host.ApplyNormal, OnApplied);
        loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        Completion = FirstOf(loop, applier.Completion);
        ticker = TickAsync(stop.Token);
    }

    public ulong MemberId => host.MemberId;

    public ulong ClusterId => host.ClusterId;

    public ulong LeaderId => Volatile.Read(ref leaderId);

    public bool IsLeader => Volatile.Read(ref isLeader);

    public ulong Term => Volatile.Read(ref term);

    public ulong CommittedIndex => Volatile.Read(ref commitIndex);

    public ulong AppliedIndex => Volatile.Read(ref appliedIndex);

    /// <summary>Completes when the loop or the applier stops; faults when one stopped on an error.</summary>
    public Task Completion { get; }

    /// <summary>Queues a proposal; its waiter (by <paramref name="id"/>) is triggered when the entry is applied,
    /// or failed at once when raft drops the proposal (no leader).</summary>
    public void Propose(ulong id, byte[] data) => Post(new RaftEvent.Propose(id, data));

    /// <summary>Queues a conf change; its waiter (by the change's ID) is triggered when it is applied.</summary>
    public void ProposeConfChange(ConfChange change) => Post(new RaftEvent.ProposeConfChange(change));

    public void TransferLeader(ulong transferee) => Post(new RaftEvent.TransferLeader(transferee));

    /// <summary>Campaigns as soon as the node has applied its pending configuration (a lone voter need not wait
    /// an election timeout to lead).</summary>
    public void Campaign() => Post(new RaftEvent.Campaign());

    public bool IsRemoved(ulong id) => host.Cluster.IsRemoved(id);

    public void Deliver(Message message) => Post(new RaftEvent.Step(message));

    public void DeliverSnapshot(Message message, string dbPath) => Post(new RaftEvent.SnapshotReceived(message, dbPath));

    public string NewSnapshotPath() => Path.Combine(host.Snapshotter.Dir, $"incoming-{Guid.NewGuid():n}.db");

    public Task WriteBackendSnapshotAsync(Stream destination, CancellationToken ct)
    {
        host.Backend.ForceCommit();
        return host.Backend.WriteSnapshotAsync(destination, ct);
    }

    public void ReportUnreachable(ulong peerId) => Post(new RaftEvent.Unreachable(peerId));

    public void ReportSnapshot(ulong peerId, SnapshotStatus status) => Post(new RaftEvent.SnapshotReport(peerId, status));

    /// <summary>The raft status (progress of every follower when leader), read on the loop.</summary>
    public Task<Status> StatusAsync()
    {
        var tcs = new TaskCompletionSource<Status>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!events.Writer.TryWrite(new RaftEvent.QueryStatus(tcs)))
        {
            tcs.TrySetException(EtcdErrors.Stopped.ToException());
        }
        return tcs.Task;
    }

    private void Post(RaftEvent e)
    {
        if (!events.Writer.TryWrite(e))
        {
            if (e is RaftEvent.Propose p)
            {
                host.Waits.Trigger(p.Id, new ApplyResult(null, EtcdErrors.Stopped.ToException()));
            }
            else if (e is RaftEvent.ReadIndex r)
            {
                r.Waiter.TrySetException(EtcdErrors.Stopped.ToException());
            }
        }
    }

    private async Task TickAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(host.HeartbeatMs));
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                Post(RaftEvent.Tick.Instance);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task RunAsync()
    {
        var reader = events.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var handled = 0;
            while (handled++ < 10_000 && reader.TryRead(out var e))
            {
                Handle(e);
            }
            IssueReadIndex();
            while (node.HasReady())
            {
                ProcessReady(node.Ready());
            }
            if (campaignPending)
            {
                // Raft refuses to campaign while a conf change (e.g. the bootstrap entries) is unapplied.
                campaignPending = false;
                node.Campaign();
                while (node.HasReady())
                {
                    ProcessReady(node.Ready());
                }
            }
        }
    }

    private void Handle(RaftEvent e)
    {
        switch (e)
        {
            case RaftEvent.Tick:
                node.Tick();
                RetryStaleReadIndex();
                break;
            case RaftEvent.Propose p:
                var err = node.Propose(UnsafeByteOperations.UnsafeWrap(p.Data));
                if (err != RaftError.None)
                {
                    host.Waits.Trigger(p.Id, new ApplyResult(null, DroppedError().ToException()));
                }
                break;
            case RaftEvent.ProposeConfChange c:
                if (node.ProposeConfChange(c.Change) != RaftError.None)
                {
                    host.Waits.Trigger(c.Change.Id, new ApplyResult(null, DroppedError().ToException()));
                }
                break;
            case RaftEvent.Step s:
                node.Step(s.Message);
                break;
            case RaftEvent.SnapshotReceived r:
                receivedSnapshots[r.Message.Snapshot.Metadata.Index] = r.DbPath;
                node.Step(r.Message);
                break;
            case RaftEvent.Unreachable u:
                node.ReportUnreachable(u.PeerId);
                break;
            case RaftEvent.SnapshotReport s:
                node.ReportSnapshot(s.PeerId, s.Status);
                break;
            case RaftEvent.TransferLeader t:
                node.TransferLeader(t.Transferee);
                break;
            case RaftEvent.Campaign:
                campaignPending = true;
                break;
            case RaftEvent.ReadIndex r:
                pendingReads.Add(r.Waiter);
                break;
            case RaftEvent.QueryStatus q:
                q.Waiter.TrySetResult(node.Status());
                break;
        }
    }

    private static async Task FirstOf(Task a, Task b) => await (await Task.WhenAny(a, b).ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary>A dropped proposal: there is no leader, or leadership is moving (clients retry both).</summary>
    private EtcdError DroppedError() => LeaderId == 0 ? EtcdErrors.NoLeader : EtcdErrors.LeaderChanged;

    public async ValueTask DisposeAsync()
    {
        events.Writer.TryComplete();
        await stop.CancelAsync().ConfigureAwait(false);
        await ticker.ConfigureAwait(false);
        try
        {
            await loop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidDataException || applier.Completion.IsFaulted)
        {
            // Already reported through Completion.
        }
        applier.Dispose();
        FailReads(EtcdErrors.Stopped);
        await transport.DisposeAsync().ConfigureAwait(false);
        stop.Dispose();
    }
}

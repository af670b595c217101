using Cairn.Raft;
using Cairn.Raft.Raftpb;
using Cairn.Server.Apply;
using Cairn.Server.Configuration;
using Cairn.Server.Membership;
using Cairn.Server.Peer.Peerpb;
using Cairn.Server.Raft;
using Cairn.Storage.Backend;
using Cairn.Storage.Mvcc;
using Cairn.Storage.Snap;
using Cairn.Storage.Wal;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace Cairn.Server;

/// <summary>
/// One member (etcd's EtcdServer): recovers its state from the data dir, turns client writes into proposals that
/// go through the raft node, applies committed entries to MVCC, and serves reads. Thin gRPC handlers call it.
/// </summary>
public sealed partial class EtcdServer : IAsyncDisposable
{
    private readonly ServerConfig config;
    private readonly DataDir dir;
    private readonly IBackend backend;
    private readonly MvccStore store;
    private readonly Wal wal;
    private readonly KvApplier applier;
    private readonly WaitRegistry waits = new();
    private readonly RequestIdGenerator ids;
    private readonly RaftCluster cluster;
    private readonly RaftNode raft;
    private readonly ILogger logger;
    private readonly TimeSpan requestTimeout;
    private readonly Hosting.TlsSetup? peerTls;
    private readonly TaskCompletionSource<string> stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private EtcdServer(ServerConfig config, DataDir dir, IBackend backend, Wal wal, Recovered recovered,
        ILoggerFactory loggers, TimeProvider time, Hosting.TlsSetup? peerTls = null)
    {
        this.config = config;
        this.dir = dir;
        this.backend = backend;
        this.wal = wal;
        this.peerTls = peerTls;
        logger = loggers.CreateLogger("cairn.server");
        MemberId = recovered.MemberId;
        ClusterId = recovered.ClusterId;
        store = new MvccStore(backend);
        cluster = new RaftCluster(backend, ClusterId);
        ids = new RequestIdGenerator(MemberId, time);
        lessor = CreateLessor(config, backend, store, time);
        watches = CreateWatches(config, store, time, logger);
        applier = new KvApplier(store, lessor.Exists);
        // etcd's request timeout: 5 s plus two election timeouts.
        requestTimeout = TimeSpan.FromSeconds(5) + TimeSpan.FromMilliseconds(2 * config.ElectionTimeoutMs);
        LogRecovering(recovered.Storage.LastIndex(), backend.ConsistentIndex.Index, store.CurrentRevision);

        raft = new RaftNode(new RaftNodeHost(
            MemberId, ClusterId, config.HeartbeatIntervalMs, config.ElectionTimeoutMs, config.SnapshotCount,
            wal, new Snapshotter(dir.SnapDir), recovered.Storage, recovered.Applied, recovered.ConfState,
            recovered.BootstrapPeers, backend, cluster, waits, ApplyEntry, InstallSnapshot, OnLeaderChanged, Stop) { PeerTls = peerTls },
            loggers);
        if (recovered.SingleVoter)
        {
            // A lone voter need not wait an election timeout to lead.
            raft.Campaign();
        }
        if (IsPublished())
        {
            // A restart with its attributes already in the cluster serves at once.
            ready.TrySetResult();
        }
        StartLeaseExpiry(time);
    }

    public ulong MemberId { get; }

    public ulong ClusterId { get; }

    public ulong LeaderId => raft.LeaderId;

    public ulong Term => raft.Term;

    public ulong CommittedIndex => raft.CommittedIndex;

    public ulong AppliedIndex => raft.AppliedIndex;

    public long Revision => store.CurrentRevision;

    public long DbSize => backend.Size;

    public long DbSizeInUse => backend.SizeInUse;

    public ServerConfig Config => config;

    public bool IsLearner => cluster.IsLearner(MemberId);

    /// <summary>Completes with the reason when the member stops by itself (removed, or a fatal error).</summary>
    public Task<string> Stopped => stopped.Task;

    /// <summary>
    /// Completes once this member's name and client URLs are in the cluster it has applied (etcd's ReadyNotify, after
    /// publish). Clients are served only then, so a new member never answers while it would list itself without
    /// client URLs (etcdctl cluster-health: "no available published client urls").
    /// </summary>
    public Task Ready => ready.Task;

    internal RaftNode Raft => raft;

    /// <summary>WAL fsyncs since this member started (tests observe group commit through it).</summary>
    internal long WalSyncCount => wal.SyncCount;

    internal IReadOnlyList<MemberInfo> Members => cluster.Members;

    /// <summary>Opens (or creates) the member's data dir: a restart recovers from the WAL and snapshot and ignores
    /// the --initial-* flags; a new member bootstraps (or joins) as --initial-cluster-state says.</summary>
    public static Task<EtcdServer> StartAsync(ServerConfig config, ILoggerFactory loggers, TimeProvider time, CancellationToken ct) =>
        StartAsync(config, null, loggers, time, ct);

    internal static async Task<EtcdServer> StartAsync(ServerConfig config, Hosting.TlsSetup? peerTls, ILoggerFactory loggers, TimeProvider time, CancellationToken ct)
    {
        var dir = new DataDir(config.DataDir);
        if (dir.WrittenByEtcd)
        {
            throw new StartupException(dir.EtcdDataDirError);
        }
        dir.Create();
        var backend = new SqliteBackend(dir.BackendPath);
        try
        {
            var (wal, recovered) = Wal.Exists(dir.WalDir)
                ? Recover(dir)
                : await Bootstrap.NewMemberAsync(config, dir, backend, peerTls, ct).ConfigureAwait(false);
            return new EtcdServer(config, dir, backend, wal, recovered, loggers, time, peerTls);
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }

    /// <summary>Rebuilds raft's storage from the newest usable snapshot and the WAL after it.</summary>
    private static (Wal, Recovered) Recover(DataDir dir)
    {
        var snapshotter = new Snapshotter(dir.SnapDir);
        var snapshot = snapshotter.LoadNewestAvailable(Wal.ValidSnapshotEntries(dir.WalDir));
        var start = snapshot is null
            ? new WalSnapshot()
            : new WalSnapshot(snapshot.Metadata.Index, snapshot.Metadata.Term, snapshot.Metadata.ConfState);
        var wal = Wal.Open(dir.WalDir, start);
        var read = wal.ReadAll();
        var metadata = WalMetadata.Parse(read.Metadata);
        var storage = new MemoryStorage();
        if (snapshot is not null)
        {
            storage.ApplySnapshot(snapshot);
        }
        storage.SetHardState(read.HardState);
        storage.Append(read.Entries);
        var confState = snapshot?.Metadata.ConfState ?? new ConfState();
        return (wal, new Recovered(metadata.MemberId, metadata.ClusterId, storage, start.Index, confState, null, false));
    }

    /// <summary>What the raft node starts from.</summary>
    internal sealed record Recovered(
        ulong MemberId,
        ulong ClusterId,
        MemoryStorage Storage,
        ulong Applied,
        ConfState ConfState,
        IReadOnlyList<Cairn.Raft.Peer>? BootstrapPeers,
        bool SingleVoter);

    private void Stop(string reason)
    {
        LogStopping(reason);
        stopped.TrySetResult(reason);
    }

    /// <summary>A snapshot from the leader: its backend file replaces ours, and MVCC reloads from it.</summary>
    private void InstallSnapshot(string dbPath, Snapshot snapshot)
    {
        backend.Restore(dbPath);
        store.Restore();
        OnSnapshotInstalled();
    }

    public async ValueTask DisposeAsync()
    {
        await StopLeaseExpiryAsync().ConfigureAwait(false);
        await watches.DisposeAsync().ConfigureAwait(false);
        await raft.DisposeAsync().ConfigureAwait(false);
        waits.FailAll(Cairn.Api.Errors.EtcdErrors.Stopped.ToException());
        backend.ForceCommit();
        store.Dispose();
        backend.Dispose();
        wal.Dispose();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "starting: raft log up to index {Last}, backend applied index {Applied}, revision {Revision}")]
    private partial void LogRecovering(ulong last, ulong applied, long revision);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "member stopping: {Reason}")]
    private partial void LogStopping(string reason);
}

using Cairn.Api.Cairnpb;
using Cairn.Api.Errors;
using Cairn.Api.Etcdserverpb;
using Cairn.Raft.Raftpb;
using Cairn.Server.Apply;
using Cairn.Server.Configuration;
using Cairn.Server.Membership;
using Member = Cairn.Server.Membership.Member;
using Cairn.Server.Raft;
using Cairn.Storage.Backend;
using Cairn.Storage.Mvcc;
using Cairn.Storage.Wal;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace Cairn.Server;

/// <summary>
/// One member (etcd's EtcdServer): recovers its state from the data dir, turns client writes into proposals that
/// go through the raft loop, applies committed entries to MVCC, and serves reads. Thin gRPC handlers call it.
/// </summary>
public sealed partial class EtcdServer : IAsyncDisposable
{
    private readonly ServerConfig config;
    private readonly IBackend backend;
    private readonly MvccStore store;
    private readonly Wal wal;
    private readonly KvApplier applier;
    private readonly WaitRegistry waits = new();
    private readonly RequestIdGenerator ids;
    private readonly RaftLoop raft;
    private readonly ILogger logger;
    private readonly TimeSpan requestTimeout;

    private EtcdServer(ServerConfig config, IBackend backend, MvccStore store, Wal wal, WalReadResult recovered,
        WalMetadata metadata, ILogger logger, TimeProvider time)
    {
        this.config = config;
        this.backend = backend;
        this.store = store;
        this.wal = wal;
        this.logger = logger;
        MemberId = metadata.MemberId;
        ClusterId = metadata.ClusterId;
        Members = [LocalMember(config, MemberId)];
        ids = new RequestIdGenerator(MemberId, time);
        applier = new KvApplier(store, _ => false);
        // etcd's request timeout: 5 s plus two election timeouts.
        requestTimeout = TimeSpan.FromSeconds(5) + TimeSpan.FromMilliseconds(2 * config.ElectionTimeoutMs);

        var lastIndex = recovered.LastIndex;
        var applied = backend.ConsistentIndex.Index;
        foreach (var entry in recovered.Entries)
        {
            if (entry.Index > applied)
            {
                ApplyEntry(entry);
            }
        }
        backend.ForceCommit();
        LogRecovered(recovered.Entries.Count, applied, lastIndex, store.CurrentRevision);

        // A restart is a new election for a single voter: the term moves on, as in etcd.
        var state = new HardState { Term = recovered.HardState.Term + 1, Vote = MemberId, Commit = lastIndex };
        wal.Save(state, [], mustSync: true);
        raft = new RaftLoop(wal, waits, state, lastIndex, ApplyEntry, logger);
        raft.SetApplied(lastIndex);
    }

    public ulong MemberId { get; }

    public ulong ClusterId { get; }

    public IReadOnlyList<Member> Members { get; }

    public ulong LeaderId => MemberId;

    public ulong Term => raft.Term;

    public ulong CommittedIndex => raft.CommittedIndex;

    public ulong AppliedIndex => raft.AppliedIndex;

    public long Revision => store.CurrentRevision;

    public long DbSize => backend.Size;

    public long DbSizeInUse => backend.SizeInUse;

    public ServerConfig Config => config;

    /// <summary>Completes when the member stops; faults when it stops on an error.</summary>
    public Task Completion => raft.Completion;

    /// <summary>Opens (or creates) the member's data dir and recovers: WAL entries past the backend's consistent
    /// index are applied again.</summary>
    public static EtcdServer Start(ServerConfig config, ILoggerFactory loggers, TimeProvider time)
    {
        var logger = loggers.CreateLogger("cairn.server");
        var dir = new DataDir(config.DataDir);
        if (dir.WrittenByEtcd)
        {
            throw new StartupException(dir.EtcdDataDirError);
        }
        dir.Create();

        Wal wal;
        WalMetadata metadata;
        WalReadResult recovered;
        if (Wal.Exists(dir.WalDir))
        {
            // A member with a WAL rejoins from it; the --initial-* flags are ignored, as in etcd.
            wal = Wal.Open(dir.WalDir, new WalSnapshot());
            recovered = wal.ReadAll();
            metadata = WalMetadata.Parse(recovered.Metadata);
        }
        else
        {
            metadata = Bootstrap(config);
            wal = Wal.Create(dir.WalDir, metadata.ToBytes());
            recovered = new WalReadResult(metadata.ToBytes(), new HardState(), []);
        }
        var backend = new SqliteBackend(dir.BackendPath);
        var store = new MvccStore(backend);
        return new EtcdServer(config, backend, store, wal, recovered, metadata, logger, time);
    }

    /// <summary>A new single-voter cluster: IDs derived from --initial-cluster as etcd derives them.</summary>
    private static WalMetadata Bootstrap(ServerConfig config)
    {
        if (config.InitialCluster.Count != 1)
        {
            throw new StartupException(
                $"--initial-cluster names {config.InitialCluster.Count} members; this version of cairn runs a single " +
                "member only. Give --initial-cluster just this member, e.g. " +
                $"{config.Name}={string.Join(",", config.InitialAdvertisePeerUrls.Select(u => u.OriginalString))}");
        }
        var self = config.InitialCluster.FirstOrDefault(m => m.Key == config.Name);
        if (self.Key is null)
        {
            throw new StartupException(
                $"couldn't find local name \"{config.Name}\" in the initial cluster configuration");
        }
        var memberId = MemberIds.ComputeMemberId(self.Value.Select(u => u.OriginalString), config.InitialClusterToken);
        return new WalMetadata(memberId, MemberIds.ComputeClusterId([memberId]));
    }

    private static Member LocalMember(ServerConfig config, ulong id) => new(
        id,
        config.Name,
        config.InitialAdvertisePeerUrls.Select(u => u.OriginalString).ToArray(),
        config.AdvertiseClientUrls.Select(u => u.OriginalString).ToArray());

    public Task<RangeResponse> RangeAsync(RangeRequest r, CancellationToken ct)
    {
        TxnChecks.CheckRange(r);
        return Task.FromResult(applier.Range(r));
    }

    public async Task<PutResponse> PutAsync(PutRequest r, CancellationToken ct)
    {
        TxnChecks.CheckPut(r);
        var result = await ProposeAsync(new InternalRaftRequest { Put = r }, ct).ConfigureAwait(false);
        return (PutResponse)result.Response!;
    }

    public async Task<DeleteRangeResponse> DeleteRangeAsync(DeleteRangeRequest r, CancellationToken ct)
    {
        TxnChecks.CheckDeleteRange(r);
        var result = await ProposeAsync(new InternalRaftRequest { DeleteRange = r }, ct).ConfigureAwait(false);
        return (DeleteRangeResponse)result.Response!;
    }

    /// <summary>A read-only txn is served locally, like a Range; any other goes through consensus.</summary>
    public async Task<TxnResponse> TxnAsync(TxnRequest r, CancellationToken ct)
    {
        TxnChecks.CheckTxn(r, config.MaxTxnOps);
        if (KvApplier.IsReadOnly(r))
        {
            return applier.Txn(r);
        }
        var result = await ProposeAsync(new InternalRaftRequest { Txn = r }, ct).ConfigureAwait(false);
        return (TxnResponse)result.Response!;
    }

    /// <summary>With physical, replies once the backend has really deleted the compacted revisions.</summary>
    public async Task<CompactionResponse> CompactAsync(CompactionRequest r, CancellationToken ct)
    {
        var result = await ProposeAsync(new InternalRaftRequest { Compaction = r }, ct).ConfigureAwait(false);
        if (r.Physical && result.Physical is { } physical)
        {
            await physical.WaitAsync(ct).ConfigureAwait(false);
        }
        return (CompactionResponse)result.Response!;
    }

    public (uint Hash, long Revision, long CompactRevision) HashKV(long revision) => store.HashByRev(revision);

    /// <summary>
    /// Proposes one envelope and waits for it to be applied. The marshalled envelope may not exceed
    /// --max-request-bytes; a request not applied within the request timeout gets "request timed out".
    /// </summary>
    private async Task<ApplyResult> ProposeAsync(InternalRaftRequest request, CancellationToken ct)
    {
        var id = ids.Next();
        request.Version = InternalRaftRequest.CurrentVersion;
        request.Header = new RequestHeader { ID = id };
        var data = request.ToByteArray();
        if (data.Length > config.MaxRequestBytes)
        {
            throw EtcdErrors.RequestTooLarge.ToException();
        }
        var wait = waits.Register(id);
        raft.Propose(id, data);
        ApplyResult result;
        try
        {
            result = await wait.WaitAsync(requestTimeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            waits.Cancel(id);
            throw EtcdErrors.Timeout.ToException();
        }
        if (result.Error is { } error)
        {
            throw error;
        }
        return result;
    }

    /// <summary>
    /// Applies one committed entry (on the raft loop's thread, in index order) and records its index as the
    /// backend's consistent index in the same batch, so a restart replays exactly the entries not yet applied.
    /// </summary>
    private void ApplyEntry(Entry entry)
    {
        // One batch scope per entry: the entry's writes and its consistent index commit together.
        using var batch = backend.BatchTx();
        InternalRaftRequest? request = null;
        ApplyResult result;
        if (entry.Data.IsEmpty)
        {
            result = new ApplyResult(null, null);
        }
        else
        {
            request = InternalRaftRequest.Parser.ParseFrom(entry.Data);
            if (!request.IsApplicable)
            {
                // Skipping it would make this member diverge from the others: stop instead.
                throw new InvalidDataException(
                    $"raft entry {entry.Index} holds an envelope of version {request.Version} that this cairn cannot " +
                    $"apply (it understands versions 1 to {InternalRaftRequest.CurrentVersion}); upgrade this member");
            }
            result = Apply(request);
        }
        backend.SetConsistentIndex(entry.Index, entry.Term);
        if (request is not null)
        {
            waits.Trigger(request.Header.ID, result);
        }
    }

    private ApplyResult Apply(InternalRaftRequest request)
    {
        try
        {
            switch (request.RequestCase)
            {
                case InternalRaftRequest.RequestOneofCase.Put:
                    return new ApplyResult(applier.Put(request.Put), null);
                case InternalRaftRequest.RequestOneofCase.DeleteRange:
                    return new ApplyResult(applier.DeleteRange(request.DeleteRange), null);
                case InternalRaftRequest.RequestOneofCase.Txn:
                    return new ApplyResult(applier.Txn(request.Txn), null);
                case InternalRaftRequest.RequestOneofCase.Compaction:
                    var physical = store.Compact(request.Compaction.Revision);
                    var resp = new CompactionResponse { Header = new ResponseHeader { Revision = store.CurrentRevision } };
                    return new ApplyResult(resp, null, physical);
                default:
                    throw new InvalidOperationException($"no apply path for {request.RequestCase}");
            }
        }
        catch (EtcdException e)
        {
            return new ApplyResult(null, e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await raft.DisposeAsync().ConfigureAwait(false);
        waits.FailAll(EtcdErrors.Stopped.ToException());
        backend.ForceCommit();
        store.Dispose();
        backend.Dispose();
        wal.Dispose();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "recovered: {Entries} WAL entries, backend applied index {Applied}, last index {Last}, revision {Revision}")]
    private partial void LogRecovered(int entries, ulong applied, ulong last, long revision);
}

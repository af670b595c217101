using System.Threading.Channels;
using Cairn.Api.Errors;
using Cairn.Raft.Raftpb;
using Cairn.Storage.Wal;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Raft;

/// <summary>
/// The proposal pipeline of a single-voter member: propose → append to the WAL (fsync) → commit → apply → reply.
/// It is shaped as etcd's raft loop around a Ready: every batch of proposals becomes raft entries and a HardState
/// that are persisted with ONE fsync (group commit) before they count as committed, then the entries are applied in
/// index order and their waiters triggered. A multi-member cluster replaces the commit step with Cairn.Raft.
/// </summary>
internal sealed partial class RaftLoop : IAsyncDisposable
{
    /// <summary>Upper bound of proposals taken into one batch (one fsync).</summary>
    private const int MaxBatch = 4096;

    private readonly Channel<Proposal> proposals = Channel.CreateUnbounded<Proposal>(
        new UnboundedChannelOptions { SingleReader = true });
    private readonly Wal wal;
    private readonly WaitRegistry waits;
    private readonly Action<Entry> apply;
    private readonly ILogger logger;
    private readonly Task loop;
    private HardState hardState;
    private ulong lastIndex;

    /// <param name="wal">The open WAL, already read to its end.</param>
    /// <param name="hardState">The recovered HardState (term, vote, commit).</param>
    /// <param name="lastIndex">The index of the last entry in the WAL.</param>
    /// <param name="apply">Applies one committed entry and triggers its waiter; runs on the loop's thread only, in
    /// index order.</param>
    public RaftLoop(Wal wal, WaitRegistry waits, HardState hardState, ulong lastIndex, Action<Entry> apply, ILogger logger)
    {
        this.wal = wal;
        this.waits = waits;
        this.hardState = hardState;
        this.lastIndex = lastIndex;
        this.apply = apply;
        this.logger = logger;
        loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    public ulong Term => Volatile.Read(ref hardState).Term;

    public ulong CommittedIndex => Volatile.Read(ref hardState).Commit;

    public ulong AppliedIndex { get; private set; }

    /// <summary>Completes with the loop; faults if applying hit a bug, so the host can stop.</summary>
    public Task Completion => loop;

    /// <summary>Queues an entry; the caller awaits <see cref="WaitRegistry"/> for its result.</summary>
    public void Propose(ulong id, byte[] data)
    {
        if (!proposals.Writer.TryWrite(new Proposal(id, data)))
        {
            waits.Trigger(id, new ApplyResult(null, EtcdErrors.Stopped.ToException()));
        }
    }

    /// <summary>Marks everything up to <paramref name="index"/> applied (entries replayed at start-up).</summary>
    public void SetApplied(ulong index) => AppliedIndex = index;

    private async Task RunAsync()
    {
        var reader = proposals.Reader;
        var batch = new List<Proposal>(MaxBatch);
        var entries = new List<Entry>(MaxBatch);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            entries.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var p))
            {
                batch.Add(p);
                entries.Add(new Entry
                {
                    Term = hardState.Term,
                    Index = ++lastIndex,
                    Type = EntryType.EntryNormal,
                    Data = UnsafeByteOperations.UnsafeWrap(p.Data),
                });
            }
            var next = hardState.Clone();
            next.Commit = lastIndex;
            try
            {
                wal.Save(next, entries, mustSync: true);
            }
            catch (IOException e)
            {
                // Nothing in this batch was acknowledged; the member cannot go on without its WAL.
                LogWalFailed(e);
                var error = EtcdErrors.Stopped.ToException();
                foreach (var p in batch)
                {
                    waits.Trigger(p.Id, new ApplyResult(null, error));
                }
                throw;
            }
            Volatile.Write(ref hardState, next);
            for (var i = 0; i < entries.Count; i++)
            {
                apply(entries[i]);
                AppliedIndex = entries[i].Index;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        proposals.Writer.TryComplete();
        try
        {
            await loop.ConfigureAwait(false);
        }
        catch (IOException)
        {
            // Already logged by the loop.
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Critical, Message = "writing the WAL failed; stopping the member")]
    private partial void LogWalFailed(Exception e);

    private readonly record struct Proposal(ulong Id, byte[] Data);
}

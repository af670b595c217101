using Cairn.Api.Mvccpb;
using Cairn.Storage.Mvcc;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Watch;

/// <summary>
/// MVCC's watch side, designed as etcd's watchable store. Watchers are in one of three places:
/// <list type="bullet">
/// <item><b>synced</b>: caught up; each commit's events go to them from <see cref="OnCommit"/>, one response per
/// watcher per revision (so a txn's events travel together);</item>
/// <item><b>unsynced</b>: behind (a start revision in the past, or back from the victim set); the sync loop reads
/// MVCC history in bounded rounds and moves them to synced once they have everything up to the last commit;</item>
/// <item><b>victims</b>: a response found its stream's buffer full; it is kept and offered again every 10 ms, then
/// the watcher continues from history. So a slow client never blocks the writer or other watchers.</item>
/// </list>
/// A watcher's <see cref="Watcher.MinRev"/> is the next revision it needs; every path delivers exactly the
/// revisions at or above it and moves it past them, so events arrive in order, without gaps or duplicates.
/// A watcher whose next revision has been compacted gets one response with the compact revision and is removed.
/// </summary>
internal sealed partial class WatchableStore : IMvccObserver, IAsyncDisposable
{
    private readonly Lock gate = new();
    private readonly MvccStore store;
    private readonly WatchOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly WatcherGroup synced = new();
    private readonly WatcherGroup unsynced = new();
    private Dictionary<Watcher, EventBatch> victims = [];
    // The last revision handed to OnCommit: synced watchers have been offered everything up to it.
    private long notified;
    // Scratch for OnCommit (only ever used under the lock).
    private readonly Dictionary<Watcher, EventBatch> commitBatches = [];
    private readonly List<Watcher> matched = [];

    public WatchableStore(MvccStore store, WatchOptions options, TimeProvider time, ILogger logger)
    {
        this.store = store;
        this.options = options;
        this.time = time;
        this.logger = logger;
        notified = store.CurrentRevision;
        syncLoop = Task.Run(SyncLoopAsync);
        victimLoop = Task.Run(VictimLoopAsync);
    }

    public MvccStore Store => store;

    public WatchOptions Options => options;

    public TimeProvider Time => time;

    /// <summary>Watchers in each place (synced, unsynced or being synced, victims), for tests and metrics.</summary>
    public (int Synced, int Unsynced, int Victims) Counts
    {
        get
        {
            lock (gate)
            {
                return (synced.Count, unsynced.Count + syncing, victims.Count);
            }
        }
    }

    /// <summary>
    /// Starts delivering to <paramref name="w"/> from <paramref name="startRev"/>: a revision after the last commit
    /// makes it synced at once; an earlier one makes it unsynced, and the sync loop replays history to it.
    /// </summary>
    public void Add(Watcher w, long startRev)
    {
        lock (gate)
        {
            w.MinRev = startRev;
            if (startRev > notified)
            {
                w.State = WatcherState.Synced;
                synced.Add(w);
                return;
            }
            w.State = WatcherState.Unsynced;
            unsynced.Add(w);
        }
        WakeSync();
    }

    /// <summary>Stops delivering to <paramref name="w"/>; false when it had already been removed (e.g. compacted).</summary>
    public bool Cancel(Watcher w)
    {
        lock (gate)
        {
            switch (w.State)
            {
                case WatcherState.Synced:
                    synced.Remove(w);
                    break;
                case WatcherState.Unsynced:
                    unsynced.Remove(w);
                    break;
                case WatcherState.Victim:
                    victims.Remove(w);
                    break;
                case WatcherState.Removed:
                    return false;
            }
            // A watcher being synced is dropped by its round when it sees the state.
            w.State = WatcherState.Removed;
            return true;
        }
    }

    /// <summary>
    /// A write txn committed <paramref name="revision"/> (called by MVCC on the writer's thread, in revision order).
    /// Each synced watcher of the changed keys is offered one response with its events of this revision; one whose
    /// stream is full becomes a victim holding that response, and continues from the next revision later.
    /// </summary>
    public void OnCommit(long revision, IReadOnlyList<Event> events)
    {
        var wakeVictims = false;
        lock (gate)
        {
            notified = revision;
            if (synced.Count == 0)
            {
                return;
            }
            foreach (var e in events)
            {
                matched.Clear();
                synced.Collect(e.Kv.Key, matched);
                foreach (var w in matched)
                {
                    if (e.Kv.ModRevision < w.MinRev)
                    {
                        continue;
                    }
                    if (!commitBatches.TryGetValue(w, out var batch))
                    {
                        commitBatches[w] = batch = new EventBatch(int.MaxValue);
                    }
                    batch.Add(e);
                }
            }
            foreach (var (w, batch) in commitBatches)
            {
                if (w.TrySend(batch.Events, revision))
                {
                    // Keeps the position exact, should the watcher have to catch up from history later (Restore).
                    w.MinRev = revision + 1;
                    continue;
                }
                w.MinRev = revision + 1;
                w.State = WatcherState.Victim;
                synced.Remove(w);
                victims[w] = batch;
                wakeVictims = true;
            }
            commitBatches.Clear();
            matched.Clear();
        }
        if (wakeVictims)
        {
            WakeVictims();
        }
    }

    /// <summary>
    /// A stream's progress request (etcd 3.5): when every live watcher of the stream is synced, queues one
    /// response with watch ID -1 at the last committed revision and returns true; returns false (nothing sent)
    /// while any is catching up, so the stream retries. A stream without watchers gets nothing (true).
    /// </summary>
    public bool ProgressAll(IReadOnlyCollection<Watcher> watchers, WatchOutbox outbox)
    {
        lock (gate)
        {
            var live = 0;
            foreach (var w in watchers)
            {
                if (w.State == WatcherState.Removed)
                {
                    continue;
                }
                if (w.State != WatcherState.Synced)
                {
                    return false;
                }
                live++;
            }
            return live == 0 || outbox.TryEnqueue(new WatchDelivery(null, -1, [], notified));
        }
    }

    /// <summary>A periodic progress notification for one synced watcher (dropped while it catches up or its stream is full).</summary>
    public void RequestProgress(Watcher w)
    {
        lock (gate)
        {
            if (w.State == WatcherState.Synced)
            {
                w.TrySend([], notified);
            }
        }
    }

    /// <summary>
    /// The store's contents were replaced (a snapshot from the leader): every synced watcher may have missed
    /// revisions, so all of them catch up from history again (those past the new revision simply wait).
    /// </summary>
    public void Restore()
    {
        lock (gate)
        {
            notified = store.CurrentRevision;
            foreach (var w in synced.Watchers)
            {
                w.State = WatcherState.Unsynced;
                unsynced.Add(w);
            }
            foreach (var w in unsynced.Watchers)
            {
                synced.Remove(w);
            }
        }
        WakeSync();
    }
}

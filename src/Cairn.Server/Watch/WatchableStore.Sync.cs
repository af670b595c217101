using Cairn.Api.Errors;
using Cairn.Api.Mvccpb;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Watch;

/// <summary>The sync loop (unsynced watchers catch up from MVCC history) and the victim loop.</summary>
internal sealed partial class WatchableStore
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task syncLoop;
    private readonly Task victimLoop;
    private TaskCompletionSource syncWake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource victimWake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Watchers taken by the running sync round (they are in no group meanwhile).
    private int syncing;

    /// <summary>
    /// One sync round over up to <see cref="WatchOptions.MaxWatchersPerSync"/> unsynced watchers; returns how many
    /// unsynced watchers remain.
    /// <para>The history from their lowest next revision up to the current revision is read without the lock (at most
    /// <see cref="WatchOptions.SyncReadLimit"/> events, whole revisions), so writers are not held up. Then, under the
    /// lock (no commit can be offered meanwhile), the few revisions committed during the read are read as well, each
    /// watcher gets its events at or above its next revision (at most <see cref="WatchOptions.MaxRevisionsPerResponse"/>
    /// revisions) in one response, and a watcher that now has everything up to the last commit becomes synced.
    /// Commits offered while it was unsynced are exactly what the read covers, so nothing is lost or repeated.</para>
    /// <para>A watcher whose next revision is below the compact revision gets the compaction notice instead and is
    /// removed; a compaction during the read sends the affected watchers back for the next round to notify.</para>
    /// </summary>
    internal int SyncOnce()
    {
        var chosen = new List<Watcher>();
        long minRev = long.MaxValue;
        long toRev;
        lock (gate)
        {
            if (unsynced.Count == 0)
            {
                return 0;
            }
            var compactRev = store.CompactRevision;
            toRev = store.CurrentRevision;
            List<Watcher>? compacted = null;
            foreach (var w in unsynced.Watchers)
            {
                if (w.MinRev < compactRev)
                {
                    (compacted ??= []).Add(w);
                    continue;
                }
                if (chosen.Count < options.MaxWatchersPerSync)
                {
                    chosen.Add(w);
                    minRev = Math.Min(minRev, w.MinRev);
                }
            }
            foreach (var w in compacted ?? [])
            {
                // A full stream keeps it unsynced; the notice is offered again next round.
                if (w.Outbox.TryEnqueue(new WatchDelivery(w, w.Id, [], 0, compactRev)))
                {
                    unsynced.Remove(w);
                    w.State = WatcherState.Removed;
                }
            }
            foreach (var w in chosen)
            {
                unsynced.Remove(w);
                w.State = WatcherState.Syncing;
            }
            syncing = chosen.Count;
            if (chosen.Count == 0)
            {
                return unsynced.Count;
            }
        }

        List<Event>? history = null;
        var end = toRev;
        if (minRev <= toRev)
        {
            history = ReadHistory(minRev, toRev, ref end);
        }
        else
        {
            history = [];
        }

        var wakeVictims = false;
        lock (gate)
        {
            syncing = 0;
            var compactRev = store.CompactRevision;
            if (history is not null && end == toRev)
            {
                // The commits made during the read; none can be offered while the lock is held.
                var current = store.CurrentRevision;
                if (current > toRev)
                {
                    var delta = ReadHistory(toRev + 1, current, ref end);
                    if (delta is null)
                    {
                        history = null;
                    }
                    else
                    {
                        history.AddRange(delta);
                    }
                }
            }
            var group = new WatcherGroup();
            foreach (var w in chosen)
            {
                if (w.State != WatcherState.Syncing)
                {
                    continue; // canceled meanwhile
                }
                if (history is null || w.MinRev < compactRev)
                {
                    w.State = WatcherState.Unsynced;
                    unsynced.Add(w);
                    continue;
                }
                group.Add(w);
            }
            var batches = new Dictionary<Watcher, EventBatch>();
            foreach (var e in history ?? [])
            {
                matched.Clear();
                group.Collect(e.Kv.Key, matched);
                foreach (var w in matched)
                {
                    if (e.Kv.ModRevision < w.MinRev)
                    {
                        continue;
                    }
                    if (!batches.TryGetValue(w, out var batch))
                    {
                        batches[w] = batch = new EventBatch(options.MaxRevisionsPerResponse);
                    }
                    batch.Add(e);
                }
            }
            matched.Clear();
            foreach (var w in group.Watchers)
            {
                batches.TryGetValue(w, out var batch);
                var next = batch is { MoreRev: > 0 } ? batch.MoreRev : end + 1;
                if (batch is { Events.Count: > 0 } && !w.TrySend(batch.Events, end))
                {
                    w.MinRev = next;
                    w.State = WatcherState.Victim;
                    victims[w] = batch;
                    wakeVictims = true;
                    continue;
                }
                w.MinRev = next;
                if (next > notified)
                {
                    w.State = WatcherState.Synced;
                    synced.Add(w);
                }
                else
                {
                    w.State = WatcherState.Unsynced;
                    unsynced.Add(w);
                }
            }
        }
        if (wakeVictims)
        {
            WakeVictims();
        }
        lock (gate)
        {
            return unsynced.Count;
        }
    }

    /// <summary>
    /// The events of revisions <paramref name="from"/>..<paramref name="to"/>, at most the read limit (whole
    /// revisions); <paramref name="end"/> becomes the last revision covered. Null when compaction got there first.
    /// </summary>
    private List<Event>? ReadHistory(long from, long to, ref long end)
    {
        try
        {
            var events = store.RangeEvents(from, to + 1, options.SyncReadLimit);
            end = events.Count >= options.SyncReadLimit ? events[^1].Kv.ModRevision : to;
            return events as List<Event> ?? [.. events];
        }
        catch (EtcdException e) when (e.Error == EtcdErrors.Compacted)
        {
            return null;
        }
    }

    /// <summary>
    /// Offers each victim's held response again (the header revision is the last one it covers); a watcher whose
    /// response went out continues as synced or unsynced from its next revision. Returns how many went out.
    /// </summary>
    internal int MoveVictims()
    {
        Dictionary<Watcher, EventBatch> taken;
        lock (gate)
        {
            if (victims.Count == 0)
            {
                return 0;
            }
            taken = victims;
            victims = [];
        }
        var sent = new HashSet<Watcher>(taken.Count);
        var wakeSync = false;
        foreach (var (w, batch) in taken)
        {
            if (w.TrySend(batch.Events, w.MinRev - 1))
            {
                sent.Add(w);
            }
        }
        lock (gate)
        {
            foreach (var (w, batch) in taken)
            {
                if (w.State != WatcherState.Victim)
                {
                    continue; // canceled meanwhile
                }
                if (!sent.Contains(w))
                {
                    victims[w] = batch;
                    continue;
                }
                if (w.MinRev > notified)
                {
                    w.State = WatcherState.Synced;
                    synced.Add(w);
                }
                else
                {
                    w.State = WatcherState.Unsynced;
                    unsynced.Add(w);
                    wakeSync = true;
                }
            }
        }
        if (wakeSync)
        {
            WakeSync();
        }
        return sent.Count;
    }

    private async Task SyncLoopAsync()
    {
        var token = stop.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                // Published before looking for work, so a wake-up after the look is never lost.
                var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref syncWake, wake);
                var started = time.GetTimestamp();
                int before;
                lock (gate)
                {
                    before = unsynced.Count;
                }
                var left = before > 0 ? SyncOnce() : 0;
                var wait = options.SyncInterval;
                if (left > 0 && left < before)
                {
                    // More to do: yield as long as the round took, to be fair to writers.
                    wait = time.GetElapsedTime(started);
                }
                if (left == 0)
                {
                    await wake.Task.WaitAsync(token).ConfigureAwait(false);
                    // Watchers are often created in bursts (a client resuming many watches): let the burst gather so
                    // one history read serves all of it.
                    await Task.Delay(options.SyncGather, time, token).ConfigureAwait(false);
                }
                else
                {
                    await Task.Delay(wait, time, token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e)
        {
            LogLoopFailed("sync", e);
            throw;
        }
    }

    private async Task VictimLoopAsync()
    {
        var token = stop.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref victimWake, wake);
                while (MoveVictims() != 0)
                {
                }
                bool empty;
                lock (gate)
                {
                    empty = victims.Count == 0;
                }
                if (empty)
                {
                    await wake.Task.WaitAsync(token).ConfigureAwait(false);
                }
                else
                {
                    await Task.Delay(options.VictimRetryInterval, time, token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e)
        {
            LogLoopFailed("victim", e);
            throw;
        }
    }

    private void WakeSync() => Volatile.Read(ref syncWake).TrySetResult();

    private void WakeVictims() => Volatile.Read(ref victimWake).TrySetResult();

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(syncLoop, victimLoop).ConfigureAwait(false);
        stop.Dispose();
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Critical, Message = "the watch {Loop} loop failed")]
    private partial void LogLoopFailed(string loop, Exception e);
}

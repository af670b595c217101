using Cairn.Raft.Raftpb;

namespace Cairn.Server.Raft;

/// <summary>
/// Applies committed normal entries in index order on its own thread (etcd's apply goroutine, fed by the raft
/// loop's applyc), so the loop persists and sends the next Ready while this one is applied. The loop hands over
/// only entries it has already persisted. Conf changes and snapshots are handled on the loop itself, which first
/// calls <see cref="Drain"/> so that everything before them is applied. A small batch that finds the applier idle is
/// applied on the caller's thread instead: waking the apply thread costs more than applying a few entries, and a
/// lone client's put waits for that wake.
/// </summary>
internal sealed class Applier : IDisposable
{
    /// <summary>Handed-over entries not yet applied past which the loop waits for apply to catch up
    /// (etcd's maxGapBetweenApplyAndCommitIndex).</summary>
    private const int MaxBacklog = 5000;

    /// <summary>Batches up to this size are applied on the caller's thread when nothing is queued or applying.</summary>
    private const int InlineMax = 8;

    private readonly Action<Entry> apply;
    private readonly Action<ulong> applied;
    private readonly Queue<Entry[]> queue = new();
    private readonly object gate = new();
    private readonly Thread thread;
    private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int backlog;
    private bool busy;
    private bool stopping;
    private Exception? fault;

    /// <param name="apply">Applies one entry.</param>
    /// <param name="applied">Called after a batch with its last index.</param>
    public Applier(Action<Entry> apply, Action<ulong> applied)
    {
        this.apply = apply;
        this.applied = applied;
        thread = new Thread(Run) { IsBackground = true, Name = "cairn apply" };
        thread.Start();
    }

    /// <summary>Completes when the thread ends: faulted with the exception that stopped apply, if any.</summary>
    public Task Completion => completion.Task;

    /// <summary>Queues committed, persisted entries, or applies a small batch at once when the applier is idle;
    /// blocks while the backlog is full. Throws what stopped apply.</summary>
    public void Enqueue(Entry[] entries)
    {
        lock (gate)
        {
            while (backlog >= MaxBacklog && fault is null && !stopping)
            {
                Monitor.Wait(gate);
            }
            ThrowIfFaulted();
            var inline = entries.Length <= InlineMax && queue.Count == 0 && !busy && !stopping;
            backlog += entries.Length;
            if (!inline)
            {
                queue.Enqueue(entries);
                Monitor.PulseAll(gate);
                return;
            }
            busy = true;
        }
        if (!TryApply(entries, inline: true))
        {
            ThrowIfFaulted();
        }
    }

    /// <summary>Waits until every queued entry is applied. Throws what stopped apply.</summary>
    public void Drain()
    {
        lock (gate)
        {
            while ((queue.Count > 0 || busy) && fault is null && !stopping)
            {
                Monitor.Wait(gate);
            }
            ThrowIfFaulted();
        }
    }

    public void ThrowIfFaulted()
    {
        if (Volatile.Read(ref fault) is { } e)
        {
            throw new InvalidOperationException("applying committed entries failed; the member stops", e);
        }
    }

    /// <summary>Stops after the batch in hand; entries still queued are applied again from the WAL on restart.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            stopping = true;
            Monitor.PulseAll(gate);
        }
        thread.Join();
    }

    private void Run()
    {
        while (Next() is { } batch)
        {
            if (!TryApply(batch, inline: false))
            {
                return;
            }
        }
        completion.TrySetResult();
    }

    /// <summary>Applies a batch taken while busy was set; on failure records the fault and ends Completion. Only
    /// the loop waits for busy or the backlog to drop, so a batch applied inline on the loop wakes nobody.</summary>
    private bool TryApply(Entry[] batch, bool inline)
    {
        try
        {
            foreach (var entry in batch)
            {
                apply(entry);
            }
            applied(batch[^1].Index);
            lock (gate)
            {
                busy = false;
                backlog -= batch.Length;
                if (!inline)
                {
                    Monitor.PulseAll(gate);
                }
            }
            return true;
        }
        catch (Exception e)
        {
            lock (gate)
            {
                fault = e;
                Monitor.PulseAll(gate);
            }
            completion.TrySetException(e);
            return false;
        }
    }

    private Entry[]? Next()
    {
        lock (gate)
        {
            while (queue.Count == 0 && !stopping)
            {
                Monitor.Wait(gate);
            }
            if (stopping)
            {
                return null;
            }
            busy = true;
            return queue.Dequeue();
        }
    }
}

using Cairn.Raft.Raftpb;

namespace Cairn.Server.Raft;

/// <summary>
/// Applies committed normal entries in index order on its own thread (etcd's apply goroutine, fed by the raft
/// loop's applyc), so the loop persists and sends the next Ready while this one is applied. The loop hands over
/// only entries it has already persisted. Conf changes and snapshots are handled on the loop itself, which first
/// calls <see cref="Drain"/> so that everything before them is applied.
/// </summary>
internal sealed class Applier : IDisposable
{
    /// <summary>Handed-over entries not yet applied past which the loop waits for apply to catch up
    /// (etcd's maxGapBetweenApplyAndCommitIndex).</summary>
    private const int MaxBacklog = 5000;

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

    /// <summary>Queues committed, persisted entries; blocks while the backlog is full. Throws what stopped apply.</summary>
    public void Enqueue(Entry[] entries)
    {
        lock (gate)
        {
            while (backlog >= MaxBacklog && fault is null && !stopping)
            {
                Monitor.Wait(gate);
            }
            ThrowIfFaulted();
            queue.Enqueue(entries);
            backlog += entries.Length;
            Monitor.PulseAll(gate);
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
        try
        {
            while (Next() is { } batch)
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
                    Monitor.PulseAll(gate);
                }
            }
            completion.TrySetResult();
        }
        catch (Exception e)
        {
            lock (gate)
            {
                fault = e;
                Monitor.PulseAll(gate);
            }
            completion.TrySetException(e);
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

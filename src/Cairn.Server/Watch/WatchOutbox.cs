using Cairn.Api.Etcdserverpb;

namespace Cairn.Server.Watch;

/// <summary>
/// What one stream has to send, for its single send loop: control responses (created, canceled), which are never
/// dropped, and store deliveries, bounded by <see cref="WatchOptions.StreamBuffer"/> so that a slow client turns its
/// watchers into victims instead of holding up the writer that offered them. Control goes first.
/// </summary>
internal sealed class WatchOutbox(int capacity)
{
    private readonly Lock gate = new();
    private readonly Queue<(WatchResponse Response, Watcher? Announces)> control = new();
    private readonly Queue<WatchDelivery> deliveries = new();
    private TaskCompletionSource? waiter;
    private bool closed;

    public bool IsClosed
    {
        get
        {
            lock (gate)
            {
                return closed;
            }
        }
    }

    /// <summary>Whether anything is queued.</summary>
    public bool HasItems
    {
        get
        {
            lock (gate)
            {
                return control.Count + deliveries.Count > 0;
            }
        }
    }

    /// <summary>Queues a delivery unless the buffer is full. A closed outbox swallows it (its stream is gone).</summary>
    public bool TryEnqueue(WatchDelivery delivery)
    {
        TaskCompletionSource? wake;
        lock (gate)
        {
            if (closed)
            {
                return true;
            }
            if (deliveries.Count >= capacity)
            {
                return false;
            }
            deliveries.Enqueue(delivery);
            wake = waiter;
            waiter = null;
        }
        wake?.TrySetResult();
        return true;
    }

    /// <summary>Queues a control response; <paramref name="announces"/> is the watcher a created response announces.</summary>
    public void EnqueueControl(WatchResponse response, Watcher? announces = null)
    {
        TaskCompletionSource? wake;
        lock (gate)
        {
            if (closed)
            {
                return;
            }
            control.Enqueue((response, announces));
            wake = waiter;
            waiter = null;
        }
        wake?.TrySetResult();
    }

    /// <summary>Takes the next item, control first.</summary>
    public bool TryTake(out (WatchResponse Response, Watcher? Announces) controlItem, out WatchDelivery? delivery)
    {
        lock (gate)
        {
            if (control.TryDequeue(out controlItem))
            {
                delivery = null;
                return true;
            }
            return deliveries.TryDequeue(out delivery);
        }
    }

    /// <summary>Completes when something is queued (at once if something already is) or the outbox closes.</summary>
    public Task WaitAsync()
    {
        lock (gate)
        {
            if (closed || control.Count + deliveries.Count > 0)
            {
                return Task.CompletedTask;
            }
            waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return waiter.Task;
        }
    }

    /// <summary>Drops everything and refuses more; wakes the send loop.</summary>
    public void Close()
    {
        TaskCompletionSource? wake;
        lock (gate)
        {
            closed = true;
            control.Clear();
            deliveries.Clear();
            wake = waiter;
            waiter = null;
        }
        wake?.TrySetResult();
    }
}

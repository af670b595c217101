using Cairn.Api.Errors;
using Cairn.Api.Etcdserverpb;
using Cairn.Api.Mvccpb;
using Cairn.Storage.Mvcc;

namespace Cairn.Server.Watch;

/// <summary>The stream's send loop: the only writer to the client.</summary>
internal sealed partial class WatchStream
{
    /// <summary>
    /// Writes the stream's responses until <paramref name="ct"/> is canceled or a write fails. A watcher's
    /// responses are held back until its created response has gone out; a canceled watcher's are dropped.
    /// prev_kv is read at mod_revision − 1 (left out when compacted or absent). Progress-notify watchers that saw
    /// no events since the last tick get a progress notification each interval; a deferred progress request is
    /// retried after each response and every <see cref="WatchOptions.DeferredProgressRetry"/>.
    /// </summary>
    /// <param name="write">Writes one response; the flag says whether to flush (false: more follow at once).</param>
    public async Task RunSendLoopAsync(Func<WatchResponse, bool, Task> write, CancellationToken ct)
    {
        var options = store.Options;
        var tick = Task.Delay(NextProgressInterval(), time, ct);
        while (!ct.IsCancellationRequested && !outbox.IsClosed)
        {
            while (outbox.TryTake(out var control, out var delivery))
            {
                if (delivery is null)
                {
                    await write(control.Response, !outbox.HasItems).ConfigureAwait(false);
                    if (control.Announces is { } announced)
                    {
                        announced.Announced = true;
                        var pending = announced.Pending;
                        announced.Pending = null;
                        foreach (var held in pending ?? [])
                        {
                            await SendAsync(held, write).ConfigureAwait(false);
                        }
                    }
                }
                else
                {
                    await SendAsync(delivery, write).ConfigureAwait(false);
                }
                RetryDeferredProgress();
            }
            RetryDeferredProgress();
            var next = outbox.WaitAsync();
            var wait = Volatile.Read(ref deferredProgress) == 1
                ? Task.WhenAny(next, tick, Task.Delay(options.DeferredProgressRetry, time, ct))
                : Task.WhenAny(next, tick);
            await wait.ConfigureAwait(false);
            if (tick.IsCompleted && !ct.IsCancellationRequested)
            {
                ProgressTick();
                tick = Task.Delay(NextProgressInterval(), time, ct);
            }
        }
    }

    private async Task SendAsync(WatchDelivery delivery, Func<WatchResponse, bool, Task> write)
    {
        var w = delivery.Watcher;
        if (w is not null)
        {
            if (w.Canceled)
            {
                return;
            }
            if (!w.Announced)
            {
                (w.Pending ??= []).Add(delivery);
                return;
            }
        }
        var response = Build(delivery);
        if (w is not null && (w.Flags & WatcherFlags.Fragment) != 0)
        {
            foreach (var part in WatchFragments.Split(response, store.Options.MaxRequestBytes))
            {
                await write(part, !part.Fragment && !outbox.HasItems).ConfigureAwait(false);
            }
        }
        else
        {
            await write(response, !outbox.HasItems).ConfigureAwait(false);
        }
        if (w is not null && delivery.Events.Count > 0)
        {
            w.ProgressDue = false;
        }
    }

    private WatchResponse Build(WatchDelivery delivery)
    {
        var response = new WatchResponse
        {
            Header = header(delivery.Revision),
            WatchId = delivery.WatchId,
            CompactRevision = delivery.CompactRevision,
            Canceled = delivery.CompactRevision != 0,
        };
        if (delivery.Watcher is not { } w || (w.Flags & WatcherFlags.PrevKv) == 0)
        {
            response.Events.AddRange(delivery.Events);
            return response;
        }
        using var read = store.Store.Read();
        foreach (var e in delivery.Events)
        {
            var isCreate = e.Type == Event.Types.EventType.Put && e.Kv.CreateRevision == e.Kv.ModRevision;
            var prev = isCreate ? null : PreviousValue(read, e);
            // Events are shared between watchers: attach prev_kv to a copy.
            response.Events.Add(prev is null ? e : new Event { Type = e.Type, Kv = e.Kv, PrevKv = prev });
        }
        return response;
    }

    private static KeyValue? PreviousValue(ITxnRead read, Event e)
    {
        try
        {
            var result = read.Range(e.Kv.Key.Span, default, new RangeOptions { Rev = e.Kv.ModRevision - 1, Limit = 1 });
            return result.Kvs.Count > 0 ? result.Kvs[0] : null;
        }
        catch (EtcdException ex) when (ex.Error == EtcdErrors.Compacted)
        {
            return null;
        }
    }

    private void RetryDeferredProgress()
    {
        if (Volatile.Read(ref deferredProgress) == 1 && store.ProgressAll(Snapshot(), outbox))
        {
            Interlocked.Exchange(ref deferredProgress, 0);
        }
    }

    /// <summary>etcd's progress tick: watchers that asked for progress_notify and had no events since the last tick
    /// get a progress notification (when synced); every such watcher is then due again.</summary>
    private void ProgressTick()
    {
        foreach (var w in Snapshot())
        {
            if ((w.Flags & WatcherFlags.ProgressNotify) == 0)
            {
                continue;
            }
            if (w.ProgressDue)
            {
                store.RequestProgress(w);
            }
            w.ProgressDue = true;
        }
    }

    /// <summary>The interval plus up to 10% jitter, so watchers created together are not all notified together.</summary>
    private TimeSpan NextProgressInterval()
    {
        var interval = store.Options.ProgressNotifyInterval;
        return interval + TimeSpan.FromTicks((long)(random.NextDouble() * interval.Ticks / 10));
    }
}

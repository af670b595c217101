using Cairn.Api.Errors;
using Cairn.Api.Etcdserverpb;
using Google.Protobuf;

namespace Cairn.Server.Watch;

/// <summary>
/// One client Watch stream (etcd's serverWatchStream plus mvcc's watchStream): its watchers by ID, what its
/// requests do, and the single send loop (<see cref="RunSendLoopAsync"/>) that writes everything to the client.
/// <see cref="Handle"/> runs on the receiving side only; the send loop is the only writer.
/// </summary>
internal sealed partial class WatchStream : IDisposable
{
    private static readonly ByteString SmallestKey = ByteString.CopyFrom(0);

    private readonly Lock gate = new();
    private readonly WatchableStore store;
    private readonly Func<long, ResponseHeader> header;
    private readonly TimeProvider time;
    private readonly Random random;
    private readonly WatchOutbox outbox;
    private readonly Dictionary<long, Watcher> watchers = [];
    private long nextId;
    // 1 while a progress request waits for every watcher to be synced (retried by the send loop).
    private int deferredProgress;
    private bool disposed;

    /// <param name="header">The response header for a revision (cluster, member, term filled in).</param>
    /// <param name="random">Jitter for the progress-notify interval.</param>
    public WatchStream(WatchableStore store, Func<long, ResponseHeader> header, TimeProvider time, Random random)
    {
        this.store = store;
        this.header = header;
        this.time = time;
        this.random = random;
        outbox = new WatchOutbox(store.Options.StreamBuffer);
    }

    /// <summary>Watchers currently on the stream.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return watchers.Count;
            }
        }
    }

    /// <summary>Acts on one client request; answers go out through the send loop. Unknown request kinds are ignored.</summary>
    public void Handle(WatchRequest request)
    {
        switch (request.RequestUnionCase)
        {
            case WatchRequest.RequestUnionOneofCase.CreateRequest:
                Create(request.CreateRequest);
                break;
            case WatchRequest.RequestUnionOneofCase.CancelRequest:
                Cancel(request.CancelRequest.WatchId);
                break;
            case WatchRequest.RequestUnionOneofCase.ProgressRequest:
                if (Interlocked.CompareExchange(ref deferredProgress, 0, 0) == 0 && !store.ProgressAll(Snapshot(), outbox))
                {
                    Interlocked.Exchange(ref deferredProgress, 1);
                }
                break;
        }
    }

    /// <summary>
    /// A create: an empty key means "\0"; range_end "\0" means every key from key on. key ≥ range_end, or a
    /// requested ID already on the stream, is answered in band (created and canceled, watch ID -1). ID 0 asks the
    /// stream to assign the lowest free ID counting from 0. start_revision 0 means after the current revision.
    /// </summary>
    private void Create(WatchCreateRequest c)
    {
        var key = c.Key.IsEmpty ? SmallestKey : c.Key;
        var isRange = !c.RangeEnd.IsEmpty;
        var end = c.RangeEnd.Length == 1 && c.RangeEnd[0] == 0 ? ByteString.Empty : c.RangeEnd;
        var current = store.Store.CurrentRevision;
        if (isRange && !end.IsEmpty && key.Span.SequenceCompareTo(end.Span) >= 0)
        {
            Refuse(current, EtcdErrors.EmptyWatcherRangeReason);
            return;
        }
        var flags = WatcherFlags.None;
        foreach (var filter in c.Filters)
        {
            flags |= filter == WatchCreateRequest.Types.FilterType.Noput ? WatcherFlags.NoPut : WatcherFlags.NoDelete;
        }
        flags |= c.PrevKv ? WatcherFlags.PrevKv : 0;
        flags |= c.Fragment ? WatcherFlags.Fragment : 0;
        flags |= c.ProgressNotify ? WatcherFlags.ProgressNotify : 0;

        Watcher? w = null;
        lock (gate)
        {
            if (disposed)
            {
                return;
            }
            var id = c.WatchId;
            if (id == 0)
            {
                while (watchers.ContainsKey(nextId))
                {
                    nextId++;
                }
                id = nextId++;
            }
            if (!watchers.ContainsKey(id))
            {
                w = new Watcher(id, key, end, isRange, outbox, flags);
                watchers[id] = w;
            }
        }
        if (w is null)
        {
            Refuse(current, EtcdErrors.DuplicateWatchIdReason);
            return;
        }
        store.Add(w, c.StartRevision == 0 ? current + 1 : c.StartRevision);
        outbox.EnqueueControl(new WatchResponse { Header = header(current), WatchId = w.Id, Created = true }, w);
    }

    private void Refuse(long revision, string reason) =>
        outbox.EnqueueControl(new WatchResponse
        {
            Header = header(revision),
            WatchId = -1,
            Created = true,
            Canceled = true,
            CancelReason = reason,
        });

    /// <summary>A cancel of a watcher on this stream is answered with canceled; an unknown ID gets no answer.</summary>
    private void Cancel(long id)
    {
        Watcher? w;
        lock (gate)
        {
            if (!watchers.Remove(id, out w))
            {
                return;
            }
        }
        w.Canceled = true;
        store.Cancel(w);
        outbox.EnqueueControl(new WatchResponse { Header = header(store.Store.CurrentRevision), WatchId = id, Canceled = true });
    }

    private List<Watcher> Snapshot()
    {
        lock (gate)
        {
            return [.. watchers.Values];
        }
    }

    /// <summary>Ends the stream: every watcher is removed from the store and nothing more is sent.</summary>
    public void Dispose()
    {
        List<Watcher> all;
        lock (gate)
        {
            if (disposed)
            {
                return;
            }
            disposed = true;
            all = [.. watchers.Values];
            watchers.Clear();
        }
        foreach (var w in all)
        {
            w.Canceled = true;
            store.Cancel(w);
        }
        outbox.Close();
    }
}

using Cairn.Api.Mvccpb;
using Google.Protobuf;

namespace Cairn.Server.Watch;

/// <summary>
/// One watcher on a stream: its key range, options and position. <see cref="MinRev"/> and <see cref="State"/>
/// belong to the <see cref="WatchableStore"/> (its lock); <see cref="Announced"/>, <see cref="Pending"/> and
/// <see cref="ProgressDue"/> belong to the stream's send loop.
/// </summary>
internal sealed class Watcher
{
    /// <param name="end">Empty: the single key; with <paramref name="isRange"/>, empty means every key from
    /// <paramref name="key"/> on; otherwise [key, end).</param>
    public Watcher(long id, ByteString key, ByteString end, bool isRange, WatchOutbox outbox, WatcherFlags flags)
    {
        Id = id;
        Key = key;
        End = end;
        IsRange = isRange;
        Outbox = outbox;
        Flags = flags;
    }

    public long Id { get; }

    public ByteString Key { get; }

    public ByteString End { get; }

    public bool IsRange { get; }

    public WatchOutbox Outbox { get; }

    public WatcherFlags Flags { get; }

    /// <summary>The next revision this watcher needs (it has seen everything below).</summary>
    public long MinRev { get; set; }

    public WatcherState State { get; set; } = WatcherState.Removed;

    /// <summary>Set once the stream has been told of the cancel; queued responses for it are dropped.</summary>
    public volatile bool Canceled;

    /// <summary>The created response has been sent; until then its responses wait in <see cref="Pending"/>.</summary>
    public bool Announced { get; set; }

    public List<WatchDelivery>? Pending { get; set; }

    /// <summary>No events went out since the last progress tick, so the next tick sends a progress notification.</summary>
    public bool ProgressDue { get; set; } = true;

    public bool Matches(ByteString key)
    {
        if (!IsRange)
        {
            return key.Equals(Key);
        }
        var k = key.Span;
        return k.SequenceCompareTo(Key.Span) >= 0 && (End.IsEmpty || k.SequenceCompareTo(End.Span) < 0);
    }

    /// <summary>
    /// Offers one response to the stream without blocking: false when the stream's buffer is full (the caller makes
    /// this watcher a victim). Filtered events are dropped first; a response they empty completely is not sent at
    /// all (and counts as sent). An empty <paramref name="events"/> is a progress notification.
    /// </summary>
    public bool TrySend(IReadOnlyList<Event> events, long revision)
    {
        if (events.Count > 0 && (Flags & (WatcherFlags.NoPut | WatcherFlags.NoDelete)) != 0)
        {
            var kept = new List<Event>(events.Count);
            foreach (var e in events)
            {
                var drop = e.Type == Event.Types.EventType.Put
                    ? (Flags & WatcherFlags.NoPut) != 0
                    : (Flags & WatcherFlags.NoDelete) != 0;
                if (!drop)
                {
                    kept.Add(e);
                }
            }
            if (kept.Count == 0)
            {
                return true;
            }
            events = kept;
        }
        return Outbox.TryEnqueue(new WatchDelivery(this, Id, events, revision));
    }
}

/// <summary>A watcher's create options.</summary>
[Flags]
internal enum WatcherFlags
{
    None = 0,
    NoPut = 1,
    NoDelete = 2,
    PrevKv = 4,
    Fragment = 8,
    ProgressNotify = 16,
}

using Cairn.Api.Mvccpb;

namespace Cairn.Server.Watch;

/// <summary>
/// The events one watcher gets from one round, in revision order, capped at a number of distinct revisions;
/// <see cref="MoreRev"/> is the first revision left out (0 when nothing was).
/// </summary>
internal sealed class EventBatch(int maxRevisions)
{
    private int revisions;

    public List<Event> Events { get; } = new(1);

    public long MoreRev { get; private set; }

    public void Add(Event e)
    {
        if (MoreRev != 0)
        {
            return;
        }
        if (Events.Count == 0 || e.Kv.ModRevision > Events[^1].Kv.ModRevision)
        {
            if (revisions == maxRevisions)
            {
                MoreRev = e.Kv.ModRevision;
                return;
            }
            revisions++;
        }
        Events.Add(e);
    }
}

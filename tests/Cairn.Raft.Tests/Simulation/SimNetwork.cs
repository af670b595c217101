using Cairn.Raft.Raftpb;
using Google.Protobuf;

namespace Cairn.Raft.Tests.Simulation;

/// <summary>
/// The simulated network: every message gets a random delay, and may be lost or duplicated; a partition cuts every
/// link between its two sides. Messages in flight are delivered in (time, send order), so equal seeds give equal
/// deliveries. Messages travel serialized, as on a real wire, so no object is shared between nodes. Whether the
/// destination is running is decided at delivery time by the simulator.
/// </summary>
public sealed class SimNetwork(SimOptions options, SimRng rng)
{
    private readonly PriorityQueue<InFlight, (long Time, long Seq)> _queue = new();
    private long _seq;

    // side[id] for the current partition; null when the network is whole.
    private int[]? _side;

    public bool Partitioned => _side is not null;

    public int InFlightCount => _queue.Count;

    public long Sent { get; private set; }

    public long Dropped { get; private set; }

    public long Duplicated { get; private set; }

    /// <summary>Splits the nodes into two non-empty sides at random.</summary>
    public string Partition(int nodes)
    {
        var side = new int[nodes + 1];
        do
        {
            for (int id = 1; id <= nodes; id++)
            {
                side[id] = rng.Next(2);
            }
        }
        while (side.Skip(1).All(s => s == 0) || side.Skip(1).All(s => s == 1));

        _side = side;
        return string.Join(' ', Enumerable.Range(1, nodes).Where(id => side[id] == 0)) + " | " +
            string.Join(' ', Enumerable.Range(1, nodes).Where(id => side[id] == 1));
    }

    public void Heal() => _side = null;

    public bool Connected(ulong from, ulong to) => _side is null || _side[from] == _side[to];

    /// <summary>
    /// Queues <paramref name="m"/> sent at <paramref name="now"/>. Returns false when it is lost outright (random
    /// loss or a partition), which a real transport may notice.
    /// </summary>
    public bool Send(Message m, long now, bool faults)
    {
        Sent++;
        if (!Connected(m.From, m.To) || (faults && rng.Chance(options.DropRate)))
        {
            Dropped++;
            return false;
        }

        byte[] wire = m.ToByteArray();
        Enqueue(new InFlight(m.From, m.To, wire), now + Delay(faults));
        if (faults && rng.Chance(options.DuplicateRate))
        {
            Duplicated++;
            Enqueue(new InFlight(m.From, m.To, wire), now + Delay(faults));
        }

        return true;
    }

    /// <summary>
    /// Takes the next message due at or before <paramref name="now"/>. <paramref name="lost"/> tells that it was
    /// cut by a partition that started while it was in flight: the caller drops it (a transport notices that).
    /// </summary>
    public bool TryDeliver(long now, out byte[] wire, out bool lost)
    {
        if (_queue.TryPeek(out var next, out var when) && when.Time <= now)
        {
            _queue.Dequeue();
            wire = next.Wire;
            lost = !Connected(next.From, next.To);
            if (lost)
            {
                Dropped++;
            }

            return true;
        }

        wire = [];
        lost = false;
        return false;
    }

    private int Delay(bool faults) => faults ? rng.Next(1, options.MaxDelayUnits + 1) : rng.Next(1, 4);

    private void Enqueue(InFlight m, long at) => _queue.Enqueue(m, (at, _seq++));

    private readonly record struct InFlight(ulong From, ulong To, byte[] Wire);
}

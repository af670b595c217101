using Cairn.Api.Etcdserverpb;
using Cairn.Server.Configuration;
using Cairn.Server.Watch;
using Cairn.Storage.Mvcc;
using Microsoft.Extensions.Logging;

namespace Cairn.Server;

/// <summary>Watch: the watchable store observes MVCC; each client stream gets a <see cref="WatchStream"/>.</summary>
public sealed partial class EtcdServer
{
    private readonly WatchableStore watches;
    // Seeds each stream's progress-notify jitter.
    private readonly Random streamSeeds = new(unchecked((int)DateTime.UtcNow.Ticks));

    internal WatchableStore Watches => watches;

    /// <summary>Whether the member knows a leader (streams opened with hasleader metadata end without one).</summary>
    public bool HasLeader => LeaderId != 0;

    /// <summary>The watchable store over this member's MVCC; it becomes MVCC's observer. Create it before any entry
    /// is applied.</summary>
    private static WatchableStore CreateWatches(ServerConfig config, MvccStore store, TimeProvider time, ILogger logger)
    {
        var watches = new WatchableStore(store, new WatchOptions
        {
            ProgressNotifyInterval = ProgressNotifyInterval(config.ExperimentalWatchProgressNotifyInterval),
            // etcd fragments at the gRPC receive limit: --max-request-bytes plus the 512 KiB gRPC overhead.
            MaxRequestBytes = config.MaxRequestBytes + 512 * 1024,
        }, time, logger);
        store.Observer = watches;
        return watches;
    }

    /// <summary>etcd's rule: 0 or less keeps the default (10 minutes); below 100 ms is raised to 100 ms.</summary>
    internal static TimeSpan ProgressNotifyInterval(TimeSpan configured) =>
        configured <= TimeSpan.Zero ? new WatchOptions().ProgressNotifyInterval
        : configured < TimeSpan.FromMilliseconds(100) ? TimeSpan.FromMilliseconds(100)
        : configured;

    /// <summary>A new client watch stream; dispose it when the client's stream ends.</summary>
    internal WatchStream OpenWatchStream()
    {
        int seed;
        lock (streamSeeds)
        {
            seed = streamSeeds.Next();
        }
        return new WatchStream(
            watches,
            rev => new ResponseHeader { ClusterId = ClusterId, MemberId = MemberId, RaftTerm = Term, Revision = rev },
            watches.Time,
            new Random(seed));
    }
}

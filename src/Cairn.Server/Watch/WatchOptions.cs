namespace Cairn.Server.Watch;

/// <summary>Watch tunables. The defaults are etcd's (mvcc/watchable_store.go, watcher_group.go, v3rpc/watch.go).</summary>
internal sealed record WatchOptions
{
    /// <summary>Responses a stream may have queued for sending; a watcher that finds it full becomes a victim.</summary>
    public int StreamBuffer { get; init; } = 128;

    /// <summary>Unsynced watchers caught up per sync round.</summary>
    public int MaxWatchersPerSync { get; init; } = 512;

    /// <summary>Distinct revisions sent to one catching-up watcher in one response.</summary>
    public int MaxRevisionsPerResponse { get; init; } = 1000;

    /// <summary>Events read from MVCC history per sync round (a round never splits a revision).</summary>
    public int SyncReadLimit { get; init; } = 10_000;

    /// <summary>Pause between sync rounds while nothing is left to catch up.</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Wait after an idle sync loop is woken by a new unsynced watcher, so a burst of them is synced together.</summary>
    public TimeSpan SyncGather { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Retry period for victims (responses that found their stream full).</summary>
    public TimeSpan VictimRetryInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>--experimental-watch-progress-notify-interval: progress_notify watchers hear from an idle stream this
    /// often (plus up to 10% jitter).</summary>
    public TimeSpan ProgressNotifyInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A response over this size is split when its watcher asked for fragments (--max-request-bytes).</summary>
    public int MaxRequestBytes { get; init; } = 1_572_864;

    /// <summary>How often a stream retries a deferred progress request (one made while a watcher was catching up).</summary>
    public TimeSpan DeferredProgressRetry { get; init; } = TimeSpan.FromMilliseconds(100);
}

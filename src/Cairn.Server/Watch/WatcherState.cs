namespace Cairn.Server.Watch;

/// <summary>Where a watcher is in the <see cref="WatchableStore"/> (changed only under its lock).</summary>
internal enum WatcherState
{
    /// <summary>Caught up: receives each commit's events as they happen.</summary>
    Synced,

    /// <summary>Behind the store: the sync loop will send it history from its next revision.</summary>
    Unsynced,

    /// <summary>Taken by a sync round that is reading history for it.</summary>
    Syncing,

    /// <summary>Its last response found the stream full; the response waits in the victim set.</summary>
    Victim,

    /// <summary>Canceled, or ended by compaction; never delivered to again.</summary>
    Removed,
}

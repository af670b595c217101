using Cairn.Api.Mvccpb;

namespace Cairn.Server.Watch;

/// <summary>
/// One response the store hands a stream: a watcher's events of whole revisions (one commit, or a stretch of
/// history), an empty progress notification, or a compaction notice (<paramref name="CompactRevision"/> &gt; 0).
/// <paramref name="Revision"/> becomes the header revision. A null watcher with ID -1 is a stream-wide progress reply.
/// </summary>
internal sealed record WatchDelivery(Watcher? Watcher, long WatchId, IReadOnlyList<Event> Events, long Revision, long CompactRevision = 0);

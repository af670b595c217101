using System.Diagnostics;
using Cairn.Api.Mvccpb;
using Cairn.Server.Tests.Support;
using Cairn.Server.Watch;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Server.Tests.Watch;

public sealed class WatchableStoreTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly StoreHarness h = new();
    private WatchableStore watches = null!;

    public Task InitializeAsync()
    {
        watches = Open(new WatchOptions());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await watches.DisposeAsync();
        h.Dispose();
    }

    private WatchableStore Open(WatchOptions options)
    {
        var w = new WatchableStore(h.Store, options, TimeProvider.System, NullLogger.Instance);
        h.Store.Observer = w;
        return w;
    }

    private async Task Reopen(WatchOptions options)
    {
        await watches.DisposeAsync();
        watches = Open(options);
    }

    private static Watcher Key(long id, string key, WatchOutbox outbox, WatcherFlags flags = WatcherFlags.None) =>
        new(id, StoreHarness.B(key), ByteString.Empty, false, outbox, flags);

    private static Watcher Prefix(long id, string prefix, WatchOutbox outbox) =>
        new(id, StoreHarness.B(prefix), StoreHarness.B(prefix[..^1] + (char)(prefix[^1] + 1)), true, outbox, WatcherFlags.None);

    /// <summary>Takes deliveries until <paramref name="done"/> holds for what was taken so far.</summary>
    private static async Task<List<WatchDelivery>> Take(WatchOutbox outbox, Func<List<WatchDelivery>, bool> done, TimeSpan? delayEach = null)
    {
        var taken = new List<WatchDelivery>();
        var clock = Stopwatch.StartNew();
        while (!done(taken))
        {
            if (outbox.TryTake(out _, out var delivery) && delivery is not null)
            {
                taken.Add(delivery);
                if (delayEach is { } d)
                {
                    await Task.Delay(d);
                }
                continue;
            }
            Assert.True(clock.Elapsed < Patience, $"only {taken.Count} deliveries after {Patience}");
            await outbox.WaitAsync().WaitAsync(TimeSpan.FromMilliseconds(50)).ContinueWith(_ => { });
        }
        return taken;
    }

    private static List<long> Revisions(IEnumerable<WatchDelivery> deliveries) =>
        [.. deliveries.SelectMany(d => d.Events).Select(e => e.Kv.ModRevision)];

    [Fact]
    public async Task Synced_ATxnsEventsArriveInOneDelivery_AtItsRevision()
    {
        var outbox = new WatchOutbox(128);
        var w = Prefix(1, "k/", outbox);
        watches.Add(w, h.Store.CurrentRevision + 1);

        var rev = h.PutMany(("k/a", "1"), ("other", "x"), ("k/b", "2"));

        var d = Assert.Single(await Take(outbox, t => t.Count == 1));
        Assert.Equal(rev, d.Revision);
        Assert.Equal(["k/a", "k/b"], d.Events.Select(e => e.Kv.Key.ToStringUtf8()));
        Assert.Equal(WatcherState.Synced, w.State);
    }

    [Fact]
    public async Task Unsynced_CatchesUpFromHistory_WhileWritesContinue_InOrderWithoutGaps()
    {
        var first = h.Store.CurrentRevision + 1;
        for (var i = 0; i < 300; i++)
        {
            h.Put($"k{i % 7}", $"v{i}");
        }
        var outbox = new WatchOutbox(128);
        var w = Prefix(1, "k", outbox);
        watches.Add(w, first);
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < 300; i++)
            {
                h.Put($"k{i % 7}", $"w{i}");
            }
        });

        var taken = await Take(outbox, t => Revisions(t).Count == 600);
        await writer;

        Assert.Equal(Enumerable.Range((int)first, 600).Select(r => (long)r), Revisions(taken));
        Assert.Equal(WatcherState.Synced, w.State);
    }

    [Fact]
    public async Task CatchingUp_SendsAtMostMaxRevisionsPerResponse_AndReadsHistoryInBoundedRounds()
    {
        await Reopen(new WatchOptions { MaxRevisionsPerResponse = 10, SyncReadLimit = 7 });
        var first = h.Store.CurrentRevision + 1;
        for (var i = 0; i < 35; i++)
        {
            h.Put("k", $"v{i}");
        }
        var outbox = new WatchOutbox(128);
        watches.Add(Key(1, "k", outbox), first);

        var taken = await Take(outbox, t => Revisions(t).Count == 35);

        Assert.Equal(Enumerable.Range((int)first, 35).Select(r => (long)r), Revisions(taken));
        Assert.All(taken, d => Assert.InRange(d.Events.Count, 1, 10));
    }

    [Fact]
    public async Task ASlowStream_NeverBlocksWritersOrOtherStreams_AndStillGetsEveryRevisionOnce()
    {
        await Reopen(new WatchOptions { StreamBuffer = 2, VictimRetryInterval = TimeSpan.FromMilliseconds(5) });
        var slow = new WatchOutbox(2);
        var fast = new WatchOutbox(100_000);
        var start = h.Store.CurrentRevision + 1;
        var slowWatcher = Prefix(1, "k", slow);
        watches.Add(slowWatcher, start);
        watches.Add(Prefix(2, "k", fast), start);

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 500; i++)
        {
            h.Put($"k{i % 10}", $"v{i}");
        }
        var writeTime = clock.Elapsed;

        var fastTaken = await Take(fast, t => Revisions(t).Count == 500);
        Assert.Equal(Enumerable.Range((int)start, 500).Select(r => (long)r), Revisions(fastTaken));
        Assert.Equal(WatcherState.Victim, slowWatcher.State);

        var slowTaken = await Take(slow, t => Revisions(t).Count >= 500, delayEach: TimeSpan.FromMilliseconds(1));
        Assert.Equal(Enumerable.Range((int)start, 500).Select(r => (long)r), Revisions(slowTaken));
        Assert.True(writeTime < TimeSpan.FromSeconds(10), $"500 writes took {writeTime}");
        // Each response holds whole revisions, in order: none split, none repeated.
        Assert.All(slowTaken, d => Assert.Equal(d.Events.Select(e => e.Kv.ModRevision).Order(), d.Events.Select(e => e.Kv.ModRevision)));
    }

    [Fact]
    public async Task StartBelowTheCompactRevision_GetsTheCompactNotice_AndIsRemoved()
    {
        var first = h.Store.CurrentRevision + 1;
        for (var i = 0; i < 10; i++)
        {
            h.Put("k", $"v{i}");
        }
        var compacted = first + 6;
        await h.Store.Compact(compacted);
        var outbox = new WatchOutbox(128);
        var w = Key(1, "k", outbox);
        watches.Add(w, first + 1);

        var d = Assert.Single(await Take(outbox, t => t.Count == 1));
        Assert.Equal(compacted, d.CompactRevision);
        Assert.Empty(d.Events);
        Assert.Equal(WatcherState.Removed, w.State);

        var exact = Key(2, "k", outbox);
        watches.Add(exact, compacted);
        var replay = await Take(outbox, t => Revisions(t).Count == 4);
        Assert.Equal([compacted, compacted + 1, compacted + 2, compacted + 3], Revisions(replay));
    }

    [Fact]
    public async Task Cancel_StopsDelivery()
    {
        var outbox = new WatchOutbox(128);
        var w = Key(1, "k", outbox);
        watches.Add(w, h.Store.CurrentRevision + 1);
        h.Put("k", "1");
        await Take(outbox, t => t.Count == 1);

        Assert.True(watches.Cancel(w));
        h.Put("k", "2");

        Assert.False(outbox.HasItems);
        Assert.False(watches.Cancel(w));
    }

    [Fact]
    public async Task Filters_DropPutsOrDeletes_AndAFullyFilteredRevisionSendsNothing()
    {
        var noPut = new WatchOutbox(128);
        var noDelete = new WatchOutbox(128);
        watches.Add(Key(1, "k", noPut, WatcherFlags.NoPut), h.Store.CurrentRevision + 1);
        watches.Add(Key(2, "k", noDelete, WatcherFlags.NoDelete), h.Store.CurrentRevision + 1);

        h.Put("k", "1");
        var deleted = h.Delete("k");
        h.Put("k", "2");

        var deletes = await Take(noPut, t => t.Count == 1);
        Assert.Equal(deleted, Assert.Single(deletes).Revision);
        Assert.Equal(Event.Types.EventType.Delete, Assert.Single(deletes[0].Events).Type);
        var puts = await Take(noDelete, t => t.Count == 2);
        Assert.All(puts, d => Assert.Equal(Event.Types.EventType.Put, Assert.Single(d.Events).Type));
        Assert.False(noPut.HasItems);
    }

    [Fact]
    public async Task ProgressAll_OnlyWhenEveryWatcherIsSynced()
    {
        var outbox = new WatchOutbox(128);
        Assert.True(watches.ProgressAll([], outbox));
        Assert.False(outbox.HasItems);

        for (var i = 0; i < 20; i++)
        {
            h.Put("k", $"v{i}");
        }
        var synced = Key(1, "k", outbox);
        watches.Add(synced, h.Store.CurrentRevision + 1);
        Assert.True(watches.ProgressAll([synced], outbox));
        var progress = Assert.Single(await Take(outbox, t => t.Count == 1));
        Assert.Equal((-1L, h.Store.CurrentRevision), (progress.WatchId, progress.Revision));
        Assert.Null(progress.Watcher);

        var behind = Key(2, "k", new WatchOutbox(0));
        watches.Add(behind, h.Store.CurrentRevision - 5);
        Assert.False(watches.ProgressAll([synced, behind], outbox));
        Assert.False(outbox.HasItems);
    }

    [Fact]
    public async Task RequestProgress_ForASyncedWatcher_IsAnEmptyResponseAtTheLastRevision()
    {
        var outbox = new WatchOutbox(128);
        var w = Key(3, "k", outbox);
        watches.Add(w, h.Store.CurrentRevision + 1);
        var rev = h.Put("other", "x");

        watches.RequestProgress(w);

        var d = Assert.Single(await Take(outbox, t => t.Count == 1));
        Assert.Equal((3L, rev), (d.WatchId, d.Revision));
        Assert.Empty(d.Events);
    }

    [Fact]
    public async Task Restore_SendsSyncedWatchersBackToHistory()
    {
        var outbox = new WatchOutbox(128);
        var w = Key(1, "k", outbox);
        watches.Add(w, h.Store.CurrentRevision + 1);
        h.Put("k", "1");
        await Take(outbox, t => t.Count == 1);

        watches.Restore();
        h.Put("k", "2");

        var d = Assert.Single(await Take(outbox, t => t.Count == 1));
        Assert.Equal("2", Assert.Single(d.Events).Kv.Value.ToStringUtf8());
        await Wait(() => w.State == WatcherState.Synced);
    }

    private static async Task Wait(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Patience, "condition not reached");
            await Task.Delay(10);
        }
    }
}

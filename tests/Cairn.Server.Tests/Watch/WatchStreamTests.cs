using System.Threading.Channels;
using Cairn.Api.Errors;
using Cairn.Api.Etcdserverpb;
using Cairn.Api.Mvccpb;
using Cairn.Server.Tests.Support;
using Cairn.Server.Watch;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Server.Tests.Watch;

public sealed class WatchStreamTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly StoreHarness h = new();
    private readonly Channel<WatchResponse> responses = Channel.CreateUnbounded<WatchResponse>();
    private CancellationTokenSource stop = new();
    private WatchableStore watches = null!;
    private WatchStream stream = null!;
    private Task sendLoop = Task.CompletedTask;

    public Task InitializeAsync()
    {
        Open(new WatchOptions());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Close();
        h.Dispose();
    }

    private void Open(WatchOptions options)
    {
        watches = new WatchableStore(h.Store, options, TimeProvider.System, NullLogger.Instance);
        h.Store.Observer = watches;
        stream = new WatchStream(watches, rev => new ResponseHeader { Revision = rev, MemberId = 7 }, TimeProvider.System, new Random(1));
        sendLoop = stream.RunSendLoopAsync((r, _) =>
        {
            responses.Writer.TryWrite(r);
            return Task.CompletedTask;
        }, stop.Token);
    }

    private async Task Close()
    {
        await stop.CancelAsync();
        stream.Dispose();
        await sendLoop;
        await watches.DisposeAsync();
        stop.Dispose();
    }

    private async Task Reopen(WatchOptions options)
    {
        await stop.CancelAsync();
        stream.Dispose();
        await sendLoop;
        await watches.DisposeAsync();
        stop.Dispose();
        stop = new CancellationTokenSource();
        Open(options);
    }

    private static ByteString B(string s) => StoreHarness.B(s);

    private void Create(string key, string end = "", long start = 0, long id = 0, bool prevKv = false,
        bool fragment = false, bool progressNotify = false, params WatchCreateRequest.Types.FilterType[] filters)
    {
        var create = new WatchCreateRequest
        {
            Key = B(key), RangeEnd = B(end), StartRevision = start, WatchId = id, PrevKv = prevKv, Fragment = fragment,
            ProgressNotify = progressNotify,
        };
        create.Filters.AddRange(filters);
        stream.Handle(new WatchRequest { CreateRequest = create });
    }

    private async Task<WatchResponse> Next()
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await responses.Reader.ReadAsync(timeout.Token);
    }

    private async Task<List<WatchResponse>> Next(int count)
    {
        var list = new List<WatchResponse>();
        for (var i = 0; i < count; i++)
        {
            list.Add(await Next());
        }
        return list;
    }

    /// <summary>Nothing more arrives within a short while.</summary>
    private async Task Quiet()
    {
        await Task.Delay(300);
        Assert.False(responses.Reader.TryRead(out var extra), $"unexpected {extra}");
    }

    [Fact]
    public async Task Create_AssignsIdsFromZero_AnsweringCreatedAtTheCurrentRevision()
    {
        var rev = h.Put("x", "1");
        Create("a");
        Create("b");

        var created = await Next(2);
        Assert.Equal([0L, 1L], created.Select(r => r.WatchId));
        Assert.All(created, r => Assert.True(r.Created && !r.Canceled && r.Header.Revision == rev && r.Header.MemberId == 7));
        Assert.Equal(2, stream.Count);
    }

    [Fact]
    public async Task Create_ClientChosenIds_DuplicatesRefusedInBand_AutoIdsSkipTakenOnes()
    {
        Create("a", id: 1);
        Create("b", id: 1);
        Create("c");
        Create("d");

        var r = await Next(4);
        Assert.Equal((1L, true, false), (r[0].WatchId, r[0].Created, r[0].Canceled));
        Assert.Equal((-1L, true, true), (r[1].WatchId, r[1].Created, r[1].Canceled));
        Assert.Equal(EtcdErrors.DuplicateWatchIdReason, r[1].CancelReason);
        Assert.Equal([0L, 2L], r.Skip(2).Select(x => x.WatchId));
    }

    [Fact]
    public async Task Create_KeyNotBelowRangeEnd_IsAnEmptyRange()
    {
        Create("b", "a");
        Create("b", "b");

        Assert.All(await Next(2), r =>
        {
            Assert.Equal((-1L, true, true), (r.WatchId, r.Created, r.Canceled));
            Assert.Equal(EtcdErrors.EmptyWatcherRangeReason, r.CancelReason);
        });
    }

    [Fact]
    public async Task RangeEndZero_MeansFromTheKeyOn_AndAnEmptyKeyMeansTheSmallestKey()
    {
        Create("m", "\0");
        Create("", "\0");
        await Next(2);

        h.Put("a", "1");
        h.Put("z", "1");

        var r = await Next(3);
        Assert.Equal([(1L, "a"), (0L, "z"), (1L, "z")],
            r.Select(x => (x.WatchId, x.Events.Single().Kv.Key.ToStringUtf8())).OrderBy(p => p.Item2).ThenBy(p => p.WatchId));
    }

    [Fact]
    public async Task StartRevisionZero_MeansAfterTheCurrentRevision_AnEarlierOneReplaysHistory()
    {
        var old = h.Put("k", "old");
        Create("k");
        Create("k", start: old);
        await Next(2);
        var rev = h.Put("k", "new");

        // The replay may or may not have happened before the put: count events, not responses.
        var r = new List<WatchResponse>();
        while (r.Sum(x => x.Events.Count) < 3)
        {
            r.Add(await Next());
        }
        Assert.Equal(["new"], r.Where(x => x.WatchId == 0).SelectMany(x => x.Events).Select(e => e.Kv.Value.ToStringUtf8()));
        Assert.Equal(["old", "new"], r.Where(x => x.WatchId == 1).SelectMany(x => x.Events).Select(e => e.Kv.Value.ToStringUtf8()));
        Assert.Equal(rev, r.Single(x => x.WatchId == 0).Header.Revision);
    }

    [Fact]
    public async Task Cancel_AnswersCanceled_AndStopsEvents_AnUnknownIdGetsNoAnswer()
    {
        Create("k");
        await Next();
        var rev = h.Put("other", "1");

        stream.Handle(new WatchRequest { CancelRequest = new WatchCancelRequest { WatchId = 0 } });
        stream.Handle(new WatchRequest { CancelRequest = new WatchCancelRequest { WatchId = 9 } });
        h.Put("k", "1");

        var canceled = await Next();
        Assert.Equal((0L, true, false, rev), (canceled.WatchId, canceled.Canceled, canceled.Created, canceled.Header.Revision));
        await Quiet();
        Assert.Equal(0, stream.Count);
    }

    [Fact]
    public async Task PrevKv_IsTheValueAtModRevisionMinusOne_LeftOutForCreatesAndWhenCompacted()
    {
        h.Put("a", "1");
        var two = h.Put("a", "2");
        h.Put("a", "3");
        h.Delete("a");
        h.Put("a", "4");
        await h.Store.Compact(two);

        Create("a", start: two, prevKv: true);
        await Next();
        var events = new List<Event>();
        while (events.Count < 4)
        {
            events.AddRange((await Next()).Events);
        }

        Assert.Equal([two, two + 1, two + 2, two + 3], events.Select(e => e.Kv.ModRevision));
        Assert.Null(events[0].PrevKv); // the revision before is compacted
        Assert.Equal("2", events[1].PrevKv.Value.ToStringUtf8());
        Assert.Equal("3", events[2].PrevKv.Value.ToStringUtf8());
        Assert.Null(events[3].PrevKv); // a create
    }

    [Fact]
    public async Task Fragment_SplitsLargeResponsesAtTheLimit_OnlyForWatchersThatAskedForIt()
    {
        await Reopen(new WatchOptions { MaxRequestBytes = 300 });
        Create("k", "l", fragment: true);
        Create("k", "l");
        await Next(2);
        var big = new string('x', 100);
        h.PutMany(("k1", big), ("k2", big), ("k3", big), ("k4", big), ("k5", big));

        var all = new List<WatchResponse>();
        while (all.Where(r => r.WatchId == 0).Sum(r => r.Events.Count) < 5 || all.All(r => r.WatchId != 1))
        {
            all.Add(await Next());
        }
        var fragments = all.Where(r => r.WatchId == 0).ToList();
        Assert.True(fragments.Count >= 2, $"{fragments.Count} fragments");
        Assert.All(fragments[..^1], f => Assert.True(f.Fragment));
        Assert.False(fragments[^1].Fragment);
        Assert.Equal(["k1", "k2", "k3", "k4", "k5"], fragments.SelectMany(f => f.Events).Select(e => e.Kv.Key.ToStringUtf8()));
        Assert.Equal(5, Assert.Single(all, r => r.WatchId == 1).Events.Count);
    }

    [Fact]
    public async Task ProgressRequest_OnASyncedStream_AnswersWatchIdMinusOneAtTheCurrentRevision()
    {
        stream.Handle(new WatchRequest { ProgressRequest = new WatchProgressRequest() });
        await Quiet();

        Create("k");
        await Next();
        var rev = h.Put("other", "x");
        stream.Handle(new WatchRequest { ProgressRequest = new WatchProgressRequest() });

        var progress = await Next();
        Assert.Equal((-1L, rev), (progress.WatchId, progress.Header.Revision));
        Assert.Empty(progress.Events);
        Assert.False(progress.Created || progress.Canceled);
    }

    [Fact]
    public async Task ProgressRequest_WhileAWatcherCatchesUp_IsAnsweredOnlyAfterItsHistory()
    {
        await Reopen(new WatchOptions { MaxRevisionsPerResponse = 1, StreamBuffer = 2 });
        var first = h.Store.CurrentRevision + 1;
        for (var i = 0; i < 60; i++)
        {
            h.Put("k", $"v{i}");
        }
        Create("k", start: first);
        stream.Handle(new WatchRequest { ProgressRequest = new WatchProgressRequest() });

        var seen = new List<long>();
        WatchResponse r;
        while ((r = await Next()).WatchId != -1)
        {
            seen.AddRange(r.Events.Select(e => e.Kv.ModRevision));
        }

        Assert.Equal(Enumerable.Range((int)first, 60).Select(x => (long)x), seen);
        Assert.Equal(h.Store.CurrentRevision, r.Header.Revision);
    }

    [Fact]
    public async Task ProgressNotify_IdleWatchersHearEveryInterval_OthersDoNot()
    {
        await Reopen(new WatchOptions { ProgressNotifyInterval = TimeSpan.FromMilliseconds(200) });
        var rev = h.Put("other", "x");
        Create("a", progressNotify: true);
        Create("b");
        await Next(2);

        var progress = await Next();

        Assert.Equal((0L, rev), (progress.WatchId, progress.Header.Revision));
        Assert.Empty(progress.Events);
        var again = await Next();
        Assert.Equal(0L, again.WatchId);
    }

    [Fact]
    public async Task EventsOfANewWatcher_NeverPrecedeItsCreatedResponse()
    {
        var first = h.Store.CurrentRevision + 1;
        for (var i = 0; i < 20; i++)
        {
            h.Put("k", $"v{i}");
        }
        for (var id = 1; id <= 20; id++)
        {
            Create("k", start: first, id: id);
        }
        var announced = new HashSet<long>();
        var events = 0;
        while (events < 20 * 20)
        {
            var r = await Next();
            if (r.Created)
            {
                announced.Add(r.WatchId);
            }
            else
            {
                Assert.Contains(r.WatchId, announced);
                events += r.Events.Count;
            }
        }
    }
}

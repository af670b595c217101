using Cairn.Api.Errors;
using Cairn.Api.Mvccpb;
using Cairn.Server.Lease;
using Cairn.Server.Tests.Support;
using Cairn.Storage.Mvcc;

namespace Cairn.Server.Tests.Lease;

public sealed class LessorTests : IDisposable
{
    private readonly StoreHarness h = new();
    private readonly ManualTime time = new();
    private Lessor lessor;

    public LessorTests() => lessor = NewLessor();

    public void Dispose() => h.Dispose();

    private Lessor NewLessor(LessorOptions? options = null)
    {
        var l = new Lessor(h.Backend, h.Store, options ?? new LessorOptions(), time);
        h.Store.LeaseHook = l;
        return l;
    }

    private static EtcdError ErrorOf(Action action) => Assert.Throws<EtcdException>(action).Error;

    [Fact]
    public void Grant_BelowTheMinimum_IsRaisedToIt()
    {
        Assert.Equal((7L, 2L), lessor.Grant(7, 1));
        Assert.Equal((8L, 2L), lessor.Grant(8, -5));
        Assert.Equal((9L, 60L), lessor.Grant(9, 60));
    }

    [Fact]
    public void Grant_OverTheMaximum_IsTooLarge_TheMaximumItselfIsFine()
    {
        Assert.Equal(EtcdErrors.LeaseTtlTooLarge, ErrorOf(() => lessor.Grant(1, Lessor.MaxTtl + 1)));
        Assert.Equal((2L, Lessor.MaxTtl), lessor.Grant(2, Lessor.MaxTtl));
        Assert.False(lessor.Exists(1));
    }

    [Fact]
    public void Grant_AnExistingId_LeaseExists()
    {
        lessor.Grant(5, 10);
        Assert.Equal(EtcdErrors.LeaseExist, ErrorOf(() => lessor.Grant(5, 20)));
        Assert.Equal(10, lessor.TimeToLive(5, false)!.GrantedTtl);
    }

    [Fact]
    public void Revoke_DeletesEveryAttachedKeyInOneRevision_InKeyOrder()
    {
        var commits = new Recorder();
        h.Store.Observer = commits;
        lessor.Grant(1, 10);
        h.Put("k2", "b", lease: 1);
        h.Put("k1", "a", lease: 1);
        h.Put("k3", "c", lease: 1);
        var before = h.Put("other", "x");
        commits.Commits.Clear();

        lessor.Revoke(1);

        var (rev, events) = Assert.Single(commits.Commits);
        Assert.Equal(before + 1, rev);
        Assert.Equal(["k1", "k2", "k3"], events.Select(e => e.Kv.Key.ToStringUtf8()));
        Assert.All(events, e => Assert.Equal(Event.Types.EventType.Delete, e.Type));
        Assert.Null(h.Get("k1"));
        Assert.Equal("x", h.Get("other"));
        Assert.False(lessor.Exists(1));
    }

    [Fact]
    public void Revoke_WithoutKeys_DoesNotAdvanceTheRevision()
    {
        lessor.Grant(1, 10);
        var rev = h.Put("k", "v");
        lessor.Revoke(1);
        Assert.Equal(rev, h.Store.CurrentRevision);
        Assert.Null(lessor.TimeToLive(1, true));
    }

    [Fact]
    public void Revoke_Unknown_LeaseNotFound() =>
        Assert.Equal(EtcdErrors.LeaseNotFound, ErrorOf(() => lessor.Revoke(42)));

    [Fact]
    public void KeysFollowPutsAndDeletes()
    {
        lessor.Grant(1, 10);
        lessor.Grant(2, 10);
        h.Put("a", "1", lease: 1);
        h.Put("b", "1", lease: 1);
        h.Put("a", "2", lease: 2);
        h.Put("b", "2");

        Assert.Empty(lessor.TimeToLive(1, true)!.Keys);
        Assert.Equal(["a"], lessor.TimeToLive(2, true)!.Keys.Select(k => k.ToStringUtf8()));
        h.Delete("a");
        Assert.Empty(lessor.TimeToLive(2, true)!.Keys);
    }

    [Fact]
    public async Task Renew_WhenNotPrimary_NotPrimary_Unknown_NotFound()
    {
        lessor.Grant(1, 10);
        var notPrimary = await Assert.ThrowsAsync<EtcdException>(() => lessor.RenewAsync(1, CancellationToken.None));
        Assert.Equal(EtcdErrors.LeaseNotPrimary, notPrimary.Error);

        lessor.Promote(TimeSpan.Zero);
        var unknown = await Assert.ThrowsAsync<EtcdException>(() => lessor.RenewAsync(2, CancellationToken.None));
        Assert.Equal(EtcdErrors.LeaseNotFound, unknown.Error);
    }

    [Fact]
    public async Task Renew_RestartsTheTtl()
    {
        lessor.Promote(TimeSpan.Zero);
        lessor.Grant(1, 10);
        time.Advance(TimeSpan.FromSeconds(6.5));
        Assert.Equal(3, lessor.TimeToLive(1, false)!.RemainingSeconds);

        Assert.Equal(10, await lessor.RenewAsync(1, CancellationToken.None));

        Assert.Equal(10, lessor.TimeToLive(1, false)!.RemainingSeconds);
        time.Advance(TimeSpan.FromSeconds(9.5));
        Assert.Empty(lessor.FindExpired(10));
    }

    [Fact]
    public async Task Renew_AnExpiredLease_WaitsForItsRevoke_ThenNotFound()
    {
        lessor.Promote(TimeSpan.Zero);
        lessor.Grant(1, 5);
        time.Advance(TimeSpan.FromSeconds(6));

        var renew = lessor.RenewAsync(1, CancellationToken.None);
        Assert.False(renew.IsCompleted);
        Assert.Equal(0, lessor.TimeToLive(1, false)!.RemainingSeconds);
        lessor.Revoke(1);

        var error = await Assert.ThrowsAsync<EtcdException>(() => renew);
        Assert.Equal(EtcdErrors.LeaseNotFound, error.Error);
    }

    [Fact]
    public async Task Renew_AnExpiredLease_ThenDemoted_NotPrimary()
    {
        lessor.Promote(TimeSpan.Zero);
        lessor.Grant(1, 5);
        time.Advance(TimeSpan.FromSeconds(6));
        var renew = lessor.RenewAsync(1, CancellationToken.None);

        lessor.Demote();

        var error = await Assert.ThrowsAsync<EtcdException>(() => renew);
        Assert.Equal(EtcdErrors.LeaseNotPrimary, error.Error);
    }

    [Fact]
    public void FindExpired_HandsOutExpiredLeases_AgainAfterTheRetryInterval()
    {
        lessor.Promote(TimeSpan.Zero);
        lessor.Grant(1, 5);
        lessor.Grant(2, 10);
        lessor.Grant(3, 20);

        time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Empty(lessor.FindExpired(100));
        time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal([1L], lessor.FindExpired(100));
        Assert.Empty(lessor.FindExpired(100));

        time.Advance(Lessor.RetryInterval);
        Assert.Equal([1L], lessor.FindExpired(100));

        time.Advance(TimeSpan.FromSeconds(2));
        lessor.Revoke(1);
        Assert.Equal([2L], lessor.FindExpired(100));
    }

    [Fact]
    public void FindExpired_RespectsTheLimit()
    {
        lessor.Promote(TimeSpan.Zero);
        for (var id = 1; id <= 10; id++)
        {
            lessor.Grant(id, 5);
        }
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(4, lessor.FindExpired(4).Count);
        Assert.Equal(6, lessor.FindExpired(100).Count);
    }

    [Fact]
    public void NotPrimary_LeasesNeverExpire_PromoteExtendsEveryLease()
    {
        lessor.Grant(1, 10);
        time.Advance(TimeSpan.FromSeconds(100));
        Assert.Empty(lessor.FindExpired(10));
        Assert.True(lessor.TimeToLive(1, false)!.RemainingSeconds > 1_000_000_000);

        lessor.Promote(TimeSpan.FromSeconds(1));

        Assert.Equal(11, lessor.TimeToLive(1, false)!.RemainingSeconds);
        time.Advance(TimeSpan.FromSeconds(10.5));
        Assert.Empty(lessor.FindExpired(10));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([1L], lessor.FindExpired(10));
    }

    [Fact]
    public void Demote_StopsExpiry()
    {
        lessor.Promote(TimeSpan.Zero);
        lessor.Grant(1, 5);
        lessor.Demote();
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.False(lessor.IsPrimary);
        Assert.Empty(lessor.FindExpired(10));
    }

    [Fact]
    public void Promote_ManyLeasesExpiringTogether_AreSpreadToThreeQuartersOfTheRevokeRatePerSecond()
    {
        for (var id = 1; id <= 2000; id++)
        {
            lessor.Grant(id, 10);
        }
        lessor.Promote(TimeSpan.Zero);

        time.Advance(TimeSpan.FromSeconds(10));
        var seen = new HashSet<long>();
        var perSecond = new List<int>();
        for (var second = 0; second < 4; second++)
        {
            // Leases handed out earlier come back after the retry interval; count each lease once.
            perSecond.Add(lessor.FindExpired(int.MaxValue).Count(seen.Add));
            time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.All(perSecond, n => Assert.InRange(n, 0, 3 * Lessor.RevokeRate / 4 + 1));
        Assert.Equal(2000, perSecond.Sum());
    }

    [Fact]
    public void Checkpoint_PromoteRefreshesFromTheRemainder()
    {
        lessor.Grant(1, 100);
        lessor.Checkpoint(1, 30);
        lessor.Checkpoint(99, 30);

        lessor.Promote(TimeSpan.Zero);

        Assert.Equal(30, lessor.TimeToLive(1, false)!.RemainingSeconds);
        Assert.Equal(100, lessor.TimeToLive(1, false)!.GrantedTtl);
    }

    [Fact]
    public async Task Renew_ACheckpointedLease_ClearsTheRemainderThroughTheCheckpointer()
    {
        var proposed = new List<(long Id, long Remaining)>();
        lessor.Checkpointer = (request, _) =>
        {
            foreach (var c in request.Checkpoints)
            {
                proposed.Add((c.ID, c.RemainingTTL));
                lessor.Checkpoint(c.ID, c.RemainingTTL);
            }
            return Task.CompletedTask;
        };
        lessor.Grant(1, 100);
        lessor.Checkpoint(1, 30);
        lessor.Promote(TimeSpan.Zero);

        Assert.Equal(100, await lessor.RenewAsync(1, CancellationToken.None));

        Assert.Equal([(1L, 0L)], proposed);
        Assert.Equal(100, lessor.TimeToLive(1, false)!.RemainingSeconds);
    }

    [Fact]
    public void Restart_RecoversLeasesAndReattachesTheirKeys()
    {
        lessor.Grant(1, 30);
        lessor.Grant(2, 1);
        lessor.Grant(3, 40);
        h.Put("a", "1", lease: 1);
        h.Put("b", "1", lease: 1);
        h.Put("c", "1", lease: 3);
        lessor.Revoke(3);

        h.Reopen();
        lessor = NewLessor();

        Assert.Equal([1L, 2L], lessor.Leases());
        var one = lessor.TimeToLive(1, true)!;
        Assert.Equal(30, one.GrantedTtl);
        Assert.Equal(["a", "b"], one.Keys.Select(k => k.ToStringUtf8()));
        Assert.Equal(2, lessor.TimeToLive(2, false)!.GrantedTtl);
        Assert.False(lessor.Exists(3));
        lessor.Revoke(1);
        Assert.Null(h.Get("a"));
    }

    [Fact]
    public void Restore_ReloadsLeasesAndKeysFromTheReplacedBackend()
    {
        lessor.Grant(1, 30);
        h.Put("a", "1", lease: 1);
        // A lease that only the new backend holds (as a leader's snapshot would).
        using (var batch = h.Backend.BatchTx())
        {
            var record = new LeaseRecord(9, 45, 0);
            batch.Put(Cairn.Storage.Backend.Buckets.Lease, record.Key(), record.ToBytes());
        }

        lessor.Restore();

        Assert.Equal([1L, 9L], lessor.Leases().Order());
        Assert.Equal(["a"], lessor.TimeToLive(1, true)!.Keys.Select(k => k.ToStringUtf8()));
        Assert.Equal(45, lessor.TimeToLive(9, false)!.GrantedTtl);
    }

    [Fact]
    public void Leases_SoonestExpiryFirst()
    {
        lessor.Promote(TimeSpan.Zero);
        lessor.Grant(1, 50);
        lessor.Grant(2, 10);
        lessor.Grant(3, 30);
        Assert.Equal([2L, 3L, 1L], lessor.Leases());
    }

    private sealed class Recorder : IMvccObserver
    {
        public List<(long Rev, IReadOnlyList<Event> Events)> Commits { get; } = [];

        public void OnCommit(long revision, IReadOnlyList<Event> events) => Commits.Add((revision, events));
    }
}

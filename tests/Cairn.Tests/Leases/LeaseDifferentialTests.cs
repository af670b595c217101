using Cairn.Api.Etcdserverpb;
using Cairn.Testing;
using Cairn.Tests.Differential;
using Grpc.Core;
using static Cairn.Tests.Differential.Kv;

namespace Cairn.Tests.Leases;

/// <summary>
/// Leases against etcd 3.4.23 and the server under test. Leases use explicit IDs so answers compare field by field;
/// remaining TTLs may differ by the second that ticks between the two calls, so TimeToLive compares them within 1 s.
/// </summary>
[Collection("Processes")]
public sealed class LeaseDifferentialTests : DifferentialTest
{
    private Task<Outcome<LeaseGrantResponse>> Grant(long id, long ttl) =>
        D.Same($"LeaseGrant {id} {ttl}", (c, o) => c.Lease.LeaseGrantAsync(new LeaseGrantRequest { ID = id, TTL = ttl }, o));

    private Task<Outcome<LeaseRevokeResponse>> Revoke(long id) =>
        D.Same($"LeaseRevoke {id}", (c, o) => c.Lease.LeaseRevokeAsync(new LeaseRevokeRequest { ID = id }, o));

    private Task<Outcome<LeaseLeasesResponse>> Leases() =>
        D.Same("LeaseLeases", (c, o) => c.Lease.LeaseLeasesAsync(new LeaseLeasesRequest(), o));

    /// <summary>TimeToLive on both; equal except that the remaining TTLs may be one second apart.</summary>
    private async Task<LeaseTimeToLiveResponse> TimeToLive(long id, bool keys)
    {
        var request = new LeaseTimeToLiveRequest { ID = id, Keys = keys };
        var expected = ResponseIds.Cleared(await D.Expected.Lease.LeaseTimeToLiveAsync(request));
        var actual = ResponseIds.Cleared(await D.Actual.Lease.LeaseTimeToLiveAsync(request));
        Assert.InRange(actual.TTL, expected.TTL - 1, expected.TTL + 1);
        // etcd lists keys in map order; compare them as sets.
        Assert.Equal(expected.Keys.Select(k => k.ToStringUtf8()).Order(), actual.Keys.Select(k => k.ToStringUtf8()).Order());
        actual.TTL = expected.TTL;
        actual.Keys.Clear();
        actual.Keys.AddRange(expected.Keys);
        Assert.Equal(expected, actual);
        return expected;
    }

    /// <summary>One keep-alive request on a fresh stream of each server.</summary>
    private async Task<LeaseKeepAliveResponse> KeepAlive(long id)
    {
        async Task<LeaseKeepAliveResponse> Once(EtcdClient client)
        {
            using var call = client.Lease.LeaseKeepAlive(deadline: DateTime.UtcNow.AddSeconds(15));
            await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = id });
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            var response = call.ResponseStream.Current;
            await call.RequestStream.CompleteAsync();
            return ResponseIds.Cleared(response);
        }
        var expected = await Once(D.Expected);
        Assert.Equal(expected, await Once(D.Actual));
        return expected;
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Grant_MinimumTtl_ExistingId_TooLargeTtl_AndTheList()
    {
        Assert.Equal(2, (await Grant(100, 1).Ok()).TTL);
        Assert.Equal(2, (await Grant(104, -7).Ok()).TTL);
        var exists = await Grant(100, 10).Failed();
        Assert.Equal((StatusCode.FailedPrecondition, "etcdserver: lease already exists"), (exists.StatusCode, exists.Detail));
        var tooLarge = await Grant(101, 9_000_000_001).Failed();
        Assert.Equal((StatusCode.OutOfRange, "etcdserver: too large lease TTL"), (tooLarge.StatusCode, tooLarge.Detail));
        Assert.Equal(9_000_000_000, (await Grant(102, 9_000_000_000).Ok()).TTL);
        await Grant(103, 60).Ok();
        await Revoke(102).Ok();

        Assert.Equal([100L, 103L, 104L], (await Leases().Ok()).Leases.Select(l => l.ID).Order());
        await TimeToLive(103, keys: true);
        await TimeToLive(102, keys: false);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Revoke_DeletesEveryAttachedKeyInOneRevision()
    {
        await Grant(200, 60).Ok();
        await D.Put(new PutRequest { Key = B("c"), Value = B("3"), Lease = 200 }).Ok();
        await D.Put(new PutRequest { Key = B("a"), Value = B("1"), Lease = 200 }).Ok();
        await D.Put(new PutRequest { Key = B("b"), Value = B("2"), Lease = 200 }).Ok();
        await D.Put("d", "free").Ok();
        var withKeys = await TimeToLive(200, keys: true);
        Assert.Equal(3, withKeys.Keys.Count);

        var revoked = await Revoke(200).Ok();

        Assert.Equal(6, revoked.Header.Revision);
        await D.Range(All()).Ok();
        await D.Range(new RangeRequest { Key = B("a"), Revision = 5 }).Ok();
        var again = await Revoke(200).Failed();
        Assert.Equal((StatusCode.NotFound, "etcdserver: requested lease not found"), (again.StatusCode, again.Detail));
        Assert.Equal(-1, (await TimeToLive(200, keys: true)).TTL);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task UnknownLeases_TimeToLiveMinusOne_KeepAliveZero_PutAndTxnNotFound()
    {
        Assert.Equal(-1, (await TimeToLive(999, keys: true)).TTL);
        Assert.Equal(0, (await KeepAlive(999)).TTL);
        var put = await D.Put(new PutRequest { Key = B("k"), Value = B("v"), Lease = 999 }).Failed();
        Assert.Equal((StatusCode.NotFound, "etcdserver: requested lease not found"), (put.StatusCode, put.Detail));
        await D.Txn(Txn([], [Op(new PutRequest { Key = B("k"), Value = B("v"), Lease = 999 })])).Failed();
        await D.Range(All()).Ok();
    }

    [Fact(Timeout = Hang.Default)]
    public async Task KeysMoveBetweenLeases_WithPutsAndIgnoreLease_AndKeepAliveAnswersTheTtl()
    {
        await Grant(300, 30).Ok();
        await Grant(301, 40).Ok();
        await D.Put(new PutRequest { Key = B("x"), Value = B("1"), Lease = 300 }).Ok();
        await D.Put(new PutRequest { Key = B("y"), Value = B("1"), Lease = 300 }).Ok();
        await D.Put(new PutRequest { Key = B("x"), Value = B("2"), Lease = 301 }).Ok();
        await D.Put(new PutRequest { Key = B("x"), Value = B("3"), IgnoreLease = true }).Ok();
        await D.Put(new PutRequest { Key = B("y"), Value = B("2") }).Ok();
        await D.Range(All()).Ok();

        Assert.Empty((await TimeToLive(300, keys: true)).Keys);
        Assert.Equal(["x"], (await TimeToLive(301, keys: true)).Keys.Select(k => k.ToStringUtf8()));
        Assert.Equal(40, (await KeepAlive(301)).TTL);

        await Revoke(301).Ok();
        await D.Range(All()).Ok();
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Grant_WithoutAnId_TheServerPicksAPositiveOne()
    {
        var request = new LeaseGrantRequest { TTL = 30 };
        var expected = await D.Expected.Lease.LeaseGrantAsync(request);
        var actual = await D.Actual.Lease.LeaseGrantAsync(request);
        Assert.True(expected.ID > 0 && actual.ID > 0);
        Assert.Equal((expected.TTL, expected.Error, expected.Header.Revision), (actual.TTL, actual.Error, actual.Header.Revision));
        var ttl = await D.Actual.Lease.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = actual.ID });
        Assert.Equal(30, ttl.GrantedTTL);
    }
}

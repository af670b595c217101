using Cairn.Api.Etcdserverpb;
using Cairn.Testing;
using Google.Protobuf;
using Grpc.Core;
using static Cairn.Tests.Differential.Kv;

namespace Cairn.Tests.Differential;

/// <summary>Put against etcd 3.4.23 and the server under test: prev_kv, ignore_value, ignore_lease, leases and errors.</summary>
[Collection("Processes")]
public sealed class PutTests : DifferentialTest
{
    [Fact(Timeout = Hang.Default)]
    public async Task Put_PrevKv_AbsentForANewKeyPresentForAnExistingOne()
    {
        var created = await D.Put(new PutRequest { Key = B("k"), Value = B("v1"), PrevKv = true }).Ok();
        var updated = await D.Put(new PutRequest { Key = B("k"), Value = B("v2"), PrevKv = true }).Ok();
        await D.Delete(Del("k")).Ok();
        await D.Put(new PutRequest { Key = B("k"), Value = B("v3"), PrevKv = true }).Ok();
        await D.Range(Get("k")).Ok();

        Assert.Null(created.PrevKv);
        Assert.Equal("v1", updated.PrevKv.Value.ToStringUtf8());
        Assert.Equal(3, updated.Header.Revision);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Put_BinaryKeysAndValuesAndEmptyValue()
    {
        await D.Put(new PutRequest { Key = Bytes(0x00), Value = Bytes(0xff, 0x00, 0x01) }).Ok();
        await D.Put(new PutRequest { Key = Bytes(0xff, 0xfe, 0x00), Value = ByteString.Empty }).Ok();
        await D.Put(new PutRequest { Key = B("ключ"), Value = B("значение") }).Ok();
        await D.Put(new PutRequest { Key = B("big"), Value = ByteString.CopyFrom(new byte[100_000]) }).Ok();
        await D.Range(All()).Ok();
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Put_EmptyKey_IsInvalidArgument()
    {
        var error = await D.Put(new PutRequest { Key = ByteString.Empty, Value = B("v") }).Failed();

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("etcdserver: key is not provided", error.Detail);
        Assert.Equal(1, (await D.Range(All()).Ok()).Header.Revision);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Put_IgnoreValue_KeepsTheValueAndBumpsTheVersion()
    {
        await D.Put("k", "original").Ok();

        var response = await D.Put(new PutRequest { Key = B("k"), IgnoreValue = true, PrevKv = true }).Ok();
        var range = await D.Range(Get("k")).Ok();

        Assert.Equal("original", response.PrevKv.Value.ToStringUtf8());
        Assert.Equal("original", range.Kvs[0].Value.ToStringUtf8());
        Assert.Equal(2, range.Kvs[0].Version);
        Assert.Equal(3, range.Kvs[0].ModRevision);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Put_IgnoreValueErrors_MissingKeyAndValueProvided()
    {
        await D.Put("k", "v").Ok();

        var missing = await D.Put(new PutRequest { Key = B("missing"), IgnoreValue = true }).Failed();
        var provided = await D.Put(new PutRequest { Key = B("k"), Value = B("x"), IgnoreValue = true }).Failed();
        await D.Delete(Del("k")).Ok();
        await D.Put(new PutRequest { Key = B("k"), IgnoreValue = true }).Failed();

        Assert.Equal((StatusCode.InvalidArgument, "etcdserver: key not found"), (missing.StatusCode, missing.Detail));
        Assert.Equal((StatusCode.InvalidArgument, "etcdserver: value is provided"), (provided.StatusCode, provided.Detail));
        Assert.Equal(3, (await D.Range(All()).Ok()).Header.Revision);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Put_IgnoreLease_KeepsTheLeaseAndErrsOnAMissingKeyOrAGivenLease()
    {
        await D.Put("k", "v").Ok();

        await D.Put(new PutRequest { Key = B("k"), Value = B("v2"), IgnoreLease = true, PrevKv = true }).Ok();
        var missing = await D.Put(new PutRequest { Key = B("missing"), Value = B("v"), IgnoreLease = true }).Failed();
        var given = await D.Put(new PutRequest { Key = B("k"), Value = B("v"), IgnoreLease = true, Lease = 12345 }).Failed();
        await D.Put(new PutRequest { Key = B("k"), IgnoreLease = true, IgnoreValue = true }).Ok();
        await D.Range(Get("k")).Ok();

        Assert.Equal((StatusCode.InvalidArgument, "etcdserver: key not found"), (missing.StatusCode, missing.Detail));
        Assert.Equal((StatusCode.InvalidArgument, "etcdserver: lease is provided"), (given.StatusCode, given.Detail));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Put_UnknownLease_IsNotFound()
    {
        var error = await D.Put(new PutRequest { Key = B("k"), Value = B("v"), Lease = 0x1234 }).Failed();
        await D.Put(new PutRequest { Key = B("k"), Value = B("v"), Lease = -1 }).Failed();
        await D.Txn(Txn([], [Op(new PutRequest { Key = B("t"), Value = B("v"), Lease = 77 })])).Failed();

        Assert.Equal((StatusCode.NotFound, "etcdserver: requested lease not found"), (error.StatusCode, error.Detail));
        Assert.Equal(1, (await D.Range(All()).Ok()).Header.Revision);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Put_OverMaxRequestBytes_IsRequestTooLarge()
    {
        // 1.6 MB: over --max-request-bytes (1.5 MiB) but under the gRPC limit (+512 KiB), so etcd's own check answers.
        var error = await D.Put(new PutRequest { Key = B("huge"), Value = ByteString.CopyFrom(new byte[1_600_000]) }).Failed();
        await D.Put(new PutRequest { Key = B("fits"), Value = ByteString.CopyFrom(new byte[1_500_000]) }).Ok();

        Assert.Equal((StatusCode.InvalidArgument, "etcdserver: request is too large"), (error.StatusCode, error.Detail));
        await D.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, KeysOnly = true }).Ok();
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Put_ManyVersions_CountsVersionAndKeepsCreateRevision()
    {
        for (var i = 0; i < 20; i++)
        {
            await D.Put("k", $"v{i}").Ok();
            await D.Put($"other{i % 3}", $"o{i}").Ok();
        }

        var kv = (await D.Range(Get("k")).Ok()).Kvs.Single();
        Assert.Equal(20, kv.Version);
        Assert.Equal(2, kv.CreateRevision);
        await D.Range(new RangeRequest { Key = B("k"), Revision = 10 }).Ok();
    }
}

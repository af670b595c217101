using Cairn.Api.Etcdserverpb;
using Google.Protobuf;

namespace Cairn.Tests.Etcdctl;

/// <summary>
/// count_only, which etcdctl 3.4 cannot ask for (it has no --count-only), checked over gRPC after an etcdctl session
/// wrote the keys.
/// </summary>
[Collection("Processes")]
public sealed class CountOnlyTests : EtcdctlTest
{
    [Fact(Timeout = Hang.Default)]
    public async Task RangeCountOnly_AfterEtcdctlPuts_CountsWithoutReturningKeys()
    {
        await Put(("c1", "x"), ("c2", "y"), ("c3", "z"), ("d", "w"));
        using var client = Member.CreateClient();

        var response = await client.KV.RangeAsync(new RangeRequest
        {
            Key = ByteString.CopyFromUtf8("c"),
            RangeEnd = ByteString.CopyFromUtf8("d"),
            CountOnly = true,
            Limit = 1,
        });

        Assert.Equal(3, response.Count);
        Assert.Empty(response.Kvs);
        Assert.False(response.More);
        Assert.Equal(5, response.Header.Revision);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task RangeCountOnly_AtAnOldRevision_CountsKeysThatExistedThen()
    {
        await Put(("c1", "x"), ("c2", "y"));
        await Ok("del", "c1");
        using var client = Member.CreateClient();

        var now = await client.KV.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("c"), RangeEnd = ByteString.CopyFromUtf8("d"), CountOnly = true });
        var then = await client.KV.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("c"), RangeEnd = ByteString.CopyFromUtf8("d"), CountOnly = true, Revision = 3 });

        Assert.Equal(1, now.Count);
        Assert.Equal(2, then.Count);
        Assert.Equal(4, then.Header.Revision);
    }
}

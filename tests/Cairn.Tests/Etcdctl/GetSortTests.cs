namespace Cairn.Tests.Etcdctl;

/// <summary>
/// etcdctl get --sort-by/--order over three keys written so that every sort target orders them differently:
/// key k1,k2,k3; value k2(a),k3(b),k1(c); version k2(1),k1(2),k3(3); create k3(2),k1(3),k2(7); modify k1(4),k3(6),k2(7).
/// </summary>
[Collection("Processes")]
public sealed class GetSortTests : EtcdctlTest
{
    [Theory(Timeout = Hang.Default)]
    [InlineData("KEY", "ASCEND", "k1 k2 k3")]
    [InlineData("KEY", "DESCEND", "k3 k2 k1")]
    [InlineData("VALUE", "ASCEND", "k2 k3 k1")]
    [InlineData("VALUE", "DESCEND", "k1 k3 k2")]
    [InlineData("VERSION", "ASCEND", "k2 k1 k3")]
    [InlineData("VERSION", "DESCEND", "k3 k1 k2")]
    [InlineData("CREATE", "ASCEND", "k3 k1 k2")]
    [InlineData("CREATE", "DESCEND", "k2 k1 k3")]
    [InlineData("MODIFY", "ASCEND", "k1 k3 k2")]
    [InlineData("MODIFY", "DESCEND", "k2 k3 k1")]
    public async Task Get_SortByTargetAndOrder_OrdersKeys(string target, string order, string expected)
    {
        await WriteSortFixture();

        var keys = await NonEmptyLines("get", "k", "--prefix", "--keys-only", $"--sort-by={target}", $"--order={order}");

        Assert.Equal(expected, string.Join(' ', keys));
    }

    [Theory(Timeout = Hang.Default)]
    [InlineData("VALUE", "k2 k3 k1")]
    [InlineData("VERSION", "k2 k1 k3")]
    [InlineData("CREATE", "k3 k1 k2")]
    [InlineData("MODIFY", "k1 k3 k2")]
    public async Task Get_SortByWithoutOrder_SortsAscending(string target, string expected)
    {
        await WriteSortFixture();

        var keys = await NonEmptyLines("get", "k", "--prefix", "--keys-only", $"--sort-by={target}");

        Assert.Equal(expected, string.Join(' ', keys));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Get_SortWithLimit_SortsTheWholeRangeBeforeTruncating()
    {
        await WriteSortFixture();

        var keys = await NonEmptyLines("get", "k", "--prefix", "--keys-only", "--sort-by=MODIFY", "--order=DESCEND", "--limit=1");
        var json = await Json("get", "k", "--prefix", "--sort-by=MODIFY", "--order=DESCEND", "--limit=1");

        Assert.Equal(["k2"], keys);
        Assert.Equal(3, json.GetProperty("count").GetInt64());
        Assert.True(json.GetProperty("more").GetBoolean());
    }

    private Task WriteSortFixture() =>
        Put(("k3", "b"), ("k1", "c"), ("k1", "c"), ("k3", "b"), ("k3", "b"), ("k2", "a"));
}

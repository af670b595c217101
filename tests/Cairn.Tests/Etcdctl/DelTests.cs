namespace Cairn.Tests.Etcdctl;

/// <summary>etcdctl del: counts, --prev-kv, --prefix, --from-key, and a no-op delete that keeps the revision.</summary>
[Collection("Processes")]
public sealed class DelTests : EtcdctlTest
{
    [Fact(Timeout = Hang.Default)]
    public async Task Del_PrevKv_PrintsCountThenDeletedPairs()
    {
        await Put(("a1", "v1"), ("a2", "v2"), ("b", "vb"));

        Assert.Equal(["2", "a1", "v1", "a2", "v2"], (await Ok("del", "a", "--prefix", "--prev-kv")).Lines);
        Assert.Equal(["b"], await NonEmptyLines("get", "", "--from-key", "--keys-only"));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Del_PrevKvJson_ReportsDeletedAndPreviousRevisions()
    {
        await Put(("a1", "v1"), ("a1", "v2"), ("a2", "x"));

        var json = await Json("del", "a", "--prefix", "--prev-kv");

        Assert.Equal(2, json.GetProperty("deleted").GetInt64());
        Assert.Equal(5, json.GetProperty("header").GetProperty("revision").GetInt64());
        var prev = json.GetProperty("prev_kvs");
        Assert.Equal(Base64("a1"), prev[0].GetProperty("key").GetString());
        Assert.Equal(Base64("v2"), prev[0].GetProperty("value").GetString());
        Assert.Equal(2, prev[0].GetProperty("version").GetInt64());
        Assert.Equal(3, prev[0].GetProperty("mod_revision").GetInt64());
        Assert.Equal(Base64("a2"), prev[1].GetProperty("key").GetString());
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Del_SingleKey_PrintsOne()
    {
        await Put(("foo", "bar"));

        Assert.Equal(["1"], (await Ok("del", "foo")).Lines);
        Assert.Equal("", (await Ok("get", "foo")).Stdout);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Del_FromKey_DeletesEveryKeyAtOrAfter()
    {
        await Put(("a", "1"), ("b", "2"), ("c", "3"));

        Assert.Equal(["2"], (await Ok("del", "b", "--from-key")).Lines);
        Assert.Equal(["a"], await NonEmptyLines("get", "", "--prefix", "--keys-only"));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Del_MissingKey_PrintsZeroAndKeepsTheRevision()
    {
        await Put(("foo", "bar"));
        var before = await CurrentRevision();

        Assert.Equal(["0"], (await Ok("del", "missing")).Lines);
        var json = await Json("del", "missing", "--prefix");

        Assert.Equal(before, json.GetProperty("header").GetProperty("revision").GetInt64());
        Assert.Equal(before, await CurrentRevision());
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Del_ThenPut_StartsANewGenerationWithVersionOne()
    {
        await Put(("foo", "a"), ("foo", "b"));
        await Ok("del", "foo");
        await Put(("foo", "c"));

        var kv = (await Json("get", "foo")).GetProperty("kvs")[0];
        Assert.Equal(1, kv.GetProperty("version").GetInt64());
        Assert.Equal(5, kv.GetProperty("create_revision").GetInt64());
        Assert.Equal(["b"], (await Ok("get", "foo", "--rev=3", "--print-value-only")).Lines);
        Assert.Equal("", (await Ok("get", "foo", "--rev=4")).Stdout);
    }
}

namespace Cairn.Tests.Etcdctl;

/// <summary>etcdctl put and get: the simple and JSON printers, prefixes, ranges, limits and old revisions.</summary>
[Collection("Processes")]
public sealed class PutGetTests : EtcdctlTest
{
    [Fact(Timeout = Hang.Default)]
    public async Task Put_NewKey_PrintsOkAndGetPrintsKeyThenValue()
    {
        Assert.Equal(["OK"], (await Ok("put", "foo", "bar")).Lines);

        Assert.Equal(["foo", "bar"], (await Ok("get", "foo")).Lines);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Get_PrintValueOnly_PrintsOnlyTheValue()
    {
        await Put(("foo", "bar"));

        Assert.Equal(["bar"], (await Ok("get", "foo", "--print-value-only")).Lines);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Get_MissingKey_PrintsNothingAndSucceeds()
    {
        Assert.Equal("", (await Ok("get", "missing")).Stdout);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Put_PrevKv_PrintsOkThenThePreviousPair()
    {
        await Put(("foo", "bar"));

        Assert.Equal(["OK", "foo", "bar"], (await Ok("put", "foo", "baz", "--prev-kv")).Lines);
        Assert.Equal(["baz"], (await Ok("get", "foo", "--print-value-only")).Lines);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Put_EmptyValue_IsStoredAsEmpty()
    {
        await Put(("empty", ""));

        Assert.Equal("empty\n\n", (await Ok("get", "empty")).Stdout);
        var kv = (await Json("get", "empty")).GetProperty("kvs")[0];
        Assert.False(kv.TryGetProperty("value", out _), "an empty value is left out of the JSON, as protobuf omits zero values");
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Get_Prefix_ListsOnlyKeysWithThePrefixInKeyOrder()
    {
        await Put(("a2", "v2"), ("b1", "vb"), ("a1", "v1"), ("ab", "vab"), ("a", "v"));

        Assert.Equal(["a", "v", "a1", "v1", "a2", "v2", "ab", "vab"], await NonEmptyLines("get", "a", "--prefix"));
        Assert.Equal(["a1", "a2"], await NonEmptyLines("get", "a1", "a3", "--keys-only"));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Get_KeysOnly_PrintsKeysWithoutValues()
    {
        await Put(("k1", "v1"), ("k2", "v2"));

        Assert.Equal("k1\n\nk2\n\n", (await Ok("get", "k", "--prefix", "--keys-only")).Stdout);
        Assert.Equal(["k1", "k2"], await NonEmptyLines("get", "k", "--prefix", "--keys-only"));
        var kvs = (await Json("get", "k", "--prefix", "--keys-only")).GetProperty("kvs");
        Assert.All(kvs.EnumerateArray(), kv => Assert.False(kv.TryGetProperty("value", out _)));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Get_FromKey_ListsEveryKeyAtOrAfterTheKey()
    {
        await Put(("a1", "x"), ("b1", "x"), ("b2", "x"), ("c", "x"));

        Assert.Equal(["b1", "b2", "c"], await NonEmptyLines("get", "b", "--from-key", "--keys-only"));
        Assert.Equal(["a1", "b1", "b2", "c"], await NonEmptyLines("get", "", "--from-key", "--keys-only"));
        Assert.Equal(["a1", "b1", "b2", "c"], await NonEmptyLines("get", "", "--prefix", "--keys-only"));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Get_Limit_ReturnsTheFirstKeysAndJsonReportsMoreAndFullCount()
    {
        await Put(("a1", "v1"), ("a2", "v2"), ("a3", "v3"), ("a4", "v4"), ("a5", "v5"));

        Assert.Equal(["a1", "a2"], await NonEmptyLines("get", "a", "--prefix", "--limit", "2", "--keys-only"));
        var json = await Json("get", "a", "--prefix", "--limit", "2");
        Assert.Equal(5, json.GetProperty("count").GetInt64());
        Assert.True(json.GetProperty("more").GetBoolean());
        Assert.Equal(2, json.GetProperty("kvs").GetArrayLength());

        var all = await Json("get", "a", "--prefix", "--limit", "5");
        Assert.False(all.TryGetProperty("more", out _), "more is false (left out) when the limit covers the range");
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Get_LimitWithDescendingKeySort_ReturnsTheLastKeys()
    {
        await Put(("a1", "v1"), ("a2", "v2"), ("a3", "v3"), ("a4", "v4"), ("a5", "v5"));

        Assert.Equal(["a5", "a4"], await NonEmptyLines("get", "a", "--prefix", "--limit", "2", "--sort-by=KEY", "--order=DESCEND", "--keys-only"));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Get_Rev_ReadsTheValueAtThatRevision()
    {
        await Put(("foo", "v1"), ("foo", "v2"), ("foo", "v3"));

        Assert.Equal(["v1"], (await Ok("get", "foo", "--rev=2", "--print-value-only")).Lines);
        Assert.Equal(["v2"], (await Ok("get", "foo", "--rev", "3", "--print-value-only")).Lines);
        Assert.Equal(["v3"], (await Ok("get", "foo", "--print-value-only")).Lines);
        Assert.Equal("", (await Ok("get", "foo", "--rev=1")).Stdout);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Get_RevAtOldRevision_HeaderCarriesTheCurrentRevision()
    {
        await Put(("foo", "v1"), ("foo", "v2"));

        var json = await Json("get", "foo", "--rev=2");
        Assert.Equal(3, json.GetProperty("header").GetProperty("revision").GetInt64());
        Assert.Equal(2, json.GetProperty("kvs")[0].GetProperty("mod_revision").GetInt64());
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Get_FutureRev_FailsWithFutureRevisionError()
    {
        await Put(("foo", "bar"));

        await Fails("etcdserver: mvcc: required revision is a future revision", "get", "foo", "--rev=999999");
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Get_Json_ReportsRevisionsVersionAndBase64Bytes()
    {
        await Put(("foo", "bar"), ("other", "x"), ("foo", "baz"));

        var json = await Json("get", "foo");
        var header = json.GetProperty("header");
        Assert.Equal(4, header.GetProperty("revision").GetInt64());
        Assert.True(header.GetProperty("cluster_id").GetUInt64() != 0, "cluster_id is set");
        Assert.True(header.GetProperty("member_id").GetUInt64() != 0, "member_id is set");
        Assert.True(header.GetProperty("raft_term").GetUInt64() >= 1, "raft_term is at least 1");
        Assert.Equal(1, json.GetProperty("count").GetInt64());
        var kv = json.GetProperty("kvs")[0];
        Assert.Equal(Base64("foo"), kv.GetProperty("key").GetString());
        Assert.Equal(Base64("baz"), kv.GetProperty("value").GetString());
        Assert.Equal(2, kv.GetProperty("create_revision").GetInt64());
        Assert.Equal(4, kv.GetProperty("mod_revision").GetInt64());
        Assert.Equal(2, kv.GetProperty("version").GetInt64());
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Get_Serializable_ReadsTheSameData()
    {
        await Put(("foo", "bar"));

        Assert.Equal(["bar"], (await Ok("get", "foo", "--consistency=s", "--print-value-only")).Lines);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Put_Twice_CountsVersionsAndKeepsCreateRevision()
    {
        await Put(("foo", "one"), ("foo", "two"), ("foo", "three"));

        var kv = (await Json("get", "foo")).GetProperty("kvs")[0];
        Assert.Equal(3, kv.GetProperty("version").GetInt64());
        Assert.Equal(2, kv.GetProperty("create_revision").GetInt64());
        Assert.Equal(4, kv.GetProperty("mod_revision").GetInt64());
    }
}

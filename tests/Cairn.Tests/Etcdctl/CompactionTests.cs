namespace Cairn.Tests.Etcdctl;

/// <summary>etcdctl compaction [--physical]: what stays readable, and the compacted and future-revision errors.</summary>
[Collection("Processes")]
public sealed class CompactionTests : EtcdctlTest
{
    [Fact(Timeout = Hang.Default)]
    public async Task Compaction_PrintsTheRevision_AndReadsBelowItAreCompacted()
    {
        await Put(("foo", "v1"), ("foo", "v2"), ("foo", "v3"), ("bar", "x"));

        Assert.Equal(["compacted revision 4"], (await Ok("compaction", "4")).Lines);

        await Fails("etcdserver: mvcc: required revision has been compacted", "get", "foo", "--rev=3");
        Assert.Equal(["v3"], (await Ok("get", "foo", "--rev=4", "--print-value-only")).Lines);
        Assert.Equal(["v3"], (await Ok("get", "foo", "--print-value-only")).Lines);
        Assert.Equal(["x"], (await Ok("get", "bar", "--print-value-only")).Lines);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task CompactionPhysical_WaitsAndKeepsLatestValues()
    {
        await Put(("foo", "v1"), ("foo", "v2"), ("gone", "x"));
        await Ok("del", "gone");

        Assert.Equal(["compacted revision 5"], (await Ok("compaction", "5", "--physical")).Lines);

        await Fails("etcdserver: mvcc: required revision has been compacted", "get", "foo", "--rev=2");
        Assert.Equal(["v2"], (await Ok("get", "foo", "--print-value-only")).Lines);
        Assert.Equal("", (await Ok("get", "gone")).Stdout);
        var kv = (await Json("get", "foo")).GetProperty("kvs")[0];
        Assert.Equal(2, kv.GetProperty("version").GetInt64());
        Assert.Equal(2, kv.GetProperty("create_revision").GetInt64());
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Compaction_AtOrBelowTheCompactedRevision_FailsCompacted()
    {
        await Put(("foo", "v1"), ("foo", "v2"), ("foo", "v3"));
        await Ok("compaction", "3");

        await Fails("etcdserver: mvcc: required revision has been compacted", "compaction", "3");
        await Fails("etcdserver: mvcc: required revision has been compacted", "compaction", "2");
        Assert.Equal(["compacted revision 4"], (await Ok("compaction", "4")).Lines);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Compaction_FutureRevision_FailsFutureRevision()
    {
        await Put(("foo", "v1"));

        await Fails("etcdserver: mvcc: required revision is a future revision", "compaction", "100");
        Assert.Equal(["v1"], (await Ok("get", "foo", "--rev=2", "--print-value-only")).Lines);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Compaction_DoesNotChangeTheRevision()
    {
        await Put(("foo", "v1"), ("foo", "v2"));
        var before = await CurrentRevision();

        await Ok("compaction", "2");

        Assert.Equal(before, await CurrentRevision());
    }
}

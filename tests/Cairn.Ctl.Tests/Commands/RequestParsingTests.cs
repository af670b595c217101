using System.Text;
using Cairn.Api.Etcdserverpb;
using Cairn.Ctl.Cli;
using Cairn.Ctl.Commands;
using Google.Protobuf;

namespace Cairn.Ctl.Tests.Commands;

/// <summary>get/put/del flags as they become requests (parsed through the txn request parser, which uses the same flags).</summary>
public sealed class RequestParsingTests
{
    private static ByteString B(string s) => ByteString.CopyFromUtf8(s);

    [Fact]
    public async Task Get_Prefix_SetsThePrefixRangeEnd()
    {
        var op = await TxnCommand.ParseRequestAsync("get foo --prefix");
        Assert.Equal(B("foo"), op.RequestRange.Key);
        Assert.Equal(B("fop"), op.RequestRange.RangeEnd);
    }

    [Fact]
    public async Task Get_EmptyPrefix_MeansAllKeys()
    {
        var op = await TxnCommand.ParseRequestAsync("get \"\" --prefix");
        Assert.Equal(ByteString.CopyFrom(0), op.RequestRange.Key);
        Assert.Equal(ByteString.CopyFrom(0), op.RequestRange.RangeEnd);
    }

    [Fact]
    public async Task Get_FromKey_EndsAtZeroByte()
    {
        var op = await TxnCommand.ParseRequestAsync("get b --from-key --limit=2 --rev=7 --keys-only --consistency=s");
        var r = op.RequestRange;
        Assert.Equal(B("b"), r.Key);
        Assert.Equal(ByteString.CopyFrom(0), r.RangeEnd);
        Assert.Equal(2, r.Limit);
        Assert.Equal(7, r.Revision);
        Assert.True(r.KeysOnly);
        Assert.True(r.Serializable);
    }

    [Fact]
    public async Task Get_KeyAscend_AsksForNoSortLikeClientv3()
    {
        var r = (await TxnCommand.ParseRequestAsync("get a z --order=ASCEND")).RequestRange;
        Assert.Equal(RangeRequest.Types.SortOrder.None, r.SortOrder);
        Assert.Equal(B("z"), r.RangeEnd);
        var d = (await TxnCommand.ParseRequestAsync("get a z --sort-by=modify --order=descend")).RequestRange;
        Assert.Equal(RangeRequest.Types.SortOrder.Descend, d.SortOrder);
        Assert.Equal(RangeRequest.Types.SortTarget.Mod, d.SortTarget);
    }

    [Fact]
    public async Task Get_PrefixAndFromKey_IsRejected()
    {
        var e = await Assert.ThrowsAsync<CtlException>(() => TxnCommand.ParseRequestAsync("get a --prefix --from-key"));
        Assert.Equal("`--prefix` and `--from-key` cannot be set at the same time, choose one", e.Message);
        Assert.Equal(ExitCode.BadArgs, e.ExitCode);
    }

    [Fact]
    public async Task Get_BadSortTarget_IsABadFeature()
    {
        var e = await Assert.ThrowsAsync<CtlException>(() => TxnCommand.ParseRequestAsync("get a --sort-by=size"));
        Assert.Equal(ExitCode.BadFeature, e.ExitCode);
        Assert.Equal("bad sort target size", e.Message);
    }

    [Fact]
    public async Task Put_LeaseIsHex_AndFlagsCarryOver()
    {
        var p = (await TxnCommand.ParseRequestAsync("put k v --lease=1f --prev-kv")).RequestPut;
        Assert.Equal(B("k"), p.Key);
        Assert.Equal(B("v"), p.Value);
        Assert.Equal(0x1f, p.Lease);
        Assert.True(p.PrevKv);
    }

    [Fact]
    public async Task Put_BadLease_UsesGosErrorText()
    {
        var e = await Assert.ThrowsAsync<CtlException>(() => TxnCommand.ParseRequestAsync("put k v --lease=zz"));
        Assert.Equal("bad lease ID (strconv.ParseInt: parsing \"zz\": invalid syntax), expecting ID in Hex", e.Message);
    }

    [Fact]
    public async Task Put_IgnoreValueWithValue_IsRejected()
    {
        var e = await Assert.ThrowsAsync<CtlException>(() => TxnCommand.ParseRequestAsync("put k v --ignore-value"));
        Assert.Equal("put command needs only 1 argument when 'ignore-value' is set", e.Message);
    }

    [Fact]
    public async Task Del_PrefixAndPrevKv_BecomeARangeDelete()
    {
        var d = (await TxnCommand.ParseRequestAsync("del dir/ --prefix --prev-kv")).RequestDeleteRange;
        Assert.Equal(B("dir/"), d.Key);
        Assert.Equal(B("dir0"), d.RangeEnd);
        Assert.True(d.PrevKv);
    }

    [Fact]
    public async Task UnknownRequest_IsInvalidInput()
    {
        var e = await Assert.ThrowsAsync<CtlException>(() => TxnCommand.ParseRequestAsync("fetch k"));
        Assert.Equal(ExitCode.InvalidInput, e.ExitCode);
        Assert.Equal("invalid txn request: fetch k", e.Message);
    }

    [Theory]
    [InlineData("mod(\"a\") = \"5\"", Compare.Types.CompareTarget.Mod, Compare.Types.CompareResult.Equal)]
    [InlineData("m(\"a\") > \"5\"", Compare.Types.CompareTarget.Mod, Compare.Types.CompareResult.Greater)]
    [InlineData("ver(\"a\") < \"5\"", Compare.Types.CompareTarget.Version, Compare.Types.CompareResult.Less)]
    [InlineData("c(\"a\") != \"5\"", Compare.Types.CompareTarget.Create, Compare.Types.CompareResult.NotEqual)]
    [InlineData("lease(\"a\") = \"5\"", Compare.Types.CompareTarget.Lease, Compare.Types.CompareResult.Equal)]
    public void ParseCompare_NumericTargets(string line, Compare.Types.CompareTarget target, Compare.Types.CompareResult result)
    {
        var c = TxnCommand.ParseCompare(line);
        Assert.Equal(target, c.Target);
        Assert.Equal(result, c.Result);
        Assert.Equal(B("a"), c.Key);
    }

    [Fact]
    public void ParseCompare_Value_KeepsEscapedBytes()
    {
        var c = TxnCommand.ParseCompare("value(\"k y\") = \"a\\x00b\"");
        Assert.Equal(B("k y"), c.Key);
        Assert.Equal(ByteString.CopyFrom(Encoding.UTF8.GetBytes("a\0b")), c.Value);
    }

    [Theory]
    [InlineData("mod a = 1", "malformed comparison: mod a = 1")]
    [InlineData("size(\"a\") = \"1\"", "malformed comparison: size(\"a\") = \"1\" (unknown target size)")]
    [InlineData("mod(\"a\") = \"x\"", "invalid txn compare request: mod(\"a\") = \"x\"")]
    public void ParseCompare_Malformed_FailsAsEtcdctl(string line, string message)
    {
        var e = Assert.Throws<CtlException>(() => TxnCommand.ParseCompare(line));
        Assert.Equal(message, e.Message);
        Assert.Equal(ExitCode.InvalidInput, e.ExitCode);
    }

    [Fact]
    public void Watch_SplitArguments_SeparatesTheExecCommand()
    {
        var (keys, exec) = WatchCommand.SplitArguments(["--endpoints", "x", "watch", "k", "--", "echo", "hi"], ["k", "echo", "hi"], "", "");
        Assert.Equal(["k"], keys);
        Assert.Equal(["echo", "hi"], exec);
    }

    [Fact]
    public void Watch_EnvironmentKey_ConflictsWithAKeyArgument()
    {
        var e = Assert.Throws<CtlException>(() => WatchCommand.SplitArguments(["watch", "k"], ["k"], "envkey", ""));
        Assert.Equal("bad number of arguments (found conflicting environment key)", e.Message);
        var (keys, _) = WatchCommand.SplitArguments(["watch"], [], "envkey", "envend");
        Assert.Equal(["envkey", "envend"], keys);
    }

    [Fact]
    public void Watch_BuildCreate_PrefixAndRangeEndAreExclusive()
    {
        var e = Assert.Throws<CtlException>(() => WatchCommand.BuildCreate(["a", "b"], prefix: true, rev: 0, prevKv: false));
        Assert.Equal("`range_end` and `--prefix` are mutually exclusive", e.Message);
        var create = WatchCommand.BuildCreate(["a"], prefix: true, rev: 4, prevKv: true);
        Assert.Equal(B("b"), create.RangeEnd);
        Assert.Equal(4, create.StartRevision);
        Assert.True(create.PrevKv);
    }

    [Fact]
    public void RolePermRange_FollowsEtcdctlRules()
    {
        Assert.Equal(("/p", "/q"), RoleCommands.PermRange(["/p"], prefix: true, fromKey: false));
        Assert.Equal(("/f", "\0"), RoleCommands.PermRange(["/f"], prefix: false, fromKey: true));
        Assert.Equal(("\0", "\0"), RoleCommands.PermRange([""], prefix: true, fromKey: false));
        Assert.Equal(("/x", "/y"), RoleCommands.PermRange(["/x", "/y"], prefix: false, fromKey: false));
        Assert.Throws<CtlException>(() => RoleCommands.PermRange(["/x", "/y"], prefix: true, fromKey: false));
    }

    [Fact]
    public void LeaseAndMemberIds_AreHexWithGoErrors()
    {
        Assert.Equal(0x5945a21dd09aac10, LeaseCommands.LeaseId("5945a21dd09aac10"));
        Assert.Equal("bad lease ID arg (strconv.ParseInt: parsing \"zz\": invalid syntax), expecting ID in Hex",
            Assert.Throws<CtlException>(() => LeaseCommands.LeaseId("zz")).Message);
        Assert.Equal(0xfa37060d58c5d945UL, MemberCommands.MemberId(["fa37060d58c5d945"]));
        Assert.Equal("member ID is not provided", Assert.Throws<CtlException>(() => MemberCommands.MemberId([])).Message);
    }
}

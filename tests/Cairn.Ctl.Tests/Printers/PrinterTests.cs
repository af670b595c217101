using Cairn.Api.Authpb;
using Cairn.Api.Etcdserverpb;
using Cairn.Api.Mvccpb;
using Cairn.Ctl.Cli;
using Cairn.Ctl.Printers;
using Google.Protobuf;

namespace Cairn.Ctl.Tests.Printers;

/// <summary>Each format against text captured from the real etcdctl 3.4.23 for the same response.</summary>
public sealed class PrinterTests
{
    private static readonly ResponseHeader Header = new() { ClusterId = 4332566291339288866, MemberId = 18029886287594772805, Revision = 3, RaftTerm = 2 };

    private static KeyValue Kv(string key, string value, long create, long mod, long version) =>
        new() { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value), CreateRevision = create, ModRevision = mod, Version = version };

    private static (Printer Printer, TestConsole Console) Make(string format, bool hex = false)
    {
        var console = new TestConsole();
        return (Printer.Create(format, hex, console.Console), console);
    }

    [Fact]
    public void Json_Get_MatchesEtcdctl()
    {
        var (p, c) = Make("json");
        p.Get(new RangeResponse { Header = new ResponseHeader(Header) { Revision = 2 }, Kvs = { Kv("foo", "bar", 2, 2, 1) }, Count = 1 });
        Assert.Equal("{\"header\":{\"cluster_id\":4332566291339288866,\"member_id\":18029886287594772805,\"revision\":2,\"raft_term\":2},\"kvs\":[{\"key\":\"Zm9v\",\"create_revision\":2,\"mod_revision\":2,\"version\":1,\"value\":\"YmFy\"}],\"count\":1}\n", c.Stdout);
    }

    [Fact]
    public void Json_Txn_UsesGoOneofNames()
    {
        var (p, c) = Make("json");
        p.Txn(new TxnResponse { Header = Header, Responses = { new ResponseOp { ResponseRange = new RangeResponse { Header = new ResponseHeader { Revision = 10 } } } } });
        Assert.Equal("{\"header\":{\"cluster_id\":4332566291339288866,\"member_id\":18029886287594772805,\"revision\":3,\"raft_term\":2},\"responses\":[{\"Response\":{\"ResponseRange\":{\"header\":{\"revision\":10}}}}]}\n", c.Stdout);
    }

    [Fact]
    public void Json_LeaseResponses_PromoteTheHeader()
    {
        var (p, c) = Make("json");
        var h = new ResponseHeader(Header) { Revision = 7 };
        p.Grant(new LeaseGrantResponse { Header = h, ID = 6432725891706170386, TTL = 100 });
        p.TimeToLive(new LeaseTimeToLiveResponse { Header = h, ID = 1, TTL = -1 }, keys: false);
        p.Leases(new LeaseLeasesResponse { Header = h, Leases = { new LeaseStatus { ID = 5 } } });
        Assert.Equal(
            "{\"cluster_id\":4332566291339288866,\"member_id\":18029886287594772805,\"revision\":7,\"raft_term\":2,\"ID\":6432725891706170386,\"TTL\":100,\"Error\":\"\"}\n" +
            "{\"cluster_id\":4332566291339288866,\"member_id\":18029886287594772805,\"revision\":7,\"raft_term\":2,\"id\":1,\"ttl\":-1,\"granted-ttl\":0,\"keys\":null}\n" +
            "{\"cluster_id\":4332566291339288866,\"member_id\":18029886287594772805,\"revision\":7,\"raft_term\":2,\"leases\":[{\"id\":5}]}\n",
            c.Stdout);
    }

    [Fact]
    public void Json_MemberList_UsesProtoFieldNames()
    {
        var (p, c) = Make("json");
        p.MemberList(new MemberListResponse
        {
            Header = new ResponseHeader(Header) { Revision = 0 },
            Members = { new Member { ID = 18029886287594772805, Name = "e1", PeerURLs = { "http://127.0.0.1:44837" }, ClientURLs = { "http://127.0.0.1:42435" } } },
        });
        Assert.Equal("{\"header\":{\"cluster_id\":4332566291339288866,\"member_id\":18029886287594772805,\"raft_term\":2},\"members\":[{\"ID\":18029886287594772805,\"name\":\"e1\",\"peerURLs\":[\"http://127.0.0.1:44837\"],\"clientURLs\":[\"http://127.0.0.1:42435\"]}]}\n", c.Stdout);
    }

    [Fact]
    public void Json_Watch_IsClientv3sStruct()
    {
        var (p, c) = Make("json");
        p.Watch(new WatchResponse { Header = new ResponseHeader(Header) { Revision = 0 }, Canceled = true, CompactRevision = 3 });
        Assert.Equal("{\"Header\":{\"cluster_id\":4332566291339288866,\"member_id\":18029886287594772805,\"raft_term\":2},\"Events\":[],\"CompactRevision\":3,\"Canceled\":true,\"Created\":false}\n", c.Stdout);
    }

    [Fact]
    public void Json_Strings_AreEscapedLikeGo() =>
        Assert.Equal("\"\\u003ca\\u0026b\\u003e \\\"q\\\" \\u0001\\n\"", new GoJson().String("<a&b> \"q\" \u0001\n").ToString());

    [Fact]
    public void Fields_Del_MatchesEtcdctl()
    {
        var (p, c) = Make("fields");
        p.Del(new DeleteRangeResponse { Header = new ResponseHeader(Header) { Revision = 7 }, Deleted = 1, PrevKvs = { Kv("b", "2", 5, 5, 1) } });
        Assert.Equal(
            "\"ClusterID\" : 4332566291339288866\n\"MemberID\" : 18029886287594772805\n\"Revision\" : 7\n\"RaftTerm\" : 2\n\"Deleted\" : 1\n" +
            "\"PrevKey\" : \"b\"\n\"PrevCreateRevision\" : 5\n\"PrevModRevision\" : 5\n\"PrevVersion\" : 1\n\"PrevValue\" : \"2\"\n\"PrevLease\" : 0\n",
            c.Stdout);
    }

    [Fact]
    public void Fields_RoleGet_KeepsEtcdctlsDoubleSpace()
    {
        var (p, c) = Make("fields");
        p.RoleGet("r1", new AuthRoleGetResponse { Header = Header, Perm = { new Permission { PermType = Permission.Types.Type.Write, Key = ByteString.CopyFromUtf8("/f"), RangeEnd = ByteString.CopyFrom(0) } } });
        Assert.EndsWith("\"PermType\" :  WRITE\n\"Key\" : \"/f\"\n\"RangeEnd\" : \"\\x00\"\n", c.Stdout);
    }

    [Fact]
    public void Simple_Txn_SeparatesResponsesWithBlankLines()
    {
        var (p, c) = Make("simple");
        p.Txn(new TxnResponse
        {
            Succeeded = true,
            Responses =
            {
                new ResponseOp { ResponsePut = new PutResponse() },
                new ResponseOp { ResponseRange = new RangeResponse { Kvs = { Kv("a", "x", 1, 1, 1) } } },
            },
        });
        Assert.Equal("SUCCESS\n\nOK\n\na\nx\n", c.Stdout);
    }

    [Fact]
    public void Simple_Get_PrintsRawBytes_AndHexEscapesWithHex()
    {
        var raw = Make("simple");
        var bytes = new KeyValue { Key = ByteString.CopyFromUtf8("k"), Value = ByteString.CopyFrom(0xff, 0x00) };
        raw.Printer.Get(new RangeResponse { Kvs = { bytes } });
        Assert.Equal(new byte[] { (byte)'k', (byte)'\n', 0xff, 0x00, (byte)'\n' }, raw.Console.StdoutBytes);

        var hex = Make("simple", hex: true);
        hex.Printer.Get(new RangeResponse { Kvs = { bytes } });
        Assert.Equal("\\x6b\n\\xff\\x00\n", hex.Console.Stdout);
    }

    [Fact]
    public void Simple_LeaseAndMemberLines_MatchEtcdctl()
    {
        var (p, c) = Make("simple");
        p.Grant(new LeaseGrantResponse { ID = 0x5945a21dd09aac10, TTL = 100 });
        p.TimeToLive(new LeaseTimeToLiveResponse { ID = 0x5945a21dd09aac16, TTL = 49, GrantedTTL = 50, Keys = { ByteString.CopyFromUtf8("lk") } }, keys: true);
        p.TimeToLive(new LeaseTimeToLiveResponse { ID = 0x16, TTL = -1 }, keys: false);
        p.MemberAdd(new MemberAddResponse { Header = new ResponseHeader { ClusterId = 0xabc }, Member = new Member { ID = 0x8e9e05c52164694d } });
        p.Alarm(new AlarmResponse { Alarms = { new AlarmMember { MemberID = 5, Alarm = AlarmType.Nospace } } });
        Assert.Equal(
            "lease 5945a21dd09aac10 granted with TTL(100s)\n" +
            "lease 5945a21dd09aac16 granted with TTL(50s), remaining(49s), attached keys([lk])\n" +
            "lease 0000000000000016 already expired\n" +
            "Member 8e9e05c52164694d added to cluster              abc\n" +
            "memberID:5 alarm:NOSPACE \n",
            c.Stdout);
    }

    [Fact]
    public void Simple_RoleGet_DescribesRanges()
    {
        var (p, c) = Make("simple");
        Permission Perm(Permission.Types.Type t, string key, string end) =>
            new() { PermType = t, Key = ByteString.CopyFromUtf8(key), RangeEnd = ByteString.CopyFromUtf8(end) };
        p.RoleGet("r1", new AuthRoleGetResponse
        {
            Perm = { Perm(Permission.Types.Type.Read, "/a", ""), Perm(Permission.Types.Type.Write, "/f", "\0"), Perm(Permission.Types.Type.Readwrite, "/p", "/q"), Perm(Permission.Types.Type.Read, "/x", "/y") },
        });
        Assert.Equal("Role r1\nKV Read:\n\t/a\n\t[/p, /q) (prefix /p)\n\t[/x, /y) (prefix /x)\nKV Write:\n\t[/f, <open ended>\n\t[/p, /q) (prefix /p)\n", c.Stdout);
    }

    [Fact]
    public void Table_MemberList_MatchesTablewriter()
    {
        var (p, c) = Make("table");
        p.MemberList(new MemberListResponse { Members = { new Member { ID = 0xfa37060d58c5d945, Name = "e1", PeerURLs = { "http://127.0.0.1:44837" }, ClientURLs = { "http://127.0.0.1:42435" } } } });
        Assert.Equal(
            "+------------------+---------+------+------------------------+------------------------+------------+\n" +
            "|        ID        | STATUS  | NAME |       PEER ADDRS       |      CLIENT ADDRS      | IS LEARNER |\n" +
            "+------------------+---------+------+------------------------+------------------------+------------+\n" +
            "| fa37060d58c5d945 | started |   e1 | http://127.0.0.1:44837 | http://127.0.0.1:42435 |      false |\n" +
            "+------------------+---------+------+------------------------+------------------------+------------+\n",
            c.Stdout);
    }

    [Fact]
    public void Table_Get_IsUnsupportedLikeEtcdctl()
    {
        var (p, _) = Make("table");
        var e = Assert.Throws<CtlException>(() => p.Get(new RangeResponse()));
        Assert.Equal("table not supported as output format", e.Message);
        Assert.Equal(ExitCode.BadFeature, e.ExitCode);
    }

    [Fact]
    public void Fields_UserGet_IsUnsupportedLikeEtcdctl() =>
        Assert.Equal("fields not supported as output format", Assert.Throws<CtlException>(() => Make("fields").Printer.UserGet("u", new AuthUserGetResponse())).Message);

    [Fact]
    public void Protobuf_Get_IsTheWireBytes()
    {
        var (p, c) = Make("protobuf");
        var response = new RangeResponse { Header = Header, Kvs = { Kv("foo", "bar2", 2, 3, 2) }, Count = 1 };
        p.Get(response);
        Assert.Equal(response.ToByteArray(), c.StdoutBytes);
    }

    [Fact]
    public void AsciiTable_LongCells_WrapAtSpaces()
    {
        var text = AsciiTable.Render(["error"], [["rpc error: code = Unavailable desc = connection refused by the server"]]);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length > 5);
        Assert.All(lines, l => Assert.Equal(lines[0].Length, l.Length));
    }

    [Theory]
    [InlineData(5UL, "5 B")]
    [InlineData(20480UL, "20 kB")]
    [InlineData(1_500_000UL, "1.5 MB")]
    [InlineData(2_500UL, "2.5 kB")]
    [InlineData(999UL, "999 B")]
    public void Humanize_Bytes_MatchesGoHumanize(ulong size, string expected) => Assert.Equal(expected, Humanize.Bytes(size));
}

namespace Cairn.Tests.Etcdctl;

/// <summary>etcdctl endpoint health and endpoint status against one member.</summary>
[Collection("Processes")]
public sealed class EndpointTests : EtcdctlTest
{
    [Fact(Timeout = Hang.Default)]
    public async Task EndpointHealth_HealthyMember_ReportsHealthyOnStderr()
    {
        var result = await Ok("endpoint", "health");

        Assert.Matches($"^{Member.Endpoint} is healthy: successfully committed proposal: took = ", result.Stderr);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task EndpointHealthJson_ReportsHealthTrue()
    {
        var result = await Ok("endpoint", "health", "-w", "json");
        using var document = System.Text.Json.JsonDocument.Parse(result.Stdout);
        var entry = document.RootElement[0];

        Assert.Equal(Member.Endpoint, entry.GetProperty("endpoint").GetString());
        Assert.True(entry.GetProperty("health").GetBoolean());
    }

    [Fact(Timeout = Hang.Default)]
    public async Task EndpointStatus_PrintsEndpointIdVersionAndLeadership()
    {
        var result = await Ok("endpoint", "status");
        var fields = result.Lines.Single().Split(", ");

        // endpoint, ID, version, DB size, is leader, is learner, raft term, raft index, raft applied index, errors
        Assert.Equal(Member.Endpoint, fields[0]);
        Assert.Matches("^[0-9a-f]+$", fields[1]);
        Assert.Matches(@"^3\.\d+\.\d+$", fields[2]);
        Assert.Equal("true", fields[4]);
        Assert.Equal("false", fields[5]);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task EndpointStatusJson_SingleMemberLeadsAndReportsTheCurrentRevision()
    {
        await Put(("a", "1"), ("b", "2"));

        var entry = (await Json("endpoint", "status"))[0];
        var status = entry.GetProperty("Status");
        var header = status.GetProperty("header");

        Assert.Equal(Member.Endpoint, entry.GetProperty("Endpoint").GetString());
        Assert.Equal(3, header.GetProperty("revision").GetInt64());
        Assert.Equal(header.GetProperty("member_id").GetUInt64(), status.GetProperty("leader").GetUInt64());
        Assert.True(status.GetProperty("dbSize").GetInt64() > 0, "dbSize is positive");
        Assert.True(status.GetProperty("raftIndex").GetUInt64() >= 2, "raftIndex counts at least the two puts");
        Assert.True(status.GetProperty("raftTerm").GetUInt64() >= 1, "raftTerm is at least 1");
    }
}

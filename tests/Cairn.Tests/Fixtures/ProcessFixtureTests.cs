using Cairn.Api.Etcdserverpb;
using Cairn.Testing;
using Google.Protobuf;

namespace Cairn.Tests.Fixtures;

/// <summary>
/// The process fixtures themselves, run on real etcd (the oracle binary) so they hold whatever state Cairn is in:
/// clusters form, members freeze, thaw, die and come back with their data, commands time out, and a difference
/// between the two servers is caught.
/// </summary>
[Collection("Processes")]
public sealed class ProcessFixtureTests
{
    [Fact]
    public void FreePort_ManyCalls_NeverRepeatsAPort()
    {
        var ports = Enumerable.Range(0, 50).Select(_ => FreePort.Next()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, 1, 65535));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task ProcessCluster_ThreeMembers_FormOneCluster()
    {
        await using var cluster = await ProcessCluster.StartAsync(ServerBinary.Etcd, 3);

        var list = await cluster.Etcdctl().SucceedAsync("member", "list");

        Assert.Equal(3, list.Lines.Count);
        Assert.All(cluster.Members, m => Assert.Contains(list.Lines, l => l.Contains(m.Endpoint, StringComparison.Ordinal)));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task ProcessMember_FreezeAndThaw_StopsAndResumesAnswering()
    {
        await using var cluster = await ProcessCluster.StartAsync(ServerBinary.Etcd);
        var member = cluster[0];

        member.Freeze();
        var frozenHealthy = await member.IsHealthyAsync();
        member.Thaw();
        await member.WaitHealthyAsync(TimeSpan.FromSeconds(10));

        Assert.False(frozenHealthy);
        Assert.True(member.IsRunning);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task ProcessMember_KillNineAndRestart_KeepsDataOnTheSamePorts()
    {
        await using var cluster = await ProcessCluster.StartAsync(ServerBinary.Etcd);
        var member = cluster[0];
        await cluster.Etcdctl().SucceedAsync("put", "durable", "yes");
        var firstPid = member.Pid;

        await member.KillAsync();
        var downHealthy = await member.IsHealthyAsync();
        await member.RestartAsync();

        Assert.False(downHealthy);
        Assert.NotEqual(firstPid, member.Pid);
        Assert.Equal(["yes"], (await cluster.Etcdctl().SucceedAsync("get", "durable", "--print-value-only")).Lines);
        Assert.Contains("start #2", await File.ReadAllTextAsync(member.LogPath));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task ProcessCluster_Dispose_KillsMembersAndDeletesTheFolder()
    {
        var cluster = await ProcessCluster.StartAsync(ServerBinary.Etcd);
        var member = cluster[0];

        await cluster.DisposeAsync();

        Assert.False(member.IsRunning);
        Assert.False(Directory.Exists(cluster.WorkDir));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Etcdctl_CommandThatNeverEnds_TimesOut()
    {
        await using var cluster = await ProcessCluster.StartAsync(ServerBinary.Etcd);

        await Assert.ThrowsAsync<TimeoutException>(() => cluster.Etcdctl().RunAsync(["watch", "never"], stdin: null, timeout: TimeSpan.FromSeconds(1)));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Differ_SubjectAnswersDifferently_ThrowsWithBothAnswers()
    {
        await using var differ = await Differ.StartAsync(ServerBinary.Etcd);
        await differ.Put("k", "same").Ok();
        await differ.Actual.KV.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8("k"), Value = ByteString.CopyFromUtf8("diverged") });

        var error = await Assert.ThrowsAsync<DifferenceException>(() => differ.Range(new RangeRequest { Key = ByteString.CopyFromUtf8("k") }));

        Assert.Contains("responses differ", error.Message, StringComparison.Ordinal);
        Assert.Contains("value: \"same\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("value: \"diverged\"", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Differ_IdsAndTermsAside_TwoEtcdsAnswerAlike()
    {
        await using var differ = await Differ.StartAsync(ServerBinary.Etcd);

        var put = await differ.Put("k", "v").Ok();

        Assert.Equal(0UL, put.Header.ClusterId);
        Assert.Equal(0UL, put.Header.MemberId);
        Assert.Equal(2, put.Header.Revision);
    }
}

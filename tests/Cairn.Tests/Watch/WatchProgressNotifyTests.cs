using Cairn.Api.Etcdserverpb;
using Cairn.Testing;
using Cairn.Tests.Differential;
using Google.Protobuf;

namespace Cairn.Tests.Watch;

/// <summary>--experimental-watch-progress-notify-interval on etcd 3.4.23 and the server under test: an idle watcher
/// that asked for progress_notify gets empty responses with its own ID at the current revision; others get none.</summary>
[Collection("Processes")]
public sealed class WatchProgressNotifyTests : DifferentialTest
{
    protected override ClusterOptions Options => new() { ExtraArguments = ["--experimental-watch-progress-notify-interval", "400ms"] };

    private static async Task<List<WatchResponse>> Scenario(EtcdClient client)
    {
        await client.KV.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8("other"), Value = ByteString.CopyFromUtf8("x") });
        await using var s = new WatchSession(client);
        await s.Create(new WatchCreateRequest { Key = ByteString.CopyFromUtf8("idle"), ProgressNotify = true });
        await s.Create(new WatchCreateRequest { Key = ByteString.CopyFromUtf8("quiet") });
        await s.Until(l => l.Count == 2);
        var notifications = await s.Until(l => l.Count == 2, TimeSpan.FromSeconds(5));
        return [.. notifications.Select(ResponseIds.Cleared)];
    }

    [Fact(Timeout = Hang.Default)]
    public async Task IdleWatchersWithProgressNotify_HearEveryInterval()
    {
        var expected = await Scenario(D.Expected);
        var actual = await Scenario(D.Actual);

        Assert.All(expected, r => Assert.Equal(new WatchResponse { Header = new ResponseHeader { Revision = 2 }, WatchId = 0 }, r));
        Assert.Equal(expected, actual);
    }
}

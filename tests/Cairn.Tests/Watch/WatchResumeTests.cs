using Cairn.Api.Etcdserverpb;
using Google.Protobuf;

namespace Cairn.Tests.Watch;

/// <summary>A client that lost its watch to a member restart (kill -9) resumes from the next revision it needs
/// and receives every later revision exactly once: what was written while it was away, and what comes after.</summary>
[Collection("Processes")]
public sealed class WatchResumeTests : SingleMemberTest
{
    private static ByteString B(string s) => ByteString.CopyFromUtf8(s);

    [Fact(Timeout = Hang.Default)]
    public async Task AfterAKillAndRestart_AWatcherResumesByRevision_WithoutGaps()
    {
        var seen = new List<long>();
        long first;
        using (var client = Member.CreateClient())
        {
            first = (await client.KV.PutAsync(new PutRequest { Key = B("r/0"), Value = B("0") })).Header.Revision;
            await using var watch = new WatchSession(client);
            await watch.Create(new WatchCreateRequest { Key = B("r/"), RangeEnd = B("r0"), StartRevision = first });
            Assert.True((await watch.Next()).Created);
            for (var i = 1; i <= 50; i++)
            {
                await client.KV.PutAsync(new PutRequest { Key = B($"r/{i % 7}"), Value = B($"{i}") });
            }
            await watch.Consume(r =>
            {
                seen.AddRange(r.Events.Select(e => e.Kv.ModRevision));
                return seen.Count < 30;
            }, TimeSpan.FromSeconds(15));
            // The stream goes away with the watcher part-way through.
            for (var i = 51; i <= 70; i++)
            {
                await client.KV.PutAsync(new PutRequest { Key = B($"r/{i % 7}"), Value = B($"{i}") });
            }
        }

        await Member.RestartAsync();

        using var again = Member.CreateClient();
        for (var i = 71; i <= 100; i++)
        {
            await again.KV.PutAsync(new PutRequest { Key = B($"r/{i % 7}"), Value = B($"{i}") });
        }
        var last = (await again.KV.RangeAsync(new RangeRequest { Key = B("r/0") })).Header.Revision;
        await using var resumed = new WatchSession(again);
        await resumed.Create(new WatchCreateRequest { Key = B("r/"), RangeEnd = B("r0"), StartRevision = seen[^1] + 1 });
        var values = new List<string>();
        await resumed.Consume(r =>
        {
            foreach (var e in r.Events)
            {
                seen.Add(e.Kv.ModRevision);
                values.Add(e.Kv.Value.ToStringUtf8());
            }
            return seen[^1] < last;
        }, TimeSpan.FromSeconds(15));

        Assert.Equal(Enumerable.Range((int)first, 101).Select(r => (long)r), seen);
        Assert.Equal("100", values[^1]);
    }
}

using Cairn.Api.Etcdserverpb;
using Cairn.Api.Mvccpb;
using Cairn.Server.Watch;
using Google.Protobuf;

namespace Cairn.Server.Tests.Watch;

public sealed class WatchFragmentsTests
{
    private static WatchResponse Response(params int[] valueSizes)
    {
        var r = new WatchResponse { Header = new ResponseHeader { Revision = 9 }, WatchId = 3 };
        for (var i = 0; i < valueSizes.Length; i++)
        {
            r.Events.Add(new Event
            {
                Kv = new KeyValue { Key = ByteString.CopyFromUtf8($"k{i}"), Value = ByteString.CopyFrom(new byte[valueSizes[i]]), ModRevision = 9 },
            });
        }
        return r;
    }

    [Fact]
    public void UnderTheLimit_OrASingleEvent_IsSentWhole()
    {
        var small = Response(10, 10);
        Assert.Same(small, Assert.Single(WatchFragments.Split(small, 1000)));
        var huge = Response(5000);
        Assert.Same(huge, Assert.Single(WatchFragments.Split(huge, 1000)));
    }

    [Fact]
    public void OverTheLimit_EveryPartButTheLastIsAFragment_EachUnderTheLimitUnlessOneEventAlone()
    {
        var r = Response(400, 400, 2000, 100, 100, 100);
        var parts = WatchFragments.Split(r, 1000).ToList();

        Assert.Equal(r.Events, parts.SelectMany(p => p.Events));
        Assert.All(parts[..^1], p => Assert.True(p.Fragment));
        Assert.False(parts[^1].Fragment);
        Assert.All(parts, p => Assert.True(p.Events.Count == 1 || p.CalculateSize() < 1000, $"{p.CalculateSize()} bytes"));
        Assert.All(parts, p => Assert.Equal((3L, 9L), (p.WatchId, p.Header.Revision)));
        Assert.Equal([2, 1, 3], parts.Select(p => p.Events.Count));
    }
}

using Cairn.Api.Etcdserverpb;
using Google.Protobuf;

namespace Cairn.Server.Watch;

/// <summary>
/// etcd's response fragmentation for watchers created with fragment=true: a response of at least
/// <c>maxBytes</c> with two or more events is split into consecutive responses marked fragment=true except the last,
/// each holding as many events as fit under the limit (always at least one).
/// </summary>
internal static class WatchFragments
{
    // Field 11 (events), length-delimited: a one-byte tag.
    private const int EventTagBytes = 1;

    public static IEnumerable<WatchResponse> Split(WatchResponse response, int maxBytes)
    {
        if (response.Events.Count < 2 || response.CalculateSize() < maxBytes)
        {
            yield return response;
            yield break;
        }
        var index = 0;
        while (true)
        {
            var part = new WatchResponse
            {
                Header = response.Header,
                WatchId = response.WatchId,
                Created = response.Created,
                Canceled = response.Canceled,
                CompactRevision = response.CompactRevision,
                CancelReason = response.CancelReason,
                Fragment = true,
            };
            var size = part.CalculateSize();
            while (index < response.Events.Count)
            {
                var e = response.Events[index];
                var added = EventTagBytes + CodedOutputStream.ComputeMessageSize(e);
                if (part.Events.Count > 0 && size + added >= maxBytes)
                {
                    break;
                }
                part.Events.Add(e);
                size += added;
                index++;
            }
            if (index == response.Events.Count)
            {
                part.Fragment = false;
            }
            yield return part;
            if (!part.Fragment)
            {
                yield break;
            }
        }
    }
}

using Cairn.Api.Etcdserverpb;
using Cairn.Api.Mvccpb;
using Cairn.Ctl.Cli;
using Cairn.Ctl.Client;
using Google.Protobuf;

namespace Cairn.Ctl.Concurrency;

/// <summary>The waits that elections and locks are built on (clientv3/concurrency key.go), and the range shapes they use.</summary>
internal static class KeyWaits
{
    /// <summary>clientv3.WithFirstCreate / WithLastCreate: the oldest or newest key under a prefix.</summary>
    public static RangeRequest Top(string prefix, bool newest, long maxCreateRevision = 0)
    {
        var key = ByteString.CopyFromUtf8(prefix);
        return new RangeRequest
        {
            Key = key,
            RangeEnd = KeyRanges.PrefixEnd(key),
            SortTarget = RangeRequest.Types.SortTarget.Create,
            SortOrder = newest ? RangeRequest.Types.SortOrder.Descend : RangeRequest.Types.SortOrder.Ascend,
            Limit = 1,
            MaxCreateRevision = maxCreateRevision,
        };
    }

    /// <summary>Waits until every key under <paramref name="prefix"/> created at or before <paramref name="maxCreateRevision"/> is gone.</summary>
    public static async Task<ResponseHeader> WaitDeletesAsync(EtcdConnection c, string prefix, long maxCreateRevision, CancellationToken ct)
    {
        while (true)
        {
            var response = await c.UnaryAsync(o => c.KV.RangeAsync(Top(prefix, newest: true, maxCreateRevision), o), ct, timeout: Timeout.InfiniteTimeSpan).ConfigureAwait(false);
            if (response.Kvs.Count == 0)
            {
                return response.Header;
            }

            await WaitDeleteAsync(c, response.Kvs[0].Key, response.Header.Revision, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Watches <paramref name="key"/> from <paramref name="revision"/> until a DELETE event.</summary>
    public static async Task WaitDeleteAsync(EtcdConnection c, ByteString key, long revision, CancellationToken ct)
    {
        await using var stream = WatchStream.Open(c, requireLeader: false, ct);
        var reader = await stream.CreateAsync(new WatchCreateRequest { Key = key, StartRevision = revision }, ct).ConfigureAwait(false);
        await foreach (var response in reader.ReadAllAsync(ct).ConfigureAwait(false))
        {
            if (response.Events.Any(e => e.Type == Event.Types.EventType.Delete))
            {
                return;
            }
        }

        throw CtlException.Error("lost watcher waiting for delete");
    }
}

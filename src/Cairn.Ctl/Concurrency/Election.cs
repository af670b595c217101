using Cairn.Api.Etcdserverpb;
using Cairn.Api.Mvccpb;
using Cairn.Ctl.Cli;
using Cairn.Ctl.Client;
using Google.Protobuf;

namespace Cairn.Ctl.Concurrency;

/// <summary>
/// clientv3/concurrency's Election: candidates put "name/&lt;lease hex&gt;" with their lease; the oldest key is the
/// leader, and a candidate wins once every older key is deleted.
/// </summary>
internal sealed class Election(Session session, string name)
{
    private readonly string _prefix = name + "/";
    private long _leaderRevision;
    private bool _leading;

    /// <summary>The key this candidate campaigns with.</summary>
    public string Key { get; private set; } = "";

    public async Task CampaignAsync(string value, CancellationToken ct)
    {
        var c = session.Connection;
        var key = ByteString.CopyFromUtf8(session.KeyUnder(_prefix));
        var txn = new TxnRequest
        {
            Compare = { new Compare { Key = key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 } },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = key, Value = ByteString.CopyFromUtf8(value), Lease = session.Lease } } },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = key } } },
        };
        var response = await c.UnaryAsync(o => c.KV.TxnAsync(txn, o), ct).ConfigureAwait(false);
        Key = key.ToStringUtf8();
        _leaderRevision = response.Header.Revision;
        _leading = true;
        if (!response.Succeeded)
        {
            var kv = response.Responses[0].ResponseRange.Kvs[0];
            _leaderRevision = kv.CreateRevision;
            if (kv.Value.ToStringUtf8() != value)
            {
                await ProclaimAsync(value, ct).ConfigureAwait(false);
            }
        }

        try
        {
            await KeyWaits.WaitDeletesAsync(c, _prefix, _leaderRevision - 1, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await ResignAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    public async Task ProclaimAsync(string value, CancellationToken ct)
    {
        var c = session.Connection;
        var key = ByteString.CopyFromUtf8(Key);
        var txn = new TxnRequest
        {
            Compare = { new Compare { Key = key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = _leaderRevision } },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = key, Value = ByteString.CopyFromUtf8(value), Lease = session.Lease } } },
        };
        var response = await c.UnaryAsync(o => c.KV.TxnAsync(txn, o), ct).ConfigureAwait(false);
        if (!response.Succeeded)
        {
            _leading = false;
            throw CtlException.Error("election: not leader");
        }
    }

    /// <summary>Deletes the campaign key if it is still this candidate's.</summary>
    public async Task ResignAsync(CancellationToken ct)
    {
        if (!_leading)
        {
            return;
        }

        var c = session.Connection;
        var key = ByteString.CopyFromUtf8(Key);
        var txn = new TxnRequest
        {
            Compare = { new Compare { Key = key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = _leaderRevision } },
            Success = { new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = key } } },
        };
        _leading = false;
        await c.UnaryAsync(o => c.KV.TxnAsync(txn, o), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// clientv3 Election.Observe: the current leader's key and value, then each new value it proclaims, then the next
    /// leader's once it resigns, until <paramref name="ct"/> is cancelled or a watch ends.
    /// </summary>
    public async IAsyncEnumerable<RangeResponse> ObserveAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var c = session.Connection;
        while (!ct.IsCancellationRequested)
        {
            var current = await c.UnaryAsync(o => c.KV.RangeAsync(KeyWaits.Top(_prefix, newest: false), o), ct).ConfigureAwait(false);
            ResponseHeader header;
            KeyValue? kv = null;
            if (current.Kvs.Count == 0)
            {
                await using var waitStream = WatchStream.Open(c, requireLeader: false, ct);
                var prefixKey = ByteString.CopyFromUtf8(_prefix);
                var waiting = await waitStream.CreateAsync(
                    new WatchCreateRequest { Key = prefixKey, RangeEnd = KeyRanges.PrefixEnd(prefixKey), StartRevision = current.Header.Revision }, ct).ConfigureAwait(false);
                header = current.Header;
                await foreach (var response in waiting.ReadAllAsync(ct).ConfigureAwait(false))
                {
                    kv = response.Events.FirstOrDefault(e => e.Type == Event.Types.EventType.Put)?.Kv;
                    if (kv is not null)
                    {
                        header = response.Header.Clone();
                        header.Revision = kv.ModRevision;
                        break;
                    }
                }

                if (kv is null)
                {
                    yield break;
                }
            }
            else
            {
                (header, kv) = (current.Header, current.Kvs[0]);
            }

            yield return new RangeResponse { Header = header, Kvs = { kv } };

            await using var stream = WatchStream.Open(c, requireLeader: false, ct);
            var changes = await stream.CreateAsync(new WatchCreateRequest { Key = kv.Key, StartRevision = header.Revision + 1 }, ct).ConfigureAwait(false);
            var deleted = false;
            await foreach (var response in changes.ReadAllAsync(ct).ConfigureAwait(false))
            {
                foreach (var e in response.Events)
                {
                    if (e.Type == Event.Types.EventType.Delete)
                    {
                        deleted = true;
                        break;
                    }

                    yield return new RangeResponse { Header = response.Header, Kvs = { e.Kv } };
                }

                if (deleted)
                {
                    break;
                }
            }

            if (!deleted)
            {
                yield break;
            }
        }
    }
}

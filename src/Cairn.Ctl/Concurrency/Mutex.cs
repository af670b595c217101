using Cairn.Api.Etcdserverpb;
using Cairn.Ctl.Client;
using Google.Protobuf;

namespace Cairn.Ctl.Concurrency;

/// <summary>
/// clientv3/concurrency's Mutex: each waiter puts "name/&lt;lease hex&gt;" under its session's lease; the oldest key
/// holds the lock, and a waiter acquires it once every older key is deleted.
/// </summary>
internal sealed class Mutex(Session session, string name)
{
    private readonly string _prefix = name + "/";

    public string Key { get; private set; } = "";

    /// <summary>The header of the response that granted the lock (ETCD_LOCK_REV is its revision).</summary>
    public ResponseHeader? Header { get; private set; }

    public async Task LockAsync(CancellationToken ct)
    {
        var c = session.Connection;
        Key = session.KeyUnder(_prefix);
        var key = ByteString.CopyFromUtf8(Key);
        var owner = new RequestOp { RequestRange = KeyWaits.Top(_prefix, newest: false) };
        var txn = new TxnRequest
        {
            Compare = { new Compare { Key = key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 } },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = key, Lease = session.Lease } }, owner },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = key } }, owner },
        };
        var response = await c.UnaryAsync(o => c.KV.TxnAsync(txn, o), ct).ConfigureAwait(false);
        var myRevision = response.Succeeded ? response.Header.Revision : response.Responses[0].ResponseRange.Kvs[0].CreateRevision;
        var owners = response.Responses[1].ResponseRange.Kvs;
        if (owners.Count == 0 || owners[0].CreateRevision == myRevision)
        {
            Header = response.Header;
            return;
        }

        try
        {
            Header = await KeyWaits.WaitDeletesAsync(c, _prefix, myRevision - 1, ct).ConfigureAwait(false);
        }
        catch
        {
            await UnlockAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    public async Task UnlockAsync(CancellationToken ct)
    {
        var c = session.Connection;
        await c.UnaryAsync(o => c.KV.DeleteRangeAsync(new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(Key) }, o), ct).ConfigureAwait(false);
    }
}

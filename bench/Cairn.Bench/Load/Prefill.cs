using Cairn.Api.Etcdserverpb;

namespace Cairn.Bench.Load;

/// <summary>
/// Writes every key of the key space once (off the clock), so reads and deletes find live keys: transactions of up to
/// 128 puts (etcd's default --max-txn-ops), several in flight over the load's connections.
/// </summary>
internal static class Prefill
{
    private const int PutsPerTxn = 128;
    private const int InFlight = 8;

    public static async Task RunAsync(LoadSettings settings, Connections connections, CancellationToken cancellationToken)
    {
        var value = KeySpace.Value(settings);
        var batches = (settings.KeySpaceSize + PutsPerTxn - 1) / PutsPerTxn;
        var next = -1;
        var workers = Enumerable.Range(0, InFlight).Select(async worker =>
        {
            var kv = connections.Kv(worker);
            int batch;
            while ((batch = Interlocked.Increment(ref next)) < batches)
            {
                var txn = new TxnRequest();
                var first = batch * PutsPerTxn;
                for (var i = first; i < Math.Min(first + PutsPerTxn, settings.KeySpaceSize); i++)
                {
                    var key = Google.Protobuf.UnsafeByteOperations.UnsafeWrap(KeySpace.Encode(i, settings.KeySize));
                    txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = key, Value = value } });
                }

                await kv.TxnAsync(txn, deadline: Connections.Deadline(), cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        });
        await Task.WhenAll(workers).ConfigureAwait(false);
    }
}

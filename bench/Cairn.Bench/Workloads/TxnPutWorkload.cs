using Cairn.Api.Etcdserverpb;
using Cairn.Bench.Load;

namespace Cairn.Bench.Workloads;

/// <summary>
/// etcd benchmark's <c>txn-put</c>: each request is a transaction of <see cref="LoadSettings.TxnOps"/> puts to
/// consecutive keys (mod the key space) from a chosen one, so no key repeats within a transaction.
/// </summary>
internal sealed class TxnPutWorkload(LoadSettings settings) : KvWorkload(settings)
{
    public override IReadOnlyList<string> Series { get; } = ["txn"];

    public override async ValueTask<int> ExecuteAsync(int client, long sequence, CancellationToken cancellationToken)
    {
        var first = Keys.Choose(client, sequence);
        var txn = new TxnRequest();
        for (var i = 0; i < Settings.TxnOps; i++)
        {
            txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Keys.Key((first + i) % Settings.KeySpaceSize), Value = Value } });
        }

        await Client(client).TxnAsync(txn, deadline: Connections.Deadline(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return -1;
    }
}

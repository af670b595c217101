using Cairn.Api.Etcdserverpb;
using Cairn.Bench.Load;

namespace Cairn.Bench.Workloads;

/// <summary>
/// Single-key deletes on the (prefilled) key space. Once a key is gone, deleting it again is still a write through
/// consensus (etcd and Cairn both answer deleted=0), so a run longer than the key space keeps measuring the write path.
/// </summary>
internal sealed class DeleteWorkload(LoadSettings settings) : KvWorkload(settings)
{
    public override IReadOnlyList<string> Series { get; } = ["delete"];

    public override async ValueTask<int> ExecuteAsync(int client, long sequence, CancellationToken cancellationToken)
    {
        await Client(client).DeleteRangeAsync(
                new DeleteRangeRequest { Key = Keys.Key(Keys.Choose(client, sequence)) }, deadline: Connections.Deadline(), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return -1;
    }
}

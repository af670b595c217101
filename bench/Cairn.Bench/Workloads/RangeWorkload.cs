using Cairn.Bench.Load;

namespace Cairn.Bench.Workloads;

/// <summary>
/// etcd benchmark's <c>range</c> on single keys: each request reads one key of the (prefilled) key space, linearizable
/// by default (a ReadIndex round on the leader) or serializable (<see cref="LoadSettings.Serializable"/>: local state).
/// </summary>
internal sealed class RangeWorkload(LoadSettings settings) : KvWorkload(settings)
{
    public override IReadOnlyList<string> Series { get; } = ["range"];

    public override async ValueTask<int> ExecuteAsync(int client, long sequence, CancellationToken cancellationToken)
    {
        await RangeAsync(client, Keys.Key(Keys.Choose(client, sequence)), cancellationToken).ConfigureAwait(false);
        return -1;
    }
}

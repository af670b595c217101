using Cairn.Bench.Load;

namespace Cairn.Bench.Workloads;

/// <summary>etcd benchmark's <c>put</c>: each request puts the value to a key of the key space.</summary>
internal sealed class PutWorkload(LoadSettings settings) : KvWorkload(settings)
{
    public override IReadOnlyList<string> Series { get; } = ["put"];

    public override async ValueTask<int> ExecuteAsync(int client, long sequence, CancellationToken cancellationToken)
    {
        await PutAsync(client, Keys.Key(Keys.Choose(client, sequence)), cancellationToken).ConfigureAwait(false);
        return -1;
    }
}

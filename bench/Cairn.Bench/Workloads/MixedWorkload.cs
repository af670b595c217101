using Cairn.Bench.Load;

namespace Cairn.Bench.Workloads;

/// <summary>
/// etcd benchmark's <c>txn-mixed</c> as plain requests: each request is a single-key read with probability
/// <c>ratio / (ratio + 1)</c>, else a put, on the (prefilled) key space. Every request goes into "op"; reads and
/// writes also into their own series.
/// </summary>
internal sealed class MixedWorkload(LoadSettings settings) : KvWorkload(settings)
{
    private const int Read = 1;
    private const int Write = 2;

    private readonly double _readShare = settings.ReadWriteRatio / (settings.ReadWriteRatio + 1);

    public override IReadOnlyList<string> Series { get; } = ["op", "read", "write"];

    public override async ValueTask<int> ExecuteAsync(int client, long sequence, CancellationToken cancellationToken)
    {
        var key = Keys.Key(Keys.Choose(client, sequence));
        if (Keys.RandomOf(client).NextDouble() < _readShare)
        {
            await RangeAsync(client, key, cancellationToken).ConfigureAwait(false);
            return Read;
        }

        await PutAsync(client, key, cancellationToken).ConfigureAwait(false);
        return Write;
    }
}

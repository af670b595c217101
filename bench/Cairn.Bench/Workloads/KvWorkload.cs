using Cairn.Api.Etcdserverpb;
using Cairn.Bench.Load;
using Google.Protobuf;

namespace Cairn.Bench.Workloads;

/// <summary>Base of the unary KV workloads: one KV client per load client, the key space, and the value to put.</summary>
internal abstract class KvWorkload(LoadSettings settings) : IWorkload
{
    private KV.KVClient[] _clients = [];

    protected LoadSettings Settings { get; } = settings;

    protected KeySpace Keys { get; } = new(settings);

    protected ByteString Value { get; } = KeySpace.Value(settings);

    public abstract IReadOnlyList<string> Series { get; }

    public virtual int OpSeries => 0;

    public Task StartAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        _clients = Enumerable.Range(0, Settings.Clients).Select(context.Connections.Kv).ToArray();
        return Task.CompletedTask;
    }

    public abstract ValueTask<int> ExecuteAsync(int client, long sequence, CancellationToken cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected KV.KVClient Client(int client) => _clients[client];

    protected async ValueTask PutAsync(int client, ByteString key, CancellationToken cancellationToken) =>
        await Client(client).PutAsync(new PutRequest { Key = key, Value = Value }, deadline: Connections.Deadline(), cancellationToken: cancellationToken)
            .ConfigureAwait(false);

    /// <summary>Reads one key of the prefilled key space; an empty answer is an error (the key must be there).</summary>
    protected async ValueTask RangeAsync(int client, ByteString key, CancellationToken cancellationToken)
    {
        var response = await Client(client).RangeAsync(
                new RangeRequest { Key = key, Serializable = Settings.Serializable }, deadline: Connections.Deadline(), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        if (response.Kvs.Count != 1)
        {
            throw new LoadError($"range of a prefilled key returned {response.Kvs.Count} keys");
        }
    }
}

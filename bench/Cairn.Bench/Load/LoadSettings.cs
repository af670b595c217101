using System.Globalization;

namespace Cairn.Bench.Load;

/// <summary>
/// Every knob of a load, named after etcd's benchmark tool flags. The common ones apply to every workload; the rest
/// are read only by the workloads that name them (see each workload's summary).
/// </summary>
internal sealed record LoadSettings
{
    /// <summary>gRPC endpoints; connections are spread over them round-robin.</summary>
    public required IReadOnlyList<string> Endpoints { get; init; }

    /// <summary>gRPC connections (one HTTP/2 connection each); clients are spread over them round-robin.</summary>
    public int Conns { get; init; } = 1;

    /// <summary>Concurrent clients, each with one request in flight.</summary>
    public int Clients { get; init; } = 1;

    /// <summary>Requests across all clients; ignored when <see cref="Duration"/> is set.</summary>
    public long Total { get; init; } = 10_000;

    /// <summary>When set, the load runs for this long instead of a fixed total.</summary>
    public TimeSpan? Duration { get; init; }

    public int KeySize { get; init; } = 8;

    public int ValueSize { get; init; } = 8;

    /// <summary>Keys are drawn from [0, KeySpaceSize).</summary>
    public int KeySpaceSize { get; init; } = 1;

    /// <summary>Keys go 0, 1, 2, ... (mod the key space) in request order instead of at random.</summary>
    public bool SequentialKeys { get; init; }

    /// <summary>Requests per second across all clients; 0 means as fast as the clients go.</summary>
    public double Rate { get; init; }

    /// <summary>Seed for key choice and the value bytes.</summary>
    public int Seed { get; init; } = 1;

    public TlsFiles Tls { get; init; } = TlsFiles.None;

    /// <summary>range and mixed: serializable reads (any member, no ReadIndex) instead of linearizable ones.</summary>
    public bool Serializable { get; init; }

    /// <summary>txn-put: puts per transaction (distinct, consecutive keys).</summary>
    public int TxnOps { get; init; } = 1;

    /// <summary>mixed: reads per write.</summary>
    public double ReadWriteRatio { get; init; } = 1;

    /// <summary>watch: watchers on the watched prefix, spread over <see cref="Streams"/> gRPC watch streams.</summary>
    public int Watchers { get; init; } = 100;

    public int Streams { get; init; } = 10;

    /// <summary>lease-keepalive: TTL of each client's lease, in seconds.</summary>
    public long LeaseTtl { get; init; } = 60;

    /// <summary>A message when the settings cannot run, else null.</summary>
    public string? Invalid()
    {
        if (Endpoints.Count == 0)
        {
            return "--endpoints needs at least one endpoint";
        }

        if (Conns < 1 || Clients < 1 || Total < 1 || KeySize < 1 || ValueSize < 0 || KeySpaceSize < 1)
        {
            return "--conns, --clients, --total, --key-size and --key-space-size must be at least 1, --val-size at least 0";
        }

        if (Duration is { } d && d <= TimeSpan.Zero)
        {
            return "--duration must be positive";
        }

        if (Rate < 0 || ReadWriteRatio < 0 || TxnOps < 1 || Watchers < 1 || Streams < 1 || Streams > Watchers || LeaseTtl < 1)
        {
            return "--rate and --rw-ratio must be at least 0; --txn-ops, --watchers, --streams (at most --watchers) and --ttl at least 1";
        }

        return TxnOps > KeySpaceSize ? "--txn-ops must not exceed --key-space-size (a txn puts distinct keys)" : null;
    }

    /// <summary>One line for reports: what was run.</summary>
    public string Describe()
    {
        var amount = Duration is { } d ? string.Create(CultureInfo.InvariantCulture, $"{d.TotalSeconds:0.#} s") : $"{Total} requests";
        var keys = $"key {KeySize} B, value {ValueSize} B, key space {KeySpaceSize}{(SequentialKeys ? " sequential" : "")}";
        var rate = Rate > 0 ? string.Create(CultureInfo.InvariantCulture, $", rate {Rate:0.#}/s") : "";
        return $"{amount}, {Conns} conns, {Clients} clients, {keys}{rate}{(Tls.Enabled ? ", TLS" : "")}";
    }
}

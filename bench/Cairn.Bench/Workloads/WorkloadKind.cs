using System.Text.Json.Serialization;
using Cairn.Bench.Load;

namespace Cairn.Bench.Workloads;

/// <summary>
/// A named workload: its command name, what it does, whether the key space must be written first, and a factory for
/// one run's instance.
/// </summary>
internal sealed record WorkloadKind(string Name, string Description, bool NeedsPrefill, [property: JsonIgnore] Func<LoadSettings, IWorkload> Create)
{
    public static readonly WorkloadKind Put = new("put", "puts of --val-size values to keys of the key space", false, s => new PutWorkload(s));

    public static readonly WorkloadKind Range = new(
        "range", "single-key reads of the (prefilled) key space, linearizable or with --consistency s serializable", true, s => new RangeWorkload(s));

    public static readonly WorkloadKind TxnPut = new("txn-put", "transactions of --txn-ops puts", false, s => new TxnPutWorkload(s));

    public static readonly WorkloadKind Mixed = new(
        "mixed", "reads and puts at --rw-ratio reads per write on the (prefilled) key space", true, s => new MixedWorkload(s));

    public static readonly WorkloadKind Delete = new("delete", "single-key deletes of the (prefilled) key space", true, s => new DeleteWorkload(s));

    public static readonly WorkloadKind Watch = new(
        "watch", "--watchers watchers on one prefix over --streams streams; each request is a put awaited until every watcher saw it", false,
        s => new WatchWorkload(s));

    public static readonly WorkloadKind LeaseKeepAlive = new(
        "lease-keepalive", "each client grants a lease, then sends keepalives on its own stream, one at a time", false, s => new LeaseKeepAliveWorkload(s));

    public static IReadOnlyList<WorkloadKind> All { get; } = [Put, Range, TxnPut, Mixed, Delete, Watch, LeaseKeepAlive];
}

using Cairn.Bench.Load;
using Cairn.Bench.Workloads;

namespace Cairn.Bench.Compare;

/// <summary>
/// What <c>compare</c> runs, and for how long. Both modes cover put at 1 and 128 clients, linearizable and serializable
/// single-key range, watch fan-out and lease keepalive on one member, and put and range on three; the full mode adds
/// txn-put, mixed and delete, runs every workload on three members too, and lengthens every pass. Keys are 8 bytes and
/// values 256 bytes (etcd's performance docs use the same sizes).
/// </summary>
internal sealed record ComparePlan(IReadOnlyList<CompareCase> Cases, int Passes, TimeSpan Pass, TimeSpan Warmup)
{
    public static ComparePlan For(bool quick)
    {
        var basis = new LoadSettings { Endpoints = [], KeySize = 8, ValueSize = 256, KeySpaceSize = quick ? 10_000 : 100_000 };
        var many = basis with { Conns = 16, Clients = 128 };
        var shared = new List<(string Name, WorkloadKind Kind, LoadSettings Settings, bool InQuickThreeMember)>
        {
            ("put-1c", WorkloadKind.Put, basis with { Conns = 1, Clients = 1 }, false),
            ("put-128c", WorkloadKind.Put, many, true),
            ("range-l-128c", WorkloadKind.Range, many, true),
            ("range-s-128c", WorkloadKind.Range, many with { Serializable = true }, true),
            ("watch-1000w", WorkloadKind.Watch, basis with { Conns = 4, Clients = 1, Watchers = 1000, Streams = 20 }, false),
            ("lease-keepalive-100c", WorkloadKind.LeaseKeepAlive, basis with { Conns = 10, Clients = 100 }, false),
        };
        if (!quick)
        {
            shared.Add(("txn-put-8ops-64c", WorkloadKind.TxnPut, basis with { Conns = 16, Clients = 64, TxnOps = 8 }, false));
            shared.Add(("mixed-4r1w-128c", WorkloadKind.Mixed, many with { ReadWriteRatio = 4 }, false));
            shared.Add(("delete-128c", WorkloadKind.Delete, many, false));
        }

        var cases = new List<CompareCase>();
        foreach (var members in (int[])[1, 3])
        {
            cases.AddRange(shared
                .Where(s => members == 1 || !quick || s.InQuickThreeMember)
                .Select(s => new CompareCase($"{s.Name}-{members}member", members, s.Kind, s.Settings)));
        }

        return quick
            ? new ComparePlan(cases, Passes: 4, Pass: TimeSpan.FromSeconds(2), Warmup: TimeSpan.FromSeconds(1.5))
            : new ComparePlan(cases, Passes: 4, Pass: TimeSpan.FromSeconds(10), Warmup: TimeSpan.FromSeconds(5));
    }
}

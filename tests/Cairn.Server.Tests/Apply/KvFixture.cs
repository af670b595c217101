using Cairn.Api.Etcdserverpb;
using Cairn.Server.Apply;
using Cairn.Storage.Backend;
using Cairn.Storage.Mvcc;
using static Cairn.Server.Tests.Ops;

namespace Cairn.Server.Tests.Apply;

/// <summary>A <see cref="KvApplier"/> over a real <see cref="MvccStore"/> on a <see cref="SqliteBackend"/> in a temp dir.</summary>
public sealed class KvFixture : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly HashSet<long> _leases = [];

    public KvFixture()
    {
        Backend = new SqliteBackend(_dir.Sub("db"));
        Store = new MvccStore(Backend);
        Applier = new KvApplier(Store, id => _leases.Contains(id));
    }

    public SqliteBackend Backend { get; }

    public MvccStore Store { get; }

    internal KvApplier Applier { get; }

    /// <summary>Makes lease <paramref name="id"/> known to the applier's lease check.</summary>
    public void GrantLease(long id) => _leases.Add(id);

    public long Put(string key, string value = "v", long lease = 0) =>
        Applier.Put(new PutRequest { Key = B(key), Value = B(value), Lease = lease }).Header.Revision;

    public RangeResponse Range(RangeRequest r) => Applier.Range(r);

    public RangeResponse Get(string key, string end = "") => Applier.Range(new RangeRequest { Key = B(key), RangeEnd = B(end) });

    public Api.Mvccpb.KeyValue? One(string key) => Get(key).Kvs.SingleOrDefault();

    public void Dispose()
    {
        Store.Dispose();
        Backend.Dispose();
        _dir.Dispose();
    }
}

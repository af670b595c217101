namespace Cairn.Testing;

/// <summary>
/// The reference: one real etcd 3.4.23 member (Debian etcd-server) started exactly as a Cairn member is, on free ports
/// and a temporary data dir. Differential tests send it the same requests as Cairn and compare the answers.
/// </summary>
public sealed class EtcdOracle : IAsyncDisposable
{
    private EtcdOracle(ProcessCluster cluster) => Cluster = cluster;

    public ProcessCluster Cluster { get; }

    public ProcessMember Member => Cluster[0];

    public string Endpoint => Member.Endpoint;

    public static async Task<EtcdOracle> StartAsync(ClusterOptions? options = null, CancellationToken cancellationToken = default) =>
        new(await ProcessCluster.StartAsync(ServerBinary.Etcd, 1, options, cancellationToken).ConfigureAwait(false));

    public EtcdClient CreateClient() => Member.CreateClient();

    public Etcdctl Etcdctl() => Cluster.Etcdctl();

    public ValueTask DisposeAsync() => Cluster.DisposeAsync();
}

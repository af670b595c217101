namespace Cairn.Testing;

/// <summary>
/// N members of one server binary on 127.0.0.1 free ports, each with its own data dir under one temporary folder.
/// Disposal kills every process and deletes the folder (set CAIRN_TEST_KEEP=1 to keep it for a post-mortem).
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    private readonly List<ProcessMember> _members = [];

    private ProcessCluster(ServerBinary binary, ClusterOptions options, string workDir)
    {
        Binary = binary;
        Options = options;
        WorkDir = workDir;
    }

    public ServerBinary Binary { get; }

    public ClusterOptions Options { get; }

    /// <summary>The temporary folder that holds every member's data dir and log.</summary>
    public string WorkDir { get; }

    public IReadOnlyList<ProcessMember> Members => _members;

    public ProcessMember this[int index] => _members[index];

    /// <summary>Every member's client URL, comma-separated, as etcdctl's --endpoints takes them.</summary>
    public string Endpoints => string.Join(',', _members.Select(m => m.Endpoint));

    /// <summary>--initial-cluster: name=peerURL for every member.</summary>
    public string InitialCluster => string.Join(',', _members.Select(m => $"{m.Name}={m.PeerUrl.GetLeftPart(UriPartial.Authority)}"));

    /// <summary>Starts <paramref name="size"/> members (named m0, m1, ...) and waits until every one is healthy.</summary>
    public static async Task<ProcessCluster> StartAsync(
        ServerBinary binary, int size = 1, ClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        options ??= new ClusterOptions();
        var root = options.WorkRoot ?? Path.GetTempPath();
        var workDir = Path.Combine(root, "cairn-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(workDir);
        var cluster = new ProcessCluster(binary, options, workDir);
        try
        {
            for (var i = 0; i < size; i++)
            {
                cluster._members.Add(new ProcessMember(binary, options, $"m{i}", workDir, () => cluster.InitialCluster));
            }

            foreach (var member in cluster._members)
            {
                member.Start();
            }

            // Members of a multi-member cluster only turn healthy together (they need a leader), so start all first.
            await Task.WhenAll(cluster._members.Select(m => m.WaitHealthyAsync(cancellationToken))).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Waits until every running member answers GET /health with health "true".</summary>
    public Task WaitHealthyAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(_members.Where(m => m.IsRunning).Select(m => m.WaitHealthyAsync(cancellationToken)));

    /// <summary>A gRPC client on the first member.</summary>
    public EtcdClient CreateClient(int member = 0) => _members[member].CreateClient();

    /// <summary>An etcdctl runner whose --endpoints are every member.</summary>
    public Etcdctl Etcdctl() => new(Endpoints);

    /// <summary>Every member's log tail, for failure messages.</summary>
    public string LogTails(int lines = 30) =>
        string.Join(Environment.NewLine, _members.Select(m => $"--- {m.Name} ({m.LogPath}) ---{Environment.NewLine}{m.LogTail(lines)}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var member in _members)
        {
            await member.DisposeAsync().ConfigureAwait(false);
        }

        if (Environment.GetEnvironmentVariable("CAIRN_TEST_KEEP") is "1" or "true")
        {
            return;
        }

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (Directory.Exists(WorkDir))
                {
                    Directory.Delete(WorkDir, recursive: true);
                }

                return;
            }
            catch (IOException) when (attempt < 5)
            {
                // A killed process's files can linger for a moment on some filesystems; try again shortly.
                await Task.Delay(100).ConfigureAwait(false);
            }
        }
    }
}

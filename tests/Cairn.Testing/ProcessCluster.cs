namespace Cairn.Testing;

/// <summary>
/// N members of one server binary on 127.0.0.1 free ports, each with its own data dir under one temporary folder.
/// Disposal kills every process and deletes the folder (set CAIRN_TEST_KEEP=1 to keep it for a post-mortem).
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    private readonly List<ProcessMember> _members = [];
    private readonly HashSet<ProcessMember> _removed = [];

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

    /// <summary>Every member this fixture created, including ones added later and ones marked removed.</summary>
    public IReadOnlyList<ProcessMember> Members => _members;

    public ProcessMember this[int index] => _members[index];

    /// <summary>Every member's name and URLs, in order: another cluster can start on the same ports.</summary>
    public IReadOnlyList<MemberAddress> Layout => _members.Select(m => m.Address).ToList();

    /// <summary>Every member's client URL (except members marked removed), comma-separated, as etcdctl's --endpoints takes them.</summary>
    public string Endpoints => string.Join(',', Current.Select(m => m.Endpoint));

    /// <summary>--initial-cluster: name=peerURL for every member except members marked removed.</summary>
    public string InitialCluster => string.Join(',', Current.Select(m => $"{m.Name}={m.PeerUrl.GetLeftPart(UriPartial.Authority)}"));

    private IEnumerable<ProcessMember> Current => _members.Where(m => !_removed.Contains(m));

    /// <summary>Starts <paramref name="size"/> members (named m0, m1, ...) and waits until every one is healthy.</summary>
    public static Task<ProcessCluster> StartAsync(
        ServerBinary binary, int size = 1, ClusterOptions? options = null, CancellationToken cancellationToken = default) =>
        StartCreatedAsync(Create(binary, size, options), cancellationToken);

    /// <summary>Starts one member per address (same names and ports, e.g. those of a disposed cluster) and waits until every one is healthy.</summary>
    public static Task<ProcessCluster> StartAsync(
        ServerBinary binary, IReadOnlyList<MemberAddress> layout, ClusterOptions? options = null, CancellationToken cancellationToken = default) =>
        StartCreatedAsync(Create(binary, layout, options), cancellationToken);

    /// <summary>
    /// <paramref name="size"/> members (m0, m1, ...) on fresh ports, none started yet: start them one by one
    /// (<see cref="ProcessMember.Start"/>) or all with <see cref="StartAllAsync"/>. Dispose it like a started one.
    /// </summary>
    public static ProcessCluster Create(ServerBinary binary, int size = 1, ClusterOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        return Create(binary, Enumerable.Range(0, size).Select(i => MemberAddress.Fresh($"m{i}")).ToList(), options);
    }

    /// <summary>One member per address, none started yet (see <see cref="Create(ServerBinary, int, ClusterOptions?)"/>).</summary>
    public static ProcessCluster Create(ServerBinary binary, IReadOnlyList<MemberAddress> layout, ClusterOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(layout.Count, 1);
        options ??= new ClusterOptions();
        var root = options.WorkRoot ?? Path.GetTempPath();
        var workDir = Path.Combine(root, "cairn-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(workDir);
        var cluster = new ProcessCluster(binary, options, workDir);
        foreach (var address in layout)
        {
            cluster._members.Add(new ProcessMember(binary, options, address, workDir, () => cluster.InitialCluster));
        }

        return cluster;
    }

    /// <summary>
    /// Starts every member that is not running (and not marked removed) with --initial-cluster-state
    /// <paramref name="clusterState"/>, then waits until every running member is healthy.
    /// </summary>
    public async Task StartAllAsync(string clusterState = "new", CancellationToken cancellationToken = default)
    {
        foreach (var member in Current.Where(m => !m.IsRunning))
        {
            member.Start(clusterState);
        }

        // Members of a multi-member cluster only turn healthy together (they need a leader), so start all first.
        await WaitHealthyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A new member named <paramref name="name"/> on fresh ports, not started. It joins <see cref="InitialCluster"/>
    /// at once, so after <c>etcdctl member add</c> it starts with <c>Start("existing")</c> as etcd's guide does it.
    /// </summary>
    public ProcessMember AddMember(string name)
    {
        if (_members.Any(m => m.Name == name))
        {
            throw new ArgumentException($"a member named {name} already exists", nameof(name));
        }

        var member = new ProcessMember(Binary, Options, MemberAddress.Fresh(name), WorkDir, () => InitialCluster);
        _members.Add(member);
        return member;
    }

    /// <summary>
    /// Leaves <paramref name="member"/> out of <see cref="InitialCluster"/> and <see cref="Endpoints"/> after
    /// <c>etcdctl member remove</c>, so that members joining later name the cluster as it is. It is still disposed.
    /// </summary>
    public void MarkRemoved(ProcessMember member)
    {
        if (!_members.Contains(member))
        {
            throw new ArgumentException($"{member.Name} is not a member of this fixture", nameof(member));
        }

        _removed.Add(member);
    }

    private static async Task<ProcessCluster> StartCreatedAsync(ProcessCluster cluster, CancellationToken cancellationToken)
    {
        try
        {
            await cluster.StartAllAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
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
        Task.WhenAll(Current.Where(m => m.IsRunning).Select(m => m.WaitHealthyAsync(cancellationToken)));

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

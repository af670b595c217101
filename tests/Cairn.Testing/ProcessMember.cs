using System.Diagnostics;

namespace Cairn.Testing;

/// <summary>
/// One server process on loopback, started with etcd's flags exactly as shared/checks/lib.sh does. Output goes to
/// <see cref="LogPath"/> (appended across restarts). It can be killed with SIGKILL, stopped with SIGTERM, frozen
/// (SIGSTOP), thawed (SIGCONT) and restarted on the same ports and data dir.
/// </summary>
public sealed class ProcessMember : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    // Members still running when the test host exits (a test that never disposed its fixture) are killed with it.
    private static readonly HashSet<Process> Live = [];
    private static readonly Lock LiveGate = new();

    static ProcessMember() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAllLive();

    private readonly ServerBinary _binary;
    private readonly ClusterOptions _options;
    private readonly Func<string> _initialCluster;
    private Process? _process;
    private int _starts;

    internal ProcessMember(ServerBinary binary, ClusterOptions options, string name, string workDir, Func<string> initialCluster)
        : this(binary, options, MemberAddress.Fresh(name), workDir, initialCluster)
    {
    }

    internal ProcessMember(ServerBinary binary, ClusterOptions options, MemberAddress address, string workDir, Func<string> initialCluster)
    {
        _binary = binary;
        _options = options;
        _initialCluster = initialCluster;
        Name = address.Name;
        ClientUrl = address.ClientUrl;
        PeerUrl = address.PeerUrl;
        DataDir = Path.Combine(workDir, Name + ".data");
        LogPath = Path.Combine(workDir, Name + ".log");
    }

    public string Name { get; }

    public Uri ClientUrl { get; }

    public Uri PeerUrl { get; }

    /// <summary>The client URL without a trailing slash, as etcdctl and curl take it.</summary>
    public string Endpoint => ClientUrl.GetLeftPart(UriPartial.Authority);

    public string DataDir { get; }

    public string LogPath { get; }

    public ServerBinary Binary => _binary;

    /// <summary>Name and URLs, e.g. to start another server on the same ports.</summary>
    public MemberAddress Address => new(Name, ClientUrl, PeerUrl);

    /// <summary>The peer URL without a trailing slash, as --initial-cluster and --peer-urls take it.</summary>
    public string PeerEndpoint => PeerUrl.GetLeftPart(UriPartial.Authority);

    /// <summary>The exit code once the process has exited; null while it runs or before the first start.</summary>
    public int? ExitCode => ExitCodeOrNull();

    /// <summary>The OS process id while started (also while frozen); null before the first start.</summary>
    public int? Pid => _process?.Id;

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts the process (it must not be running). <paramref name="clusterState"/> is --initial-cluster-state.</summary>
    public void Start(string clusterState = "new")
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is already running (pid {_process!.Id})");
        }

        if (_process is { } previous)
        {
            lock (LiveGate)
            {
                Live.Remove(previous);
            }

            previous.Dispose();
        }

        _starts++;
        File.AppendAllText(LogPath, $"=== test fixture: start #{_starts} of {Name}: {_binary} ==={Environment.NewLine}");

        // sh execs the server, so the pid is the server's and SIGKILL reaches it directly; output is appended to the log
        // by the OS, so nothing in the test process has to drain a pipe.
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("log=$1; shift; exec \"$@\" </dev/null >>\"$log\" 2>&1");
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(LogPath);
        psi.ArgumentList.Add(_binary.FileName);
        foreach (var arg in _binary.LeadingArguments)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var arg in Arguments(clusterState))
        {
            psi.ArgumentList.Add(arg);
        }

        // etcd 3.4 refuses to start when an ETCD_* variable shadows a flag; the fixture's flags are the whole config.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("ETCD_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(key);
        }

        _process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {_binary}");
        lock (LiveGate)
        {
            Live.Add(_process);
        }
    }

    /// <summary>The flags lib.sh passes, then <see cref="ClusterOptions.ExtraArguments"/>.</summary>
    public IReadOnlyList<string> Arguments(string clusterState) =>
    [
        "--name", Name, "--data-dir", DataDir,
        "--listen-client-urls", Endpoint, "--advertise-client-urls", Endpoint,
        "--listen-peer-urls", PeerUrl.GetLeftPart(UriPartial.Authority),
        "--initial-advertise-peer-urls", PeerUrl.GetLeftPart(UriPartial.Authority),
        "--initial-cluster", _initialCluster(), "--initial-cluster-state", clusterState,
        "--initial-cluster-token", _options.Token,
        .. _options.ExtraArguments,
    ];

    /// <summary>Polls GET /health until it answers 200 with health "true"; fails at once if the process exits.</summary>
    public Task WaitHealthyAsync(CancellationToken cancellationToken = default) =>
        WaitHealthyAsync(_options.HealthTimeout, cancellationToken);

    public async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            await Wait.UntilAsync(
                async ct =>
                {
                    if (!IsRunning)
                    {
                        throw new InvalidOperationException($"{Name} exited with code {ExitCodeOrNull()} before it was healthy:{Environment.NewLine}{LogTail()}");
                    }

                    return await IsHealthyAsync(ct).ConfigureAwait(false);
                },
                timeout,
                $"{Name} ({Endpoint}) to be healthy",
                cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; log tail:{Environment.NewLine}{LogTail()}", e);
        }
    }

    /// <summary>One GET /health: true on 200 with <c>"health":"true"</c>.</summary>
    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await Http.GetAsync(Endpoint + "/health", cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode && body.Contains("\"health\":\"true\"", StringComparison.Ordinal);
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false; // the 2 s per-request timeout, e.g. while frozen
        }
    }

    /// <summary>kill -9, then waits for the process to be gone. A no-op when it is not running.</summary>
    public async Task KillAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        process.Kill(); // SIGKILL on Unix; a frozen (SIGSTOPped) process dies too.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// SIGTERM, then waits up to <paramref name="timeout"/> (default 30 s) for the process to exit. Returns true when it
    /// exited by itself; false when it had to be killed with SIGKILL. A no-op (true) when it is not running.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan? timeout = null)
    {
        if (_process is not { HasExited: false } process)
        {
            return true;
        }

        try
        {
            Signals.Terminate(process.Id);
        }
        catch (System.ComponentModel.Win32Exception) when (process.HasExited)
        {
            return true; // it exited on its own just before the signal
        }

        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            await KillAsync().ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>Waits for the process to exit by itself (e.g. after its removal from the cluster); returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} was never started");
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} (pid {process.Id}) still runs after {timeout.TotalSeconds:0.#} s; log tail:{Environment.NewLine}{LogTail()}");
        }

        return process.ExitCode;
    }

    /// <summary>Everything the member printed so far (all starts).</summary>
    public string LogText()
    {
        try
        {
            return File.ReadAllText(LogPath);
        }
        catch (FileNotFoundException)
        {
            return "";
        }
    }

    /// <summary>SIGSTOP: the process stays alive but stops answering.</summary>
    public void Freeze() => Signals.Stop(RunningPid());

    /// <summary>SIGCONT after <see cref="Freeze"/>.</summary>
    public void Thaw() => Signals.Continue(RunningPid());

    /// <summary>Starts again on the same ports and data dir (after a kill) and waits until healthy.</summary>
    public async Task RestartAsync(string clusterState = "new", CancellationToken cancellationToken = default)
    {
        await KillAsync().ConfigureAwait(false);
        Start(clusterState);
        await WaitHealthyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A gRPC client for this member (every call gets a default deadline).</summary>
    public EtcdClient CreateClient() => EtcdClient.Create(ClientUrl);

    /// <summary>The last <paramref name="lines"/> lines of the member's output.</summary>
    public string LogTail(int lines = 40)
    {
        try
        {
            var all = File.ReadAllLines(LogPath);
            return string.Join(Environment.NewLine, all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (IOException e)
        {
            return $"(log {LogPath} unreadable: {e.Message})";
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        if (_process is { } process)
        {
            lock (LiveGate)
            {
                Live.Remove(process);
            }

            process.Dispose();
        }

        _process = null;
    }

    private static void KillAllLive()
    {
        lock (LiveGate)
        {
            foreach (var process in Live)
            {
                try
                {
                    if (!process.HasExited)
                    {
                        process.Kill();
                    }
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }
            }

            Live.Clear();
        }
    }

    private int RunningPid() =>
        _process is { HasExited: false } p ? p.Id : throw new InvalidOperationException($"{Name} is not running");

    private int? ExitCodeOrNull() => _process is { HasExited: true } p ? p.ExitCode : null;
}

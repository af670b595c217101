using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Cairn.Testing;

namespace Cairn.Tests.Deploy;

/// <summary>Who makes the certificates: the guide's cfssl, or cairn's own `cairnctl pki`.</summary>
public enum CertificateSource
{
    Cfssl,
    Cairnctl,
}

/// <summary>One member of the walkthrough: its own loopback address (as the guide's members have their own machines).</summary>
public sealed record GuideMember(int Index, string Ip, int ClientPort, int PeerPort, int LocalPort, string Dir)
{
    public string Name => "node" + (Index + 1);

    public string ClientUrl => $"https://{Ip}:{ClientPort}";

    public string PeerUrl => $"https://{Ip}:{PeerPort}";

    /// <summary>The unit's extra plain URL, http://127.0.0.1:2379 in the guide (a free port here).</summary>
    public string LocalUrl => $"http://127.0.0.1:{LocalPort}";

    public string EnvFile => Path.Combine(Dir, "cairn.conf");

    public string LogPath => Path.Combine(Dir, "member.log");

    /// <summary>The member's copy of /etc/kubernetes/ssl.</summary>
    public string SslDir => Path.Combine(Dir, "ssl");

    public string Log() => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";
}

/// <summary>
/// The guide's three-member deployment on this machine: certificates (cfssl or cairnctl) distributed to each member's
/// /etc/kubernetes/ssl stand-in, an environment file per member in the shape of deploy/cairn.conf, and each member
/// started by running deploy/cairn.service's ExecStart with its EnvironmentFile loaded — the way systemd would, with
/// the binary, certificate paths, addresses and ports swapped for the test's. Members use 127.0.0.1, .2 and .3.
/// With CAIRN_BIN naming real etcd 3.4 (the oracle), the environment file is only used to expand ExecStart, since etcd
/// refuses a variable set together with its flag, and --enable-v2 is added for the v2 health check.
/// </summary>
public sealed class GuideDeployment : IAsyncDisposable
{
    public const string CertHosts = "127.0.0.1,127.0.0.2,127.0.0.3,localhost";
    private readonly string _work = Path.Combine(Path.GetTempPath(), "cairn-deploy-tests", Guid.NewGuid().ToString("N"));
    private readonly List<Process> _processes = [];

    public GuideDeployment(CertificateSource source)
    {
        Source = source;
        Directory.CreateDirectory(_work);
        Members = [.. Enumerable.Range(0, 3).Select(i => new GuideMember(
            i, $"127.0.0.{i + 1}", FreePort.Next(), FreePort.Next(), FreePort.Next(), Path.Combine(_work, "node" + (i + 1))))];
    }

    public CertificateSource Source { get; }

    public IReadOnlyList<GuideMember> Members { get; }

    public ServerBinary Server { get; } = ServerBinary.Cairn;

    /// <summary>Where the certificates are made (ca.pem, etcd.pem, etcd-key.pem, and another CA's intruder.pem).</summary>
    public string Pki => Path.Combine(_work, "pki");

    public string Endpoints => string.Join(",", Members.Select(m => m.ClientUrl));

    public static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{relative} not found above {AppContext.BaseDirectory}");
    }

    /// <summary>ca.pem + etcd.pem/etcd-key.pem for every member's address, and intruder.pem from another CA.</summary>
    public async Task IssueCertificatesAsync()
    {
        Directory.CreateDirectory(Pki);
        if (Source == CertificateSource.Cfssl)
        {
            await CfsslAsync("ca", ("etcd", CertHosts));
            await CfsslAsync("other", ("intruder", "127.0.0.1"));
        }
        else
        {
            await CairnctlAsync("pki", "init", "--out", Pki, "--cn", "kubernetes");
            await CairnctlAsync("pki", "issue", "--ca", P("ca.pem"), "--ca-key", P("ca-key.pem"), "--hosts", CertHosts, "--out", Pki, "--name", "etcd");
            await CairnctlAsync("pki", "init", "--out", Pki, "--name", "other", "--cn", "kubernetes");
            await CairnctlAsync("pki", "issue", "--ca", P("other.pem"), "--ca-key", P("other-key.pem"), "--profile", "client", "--out", Pki, "--name", "intruder");
        }
    }

    /// <summary>Issues NAME.pem for <paramref name="hosts"/> from ca.pem, the same way the other certificates were made.</summary>
    public Task IssueAsync(string name, string hosts) => Source == CertificateSource.Cfssl
        ? CfsslLeafAsync("ca", name, hosts)
        : CairnctlAsync("pki", "issue", "--ca", P("ca.pem"), "--ca-key", P("ca-key.pem"), "--hosts", hosts, "--out", Pki, "--name", name);

    /// <summary>Copies the guide's three files to each member's /etc/kubernetes/ssl; <paramref name="memberCert"/>
    /// overrides etcd.pem for some members (by index) with another certificate's stem.</summary>
    public void Distribute(IReadOnlyDictionary<int, string>? memberCert = null)
    {
        foreach (var m in Members)
        {
            Directory.CreateDirectory(m.SslDir);
            var stem = memberCert?.GetValueOrDefault(m.Index) ?? "etcd";
            File.Copy(P("ca.pem"), Path.Combine(m.SslDir, "ca.pem"), overwrite: true);
            File.Copy(P(stem + ".pem"), Path.Combine(m.SslDir, "etcd.pem"), overwrite: true);
            File.Copy(P(stem + "-key.pem"), Path.Combine(m.SslDir, "etcd-key.pem"), overwrite: true);
        }
    }

    /// <summary>Each member's /etc/cairn/cairn.conf, as deploy/cairn.conf is for node1.</summary>
    public void WriteEnvironmentFiles()
    {
        var nodeList = string.Join(",", Members.Select(m => $"{m.Name}={m.PeerUrl}"));
        foreach (var m in Members)
        {
            Directory.CreateDirectory(m.Dir);
            File.WriteAllText(m.EnvFile, $"""
                # [member]
                ETCD_NAME={m.Name}
                ETCD_DATA_DIR="{Path.Combine(m.Dir, "data")}"
                ETCD_LISTEN_PEER_URLS="{m.PeerUrl}"
                ETCD_LISTEN_CLIENT_URLS="{m.ClientUrl}"

                # [cluster]
                ETCD_INITIAL_ADVERTISE_PEER_URLS="{m.PeerUrl}"
                ETCD_INITIAL_CLUSTER_TOKEN="etcd-cluster"
                ETCD_ADVERTISE_CLIENT_URLS="{m.ClientUrl}"
                ETCD_CLUSTER_NODE_LIST="{nodeList}"

                """);
        }
    }

    /// <summary>The argv systemd would run for <paramref name="m"/>, mapped onto the test's paths and ports.</summary>
    public IReadOnlyList<string> ExecStart(GuideMember m)
    {
        var unit = SystemdUnit.Load(RepoFile("deploy/cairn.service"));
        var argv = unit.Argv(SystemdUnit.ReadEnvironmentFile(m.EnvFile));
        Assert.Equal("/usr/local/bin/cairn", argv[0]);
        var args = argv.Skip(1)
            .Select(a => a.Replace("/etc/kubernetes/ssl/", m.SslDir + "/", StringComparison.Ordinal)
                .Replace("http://127.0.0.1:2379", m.LocalUrl, StringComparison.Ordinal))
            .ToList();
        if (Server.IsEtcd)
        {
            args.Add("--enable-v2");
        }

        return [Server.FileName, .. Server.LeadingArguments, .. args];
    }

    /// <summary>Starts a member as systemd would: ExecStart with the EnvironmentFile's variables in its environment.</summary>
    public void Start(GuideMember m, string? notifySocket = null)
    {
        var unit = SystemdUnit.Load(RepoFile("deploy/cairn.service"));
        Assert.Equal("-/etc/cairn/cairn.conf", unit.Get("EnvironmentFile"));
        Assert.Equal("notify", unit.Get("Type"));
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = m.Dir };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("log=$1; shift; exec \"$@\" </dev/null >>\"$log\" 2>&1");
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(m.LogPath);
        foreach (var arg in ExecStart(m))
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("ETCD", StringComparison.Ordinal) || k == "NOTIFY_SOCKET").ToList())
        {
            psi.Environment.Remove(key);
        }

        if (!Server.IsEtcd)
        {
            foreach (var (key, value) in SystemdUnit.ReadEnvironmentFile(m.EnvFile))
            {
                psi.Environment[key] = value;
            }
        }

        if (notifySocket is not null)
        {
            psi.Environment["NOTIFY_SOCKET"] = notifySocket;
        }

        File.AppendAllText(m.LogPath, $"=== walkthrough: {string.Join(' ', psi.ArgumentList.Skip(4))}{Environment.NewLine}");
        _processes.Add(Process.Start(psi) ?? throw new InvalidOperationException("could not start " + Server));
    }

    /// <summary>An HTTPS client trusting ca.pem and presenting etcd.pem, as etcdctl does with the guide's flags.</summary>
    public HttpClient HttpsClient(string cert = "etcd")
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.ImportFromPemFile(P("ca.pem"));
        var ssl = new SslClientAuthenticationOptions
        {
            CertificateChainPolicy = policy,
            ClientCertificates = [X509Certificate2.CreateFromPemFile(P(cert + ".pem"), P(cert + "-key.pem"))],
        };
        return new HttpClient(new SocketsHttpHandler { SslOptions = ssl, ConnectTimeout = TimeSpan.FromSeconds(2) }) { Timeout = TimeSpan.FromSeconds(3) };
    }

    /// <summary>Waits until every listed member answers /health with health=true over mutual TLS.</summary>
    public async Task WaitHealthyAsync(IEnumerable<GuideMember> members, TimeSpan timeout)
    {
        using var http = HttpsClient();
        foreach (var m in members)
        {
            try
            {
                await Wait.UntilAsync(async ct =>
                {
                    if (_processes.Any(p => p.HasExited))
                    {
                        throw new InvalidOperationException("a member exited:" + Environment.NewLine + AllLogs());
                    }

                    try
                    {
                        var body = await http.GetStringAsync(m.ClientUrl + "/health", ct);
                        return body.Contains("\"health\":\"true\"", StringComparison.Ordinal);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        return false;
                    }
                }, timeout, $"{m.Name} ({m.ClientUrl}) to be healthy");
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException(e.Message + Environment.NewLine + AllLogs(), e);
            }
        }
    }

    /// <summary>The real etcdctl with the guide's certificate flags (v2 or v3 spelling).</summary>
    public Task<CommandResult> EtcdctlAsync(int api, string endpoints, string cert, params string[] args)
    {
        string[] tls = api == 2
            ? ["--ca-file", P("ca.pem"), "--cert-file", P(cert + ".pem"), "--key-file", P(cert + "-key.pem")]
            : ["--cacert", P("ca.pem"), "--cert", P(cert + ".pem"), "--key", P(cert + "-key.pem"), "--dial-timeout=3s", "--command-timeout=5s"];
        return ProcessRunner.RunAsync(
            FindOnPath("etcdctl"),
            ["--endpoints", endpoints, .. tls, .. args],
            new Dictionary<string, string?> { ["ETCDCTL_API"] = api.ToString(System.Globalization.CultureInfo.InvariantCulture), ["ETCDCTL_ENDPOINTS"] = null },
            timeout: TimeSpan.FromSeconds(30));
    }

    public string P(string file) => Path.Combine(Pki, file);

    public string AllLogs() => string.Join(Environment.NewLine, Members.Select(m =>
        $"--- {m.Name} ---{Environment.NewLine}{string.Join(Environment.NewLine, m.Log().Split('\n').TakeLast(25))}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill();
                    using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                    await p.WaitForExitAsync(limit.Token);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            p.Dispose();
        }

        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private async Task CfsslAsync(string ca, params (string Name, string Hosts)[] leaves)
    {
        File.WriteAllText(P("ca-config.json"),
            """{"signing":{"default":{"expiry":"8760h"},"profiles":{"kubernetes":{"usages":["signing","key encipherment","server auth","client auth"],"expiry":"8760h"}}}}""");
        File.WriteAllText(P(ca + "-csr.json"), """{"CN":"kubernetes","key":{"algo":"rsa","size":2048},"names":[{"C":"CN","O":"k8s","OU":"System"}]}""");
        await ShellAsync($"cfssl gencert -initca {ca}-csr.json | cfssljson -bare {ca}");
        foreach (var (name, hosts) in leaves)
        {
            await CfsslLeafAsync(ca, name, hosts);
        }
    }

    private async Task CfsslLeafAsync(string ca, string name, string hosts)
    {
        var list = string.Join(",", hosts.Split(',').Select(h => $"\"{h}\""));
        File.WriteAllText(P(name + "-csr.json"),
            $$"""{"CN":"etcd","hosts":[{{list}}],"key":{"algo":"rsa","size":2048},"names":[{"C":"CN","O":"k8s","OU":"System"}]}""");
        await ShellAsync($"cfssl gencert -ca={ca}.pem -ca-key={ca}-key.pem -config=ca-config.json -profile=kubernetes {name}-csr.json | cfssljson -bare {name}");
    }

    private async Task ShellAsync(string command) =>
        (await ProcessRunner.RunAsync("/bin/sh", ["-c", $"cd '{Pki}' && {command}"], timeout: TimeSpan.FromSeconds(60))).EnsureSuccess();

    private static async Task CairnctlAsync(params string[] args)
    {
        var ctl = Cairnctl();
        (await ProcessRunner.RunAsync(ctl.FileName, [.. ctl.LeadingArguments, .. args], timeout: TimeSpan.FromSeconds(60))).EnsureSuccess();
    }

    /// <summary>CAIRNCTL_BIN, else the cairnctl build copied next to this test assembly (the project references src/Cairn.Ctl).</summary>
    private static ServerBinary Cairnctl()
    {
        if (Environment.GetEnvironmentVariable("CAIRNCTL_BIN") is { Length: > 0 } bin)
        {
            return ServerBinary.FromPath(bin);
        }

        var apphost = Path.Combine(AppContext.BaseDirectory, "cairnctl");
        return ServerBinary.FromPath(File.Exists(apphost) ? apphost : Path.Combine(AppContext.BaseDirectory, "cairnctl.dll"));
    }

    private static string FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
        ?? throw new FileNotFoundException($"'{name}' is not on PATH (apt-get install etcd-client)");
}

using Cairn.Testing;

namespace Cairn.Tests.Deploy;

/// <summary>
/// Issue 6's walkthrough: the guide's secure three-member deployment, verbatim, with cairn. Certificates from cfssl
/// and from `cairnctl pki`; an environment file per member; each member started from deploy/cairn.service's
/// ExecStart with its EnvironmentFile loaded; then the guide's checks with the real etcdctl over mutual TLS, and every
/// refusal. Runs against real etcd 3.4 too (CAIRN_BIN=/usr/bin/etcd), see <see cref="GuideDeployment"/>.
/// </summary>
[Collection("Processes")]
public sealed class WalkthroughTests
{
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(60);

    [Theory(Timeout = 240_000)]
    [InlineData(CertificateSource.Cfssl)]
    [InlineData(CertificateSource.Cairnctl)]
    public async Task GuideDeployment_ThreeMembersOverMutualTls_PassTheGuidesChecks(CertificateSource source)
    {
        await using var cluster = new GuideDeployment(source);
        await cluster.IssueCertificatesAsync();
        cluster.Distribute();
        cluster.WriteEnvironmentFiles();
        var notifyPath = Path.Combine(Path.GetTempPath(), $"cairn-notify-{Guid.NewGuid():N}.sock");
        await using var notify = new NotifySocket(notifyPath);
        foreach (var m in cluster.Members)
        {
            cluster.Start(m, m.Index == 0 ? notify.Path : null);
        }

        await cluster.WaitHealthyAsync(cluster.Members, Startup);
        var first = cluster.Members[0];

        // The guide's check: v2 cluster-health over mutual TLS, one healthy line per member.
        var health = await cluster.EtcdctlAsync(2, first.ClientUrl, "etcd", "cluster-health");
        Assert.True(health.Succeeded, health + Environment.NewLine + cluster.AllLogs());
        foreach (var m in cluster.Members)
        {
            Assert.Contains(health.Lines, l => l.StartsWith("member ", StringComparison.Ordinal)
                && l.EndsWith($" is healthy: got healthy result from {m.ClientUrl}", StringComparison.Ordinal));
        }

        Assert.Equal("cluster is healthy", health.Lines[^1]);
        var members = await cluster.EtcdctlAsync(2, first.ClientUrl, "etcd", "member", "list");
        Assert.True(members.Succeeded, members.ToString());
        Assert.Equal(3, members.Lines.Count(l => l.Contains("isLeader=", StringComparison.Ordinal)));

        // v3: endpoint health across the cluster, and a write read back through another member.
        var endpoints = await cluster.EtcdctlAsync(3, first.ClientUrl, "etcd", "endpoint", "health", "--cluster");
        Assert.True(endpoints.Succeeded, endpoints.ToString());
        foreach (var m in cluster.Members)
        {
            Assert.Contains(endpoints.Lines.Concat(endpoints.Stderr.Split('\n')), l => l.StartsWith(m.ClientUrl + " is healthy", StringComparison.Ordinal));
        }

        Assert.True((await cluster.EtcdctlAsync(3, first.ClientUrl, "etcd", "put", "guide", "ok")).Succeeded);
        var get = await cluster.EtcdctlAsync(3, cluster.Members[2].ClientUrl, "etcd", "get", "guide", "--print-value-only");
        Assert.Equal(["ok"], get.Lines);

        // The unit's plain local URL needs no certificate.
        var local = await ProcessEtcdctlPlainAsync(first.LocalUrl, "get", "guide", "--print-value-only");
        Assert.Equal(["ok"], local.Lines);

        // Refusals: another CA's client certificate, no client certificate, a plaintext client on the https URL.
        var intruder = await cluster.EtcdctlAsync(3, first.ClientUrl, "intruder", "get", "guide");
        Assert.False(intruder.Succeeded, intruder.ToString());
        var anonymous = await ProcessEtcdctlPlainAsync(first.ClientUrl, "--cacert", cluster.P("ca.pem"), "get", "guide");
        Assert.False(anonymous.Succeeded, anonymous.ToString());
        var plaintext = await ProcessEtcdctlPlainAsync("http://" + first.ClientUrl["https://".Length..], "get", "guide");
        Assert.False(plaintext.Succeeded, plaintext.ToString());
        if (!cluster.Server.IsEtcd)
        {
            await Wait.UntilAsync(() => first.Log().Contains("certificate signed by unknown authority", StringComparison.Ordinal)
                    && first.Log().Contains("tls: client didn't provide a certificate", StringComparison.Ordinal)
                    && first.Log().Contains("tls: first record does not look like a TLS handshake", StringComparison.Ordinal),
                TimeSpan.FromSeconds(10), "the three refusals in node1's log:" + Environment.NewLine + first.Log());
        }

        // Type=notify: READY=1 once the member serves clients.
        await Wait.UntilAsync(() => notify.Messages.Any(msg => msg.Split('\n').Contains("READY=1")), TimeSpan.FromSeconds(10),
            "READY=1 on NOTIFY_SOCKET; got: " + string.Join(" | ", notify.Messages));
    }

    /// <summary>
    /// The guide's warning: every IP of ETCD_CLUSTER_NODE_LIST must be in etcd.pem's hosts. Node3's certificate lacks
    /// 127.0.0.3: the peers dialing it refuse it, and node3's log shows the guide's "bad certificate" with the file,
    /// the missing address and the command that fixes it.
    /// </summary>
    [Fact(Timeout = 240_000)]
    public async Task MemberCertificateLackingItsIp_IsRefused_WithTheGuidesErrorAndTheFix()
    {
        await using var cluster = new GuideDeployment(CertificateSource.Cfssl);
        await cluster.IssueCertificatesAsync();
        await cluster.IssueAsync("short", "127.0.0.1,127.0.0.2,localhost");
        cluster.Distribute(new Dictionary<int, string> { [2] = "short" });
        cluster.WriteEnvironmentFiles();
        foreach (var m in cluster.Members)
        {
            cluster.Start(m);
        }

        var (node1, node2, node3) = (cluster.Members[0], cluster.Members[1], cluster.Members[2]);
        await cluster.WaitHealthyAsync([node1, node2], Startup);
        var node3Cert = Path.Combine(node3.SslDir, "etcd.pem");
        await Wait.UntilAsync(
            () => node3.Log().Contains("bad certificate", StringComparison.Ordinal)
                && (node1.Log() + node2.Log()).Contains("not 127.0.0.3", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the refusals in the logs:" + Environment.NewLine + cluster.AllLogs());
        if (!cluster.Server.IsEtcd)
        {
            Assert.Contains($"does not cover 127.0.0.3", node3.Log());
            var report = node3.Log().Split('\n').First(l => l.Contains("rejected connection", StringComparison.Ordinal) && l.Contains("bad certificate", StringComparison.Ordinal));
            Assert.Contains(node3Cert, report);
            Assert.Contains("do not include 127.0.0.3", report);
            Assert.Contains("--hosts 127.0.0.1,127.0.0.2,localhost,127.0.0.3", report);
            var dialer = (node1.Log() + node2.Log()).Split('\n').First(l => l.Contains("refused the certificate of the peer at 127.0.0.3", StringComparison.Ordinal));
            Assert.Contains("x509: certificate is valid for 127.0.0.1, 127.0.0.2, not 127.0.0.3", dialer);
            Assert.Contains("re-issue", dialer);
        }

        // The v2 check names node3 unhealthy; the cluster stays available on the other two.
        var health = await cluster.EtcdctlAsync(2, node1.ClientUrl, "etcd", "cluster-health");
        Assert.Contains(health.Lines, l => l.Contains("is healthy: got healthy result from " + node1.ClientUrl, StringComparison.Ordinal));
        Assert.DoesNotContain(health.Lines, l => l.Contains("is healthy: got healthy result from " + node3.ClientUrl, StringComparison.Ordinal));
    }

    [Fact]
    public void Unit_RunsCairnWithTheGuidesFlags_AndTheEnvFileMirrorsTheGuides()
    {
        var unit = SystemdUnit.Load(GuideDeployment.RepoFile("deploy/cairn.service"));
        var env = SystemdUnit.ReadEnvironmentFile(GuideDeployment.RepoFile("deploy/cairn.conf"));
        Assert.Equal("node1", env["ETCD_NAME"]);
        Assert.Equal("https://10.138.148.161:2379", env["ETCD_LISTEN_CLIENT_URLS"]);
        var argv = unit.Argv(env);
        Assert.Equal("/usr/local/bin/cairn", argv[0]);
        Assert.Contains("--cert-file=/etc/kubernetes/ssl/etcd.pem", argv);
        Assert.Contains("--peer-trusted-ca-file=/etc/kubernetes/ssl/ca.pem", argv);
        var listen = argv[argv.ToList().IndexOf("--listen-client-urls") + 1];
        Assert.Equal("https://10.138.148.161:2379,http://127.0.0.1:2379", listen);
        var cluster = argv[argv.ToList().IndexOf("--initial-cluster") + 1];
        Assert.Equal(env["ETCD_CLUSTER_NODE_LIST"], cluster);
        Assert.Contains("--data-dir=/var/lib/cairn", argv);
        Assert.DoesNotContain(argv, a => a.Contains('$', StringComparison.Ordinal));
    }

    private static Task<CommandResult> ProcessEtcdctlPlainAsync(string endpoint, params string[] args) =>
        ProcessRunner.RunAsync("etcdctl", ["--endpoints", endpoint, "--dial-timeout=3s", "--command-timeout=5s", .. args],
            new Dictionary<string, string?> { ["ETCDCTL_API"] = "3", ["ETCDCTL_ENDPOINTS"] = null }, timeout: TimeSpan.FromSeconds(30));
}

using Cairn.Configuration;
using static Cairn.Tests.Configuration.ConfigAssert;

namespace Cairn.Tests.Configuration;

/// <summary>--config-file in etcd's YAML schema.</summary>
public sealed class ConfigFileTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("cairn-config-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Write(string yaml)
    {
        var path = Path.Combine(directory, $"cairn-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public void EtcdsSampleKeys_Configure()
    {
        var path = Write("""
            # etcd.conf.yml
            name: 'node1'
            data-dir: /var/lib/node1
            snapshot-count: 10000
            heartbeat-interval: 50
            election-timeout: 500
            quota-backend-bytes: 0x100000
            listen-peer-urls: http://127.0.0.1:12380
            listen-client-urls: http://127.0.0.1:12379,http://127.0.0.2:12379
            initial-advertise-peer-urls: http://127.0.0.1:12380
            advertise-client-urls: http://127.0.0.1:12379
            initial-cluster: node1=http://127.0.0.1:12380
            initial-cluster-token: 'tok'
            initial-cluster-state: 'existing'
            enable-v2: yes
            max-txn-ops: 64
            max-request-bytes: 1024
            logger: zap
            log-level: warn
            log-outputs: [stderr, /tmp/cairn.log]
            """);
        var result = Load("--config-file", path);
        var config = Runs(result);
        Assert.Equal("node1", config.Name);
        Assert.Equal("/var/lib/node1", config.DataDir);
        Assert.Equal(10000UL, config.SnapshotCount);
        Assert.Equal(50, config.HeartbeatIntervalMs);
        Assert.Equal(500, config.ElectionTimeoutMs);
        Assert.Equal(0x100000, config.QuotaBackendBytes);
        Assert.Equal(["http://127.0.0.1:12379", "http://127.0.0.2:12379"], Texts(config.ListenClientUrls));
        Assert.Equal("node1", Assert.Single(config.InitialCluster).Key);
        Assert.Equal("tok", config.InitialClusterToken);
        Assert.Equal("existing", config.InitialClusterState);
        Assert.True(config.EnableV2);
        Assert.Equal(64, config.MaxTxnOps);
        Assert.Equal(1024, config.MaxRequestBytes);
        Assert.Equal("zap", config.Logger);
        Assert.Equal("warn", config.LogLevel);
        Assert.Equal(["/tmp/cairn.log", "stderr"], config.LogOutputs);
        Assert.Empty(result.Warnings);
        Assert.Contains(result.Notices, n => n.StartsWith($"loaded server configuration from \"{path}\"", StringComparison.Ordinal));
    }

    [Fact]
    public void TlsSections_ParseIntoTransportSecurity()
    {
        var file = ConfigFileSettings.Read("tls.yml", """
            client-transport-security:
              cert-file: /etc/cairn/etcd.pem
              key-file: /etc/cairn/etcd-key.pem
              client-cert-auth: true
              trusted-ca-file: /etc/cairn/ca.pem
              auto-tls: false
              crl-file: /etc/cairn/client.crl
              allowed-hostname: client.example
            peer-transport-security:
              cert-file: /etc/cairn/peer.pem
              key-file: /etc/cairn/peer-key.pem
              client-cert-auth: on
              trusted-ca-file: /etc/cairn/peer-ca.pem
              auto-tls: true
              allowed-cn: member
              allowed-hostname: peer.example
              crl-file: /etc/cairn/peer.crl
              skip-client-san-verification: true
            cipher-suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]
            """);
        Assert.Null(file.Error);
        Assert.Empty(file.Warnings);
        var warnings = new List<string>();
        var config = ServerConfigBuilder.Build(new ResolvedSettings(file.Settings.Values), fromConfigFile: true, warnings, out var error);
        Assert.Null(error);
        var client = config!.ClientTransportSecurity;
        Assert.Equal(("/etc/cairn/etcd.pem", "/etc/cairn/etcd-key.pem", true, "/etc/cairn/ca.pem", false),
            (client.CertFile, client.KeyFile, client.ClientCertAuth, client.TrustedCaFile, client.AutoTls));
        Assert.Equal(("/etc/cairn/client.crl", "client.example"), (client.CrlFile, client.AllowedHostname));
        var peer = config.PeerTransportSecurity;
        Assert.Equal(("/etc/cairn/peer.pem", "/etc/cairn/peer-key.pem", true, "/etc/cairn/peer-ca.pem", true),
            (peer.CertFile, peer.KeyFile, peer.ClientCertAuth, peer.TrustedCaFile, peer.AutoTls));
        Assert.Equal(("member", "peer.example", "/etc/cairn/peer.crl", true),
            (peer.AllowedCn, peer.AllowedHostname, peer.CrlFile, peer.SkipClientSanVerification));
        Assert.Equal(["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"], config.CipherSuites);
    }

    [Fact]
    public void TlsSection_SetsTheClientTransportSecurity() =>
        Assert.Equal("/etc/cairn/etcd.pem",
            Runs(Load("--config-file", Write("client-transport-security:\n  cert-file: /etc/cairn/etcd.pem\n"))).ClientTransportSecurity.CertFile);

    [Fact]
    public void UnsupportedYamlKey_IsRefusedNamingTheKeyAndLine()
    {
        var path = Write("client-transport-security:\n  crl-file: /etc/cairn/crl.pem\n");
        Assert.Equal(
            $"cairn: --client-crl-file is not supported by this version of cairn; remove it or set it to its default '' (it is set by client-transport-security.crl-file in {path} line 2)",
            Fails(Load("--config-file", path), 1));
    }

    [Fact]
    public void TlsSection_AtItsDefaults_IsFine() =>
        Runs(Load("--config-file", Write("client-transport-security:\n  cert-file: ''\n  client-cert-auth: false\n  auto-tls: false\n")));

    [Fact]
    public void OtherFlagsAndVariables_AreIgnored_EachWithAWarning()
    {
        var path = Write("name: from-file\n");
        var env = new Dictionary<string, string> { ["ETCD_DATA_DIR"] = "/elsewhere", ["ETCD_HEARTBEAT_INTERVAL"] = "abc" };
        var result = LoadWithEnv(env, "--config-file", path, "--name", "from-flag");
        var config = Runs(result);
        Assert.Equal("from-file", config.Name);
        Assert.Equal("from-file.cairn", config.DataDir);
        Assert.Equal(100, config.HeartbeatIntervalMs);
        Assert.Equal(
        [
            "--name is ignored because --config-file is given (as in etcd, the file alone configures the member)",
            "ETCD_DATA_DIR is ignored because --config-file is given (as in etcd, the file alone configures the member)",
            "ETCD_HEARTBEAT_INTERVAL is ignored because --config-file is given (as in etcd, the file alone configures the member)",
        ], result.Warnings);
    }

    [Fact]
    public void EtcdConfigFileVariable_NamesTheFile()
    {
        var path = Write("name: via-env\n");
        var result = LoadWithEnv(new Dictionary<string, string> { ["ETCD_CONFIG_FILE"] = path });
        Assert.Equal("via-env", Runs(result).Name);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void ListenClientUrlsAlone_KeepsTheDefaultAdvertiseUrl_AsEtcdsFileReadingDoes()
    {
        var config = Runs(Load("--config-file", Write("listen-client-urls: http://127.0.0.1:12379\n")));
        Assert.Equal(["http://localhost:2379"], Texts(config.AdvertiseClientUrls));
    }

    [Fact]
    public void Durations_AreGoStringsOrNanoseconds()
    {
        var file = ConfigFileSettings.Read("d.yml", "grpc-keepalive-min-time: 2000000000\ngrpc-keepalive-interval: 90m\nexperimental-warning-apply-duration: '250ms'\n");
        Assert.Null(file.Error);
        Assert.Equal(TimeSpan.FromSeconds(2), file.Settings["grpc-keepalive-min-time"].Value);
        Assert.Equal(TimeSpan.FromMinutes(90), file.Settings["grpc-keepalive-interval"].Value);
        Assert.Equal(TimeSpan.FromMilliseconds(250), file.Settings["experimental-warning-apply-duration"].Value);
    }

    [Fact]
    public void Keys_MatchCaseInsensitively_AsEtcdsJsonDecodingDoes() =>
        Assert.Equal("upper", Runs(Load("--config-file", Write("Name: upper\n"))).Name);

    [Fact]
    public void UnknownKeys_AreIgnoredWithAWarning_AndAHintWhenTheFlagLivesElsewhere()
    {
        var path = Write("cert-file: /x.pem\nfrobnicate: 1\nversion: true\n");
        var result = Load("--config-file", path);
        Runs(result);
        Assert.Equal(
        [
            $"config file {path}: line 1: unrecognized key \"cert-file\" is ignored (the config file spells --cert-file as client-transport-security.cert-file)",
            $"config file {path}: line 2: unrecognized key \"frobnicate\" is ignored",
            $"config file {path}: line 3: unrecognized key \"version\" is ignored (--version is a command-line flag only)",
        ], result.Warnings);
    }

    [Fact]
    public void NullsAndEmptyUrlsAndState_KeepTheDefaults()
    {
        var config = Runs(Load("--config-file", Write("wal-dir:\nname: ~\ninitial-cluster-state: ''\nlisten-client-urls: ''\n")));
        Assert.Equal("default", config.Name);
        Assert.Equal("new", config.InitialClusterState);
        Assert.Equal(["http://localhost:2379"], Texts(config.ListenClientUrls));
    }

    [Fact]
    public void BadValue_FailsNamingTheKeyFileAndLine()
    {
        var path = Write("name: x\nheartbeat-interval: fast\n");
        Assert.Equal($"cairn: invalid value \"fast\" for heartbeat-interval in config file {path} (line 2): parse error",
            Fails(Load("--config-file", path), 1));
    }

    [Fact]
    public void MalformedYaml_FailsNamingTheFile()
    {
        var path = Write("name: [unclosed\n");
        Assert.StartsWith($"cairn: config file {path}: line ", Fails(Load("--config-file", path), 1));
    }

    [Fact]
    public void DuplicateKey_Fails()
    {
        var path = Write("name: a\nname: b\n");
        Assert.Equal($"cairn: config file {path}: line 2: Duplicate key name", Fails(Load("--config-file", path), 1));
    }

    [Fact]
    public void NestedValue_Fails()
    {
        var path = Write("name: [a, {b: c}]\n");
        Assert.Equal($"cairn: config file {path}: line 1: name must be a single value or a list of values", Fails(Load("--config-file", path), 1));
    }

    [Fact]
    public void Directory_IsNotAConfigFile() =>
        Assert.Equal($"cairn: cannot read config file {directory}: it is a directory", Fails(Load("--config-file", directory), 1));

    [Fact]
    public void NonMappingDocument_Fails()
    {
        var path = Write("- a\n- b\n");
        Assert.Equal($"cairn: config file {path}: expected a mapping of etcd flag names to values at the top level",
            Fails(Load("--config-file", path), 1));
    }

    [Fact]
    public void MissingFile_Fails() =>
        Assert.StartsWith("cairn: cannot read config file /nonexistent/cairn.yml: ", Fails(Load("--config-file", "/nonexistent/cairn.yml"), 1));

    [Fact]
    public void EmptyFile_GivesTheDefaults() => Assert.Equal("default", Runs(Load("--config-file", Write(""))).Name);

    [Fact]
    public void Validation_AppliesToTheFile() =>
        Assert.StartsWith("cairn: --election-timeout[400ms] should be at least as 5 times as --heartbeat-interval[100ms]",
            Fails(Load("--config-file", Write("election-timeout: 400\n")), 1));

    [Fact]
    public void LegacyKey_IsIgnoredWithEtcdsWarning() =>
        Assert.Equal(["flag \"-snapshot\" is no longer supported - ignoring."], Load("--config-file", Write("snapshot: true\n")).Warnings);
}

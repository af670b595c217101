using Cairn.Server.Configuration;
using K = Cairn.Configuration.OptionKind;
using static Cairn.Configuration.OptionGroup;
using static Cairn.Configuration.OptionSupport;

namespace Cairn.Configuration;

/// <summary>
/// THE table of configuration: every flag of etcd 3.4.23 (etcdmain/config.go, including the legacy flags it
/// ignores), in `etcd --help` order (the six flags its help omits sit in their sections). Each row gives the flag,
/// its ETCD_* variable (derived), its --config-file YAML key, its Go type, its default, its help, cairn's support
/// and where it lands in ServerConfig. Command line, environment, config file, help text and the unsupported-flag
/// check all read this table and nothing else.
/// To support a flag: make its Apply right, flip its Support to Supported, and honour the setting in the server.
/// </summary>
internal static class ConfigTable
{
    private const ulong IntMax = int.MaxValue;
    private const string ClientTls = "client-transport-security.";
    private const string PeerTls = "peer-transport-security.";

    public static IReadOnlyList<ConfigOption> All { get; } =
    [
        // Usage lines
        Row(Usage, "config-file", K.String, "", Supported,
            "Path to a YAML configuration file in etcd's schema. When it is given, every other flag and ETCD_* variable is ignored.")
            with { YamlKey = null },
        Row(Usage, "version", K.Bool, "false", Supported, "Print the version and exit.") with { YamlKey = null },

        // Member
        Row(Member, "name", K.String, "default", Supported, "Human-readable name for this member.",
            (c, v) => c with { Name = Str(v) }),
        Row(Member, "data-dir", K.String, "", Supported, "Path to the data directory.",
            (c, v) => c with { DataDir = Str(v) }) with { ShownDefault = "${name}.cairn" },
        Row(Member, "wal-dir", K.String, "", NotYet, "Path to a dedicated WAL directory.",
            (c, v) => c with { WalDir = Str(v) }),
        Row(Member, "snapshot-count", K.Uint64, "100000", Supported, "Committed transactions that trigger a snapshot to disk.",
            (c, v) => c with { SnapshotCount = (ulong)v }),
        Row(Member, "heartbeat-interval", K.Uint, "100", Supported, "Time (in milliseconds) of a heartbeat interval.",
            (c, v) => c with { HeartbeatIntervalMs = ToInt(v) }) with { Max = IntMax },
        Row(Member, "election-timeout", K.Uint, "1000", Supported, "Time (in milliseconds) for an election to time out.",
            (c, v) => c with { ElectionTimeoutMs = ToInt(v) }) with { Max = IntMax },
        Row(Member, "initial-election-tick-advance", K.Bool, "true", NotYet, "Fast-forward the initial election ticks on boot for a faster election.",
            (c, v) => c with { InitialElectionTickAdvance = (bool)v }),
        Row(Member, "listen-peer-urls", K.Urls, "http://localhost:2380", Supported, "URLs to listen on for peer traffic.",
            (c, v) => c with { ListenPeerUrls = Uris(v) }),
        Row(Member, "listen-client-urls", K.Urls, "http://localhost:2379", Supported, "URLs to listen on for client traffic.",
            (c, v) => c with { ListenClientUrls = Uris(v) }),
        Row(Member, "max-snapshots", K.Uint, "5", NotYet, "Snapshot files to retain (0 is unlimited).",
            (c, v) => c with { MaxSnapshots = ToInt(v) }) with { Max = IntMax },
        Row(Member, "max-wals", K.Uint, "5", NotYet, "WAL files to retain (0 is unlimited).",
            (c, v) => c with { MaxWals = ToInt(v) }) with { Max = IntMax },
        Row(Member, "quota-backend-bytes", K.Int64, "0", Supported, "Raise an alarm when the backend exceeds this size (0 means the default, 2 GiB).",
            (c, v) => c with { QuotaBackendBytes = (long)v }),
        Row(Member, "backend-batch-interval", K.Duration, "0s", NotYet, "Longest time before a backend transaction commits.",
            (c, v) => c with { BackendBatchInterval = (TimeSpan)v }),
        Row(Member, "backend-batch-limit", K.Int, "0", NotYet, "Most operations before a backend transaction commits.",
            (c, v) => c with { BackendBatchLimit = (long)v }),
        Row(Member, "max-txn-ops", K.Uint, "128", Supported, "Most operations allowed in one transaction.",
            (c, v) => c with { MaxTxnOps = ToInt(v) }) with { Max = IntMax },
        Row(Member, "max-request-bytes", K.Uint, "1572864", Supported, "Largest client request, in bytes, the server accepts.",
            (c, v) => c with { MaxRequestBytes = ToInt(v) }) with { Max = IntMax },
        Row(Member, "max-concurrent-streams", K.Uint32, "4294967295", NotYet, "Most concurrent streams each client may open.",
            (c, v) => c with { MaxConcurrentStreams = (uint)(ulong)v }),
        Row(Member, "grpc-keepalive-min-time", K.Duration, "5s", NotYet, "Shortest interval a client should wait between pings.",
            (c, v) => c with { GrpcKeepAliveMinTime = (TimeSpan)v }),
        Row(Member, "grpc-keepalive-interval", K.Duration, "2h", NotYet, "How often the server pings a connection to check it is alive (0 disables).",
            (c, v) => c with { GrpcKeepAliveInterval = (TimeSpan)v }),
        Row(Member, "grpc-keepalive-timeout", K.Duration, "20s", NotYet, "How long to wait for a ping reply before closing the connection (0 disables).",
            (c, v) => c with { GrpcKeepAliveTimeout = (TimeSpan)v }),

        // Clustering
        Row(Clustering, "initial-advertise-peer-urls", K.Urls, "http://localhost:2380", Supported, "This member's peer URLs, as advertised to the rest of the cluster.",
            (c, v) => c with { InitialAdvertisePeerUrls = Uris(v) }),
        Row(Clustering, "initial-cluster", K.InitialCluster, "default=http://localhost:2380", Supported,
            "Initial cluster configuration for bootstrapping, name=URL,...; unset, it is <name>=<initial-advertise-peer-urls>.",
            (c, v) => c with { InitialCluster = Cluster(v) }),
        Row(Clustering, "initial-cluster-state", K.Choice, "new", Supported, "Initial cluster state ('new' or 'existing').",
            (c, v) => c with { InitialClusterState = Str(v) }) with { Allowed = ["new", "existing"] },
        Row(Clustering, "initial-cluster-token", K.String, "etcd-cluster", Supported, "Initial cluster token, so that separate clusters never mix.",
            (c, v) => c with { InitialClusterToken = Str(v) }),
        Row(Clustering, "advertise-client-urls", K.Urls, "http://localhost:2379", Supported,
            "This member's client URLs, as advertised to clients; required when --listen-client-urls is set.",
            (c, v) => c with { AdvertiseClientUrls = Uris(v) }),
        Row(Clustering, "discovery", K.String, "", NotYet, "Discovery URL used to bootstrap the cluster.",
            (c, v) => c with { Discovery = Str(v) }),
        Row(Clustering, "discovery-fallback", K.Choice, "proxy", NotYet, "What to do when discovery fails ('exit' or 'proxy').",
            (c, v) => c with { DiscoveryFallback = Str(v) }) with { Allowed = ["proxy", "exit"] },
        Row(Clustering, "discovery-proxy", K.String, "", NotYet, "HTTP proxy for traffic to the discovery service.",
            (c, v) => c with { DiscoveryProxy = Str(v) }),
        Row(Clustering, "discovery-srv", K.String, "", NotYet, "DNS SRV domain used to bootstrap the cluster.",
            (c, v) => c with { DiscoverySrv = Str(v) }),
        Row(Clustering, "discovery-srv-name", K.String, "", NotYet, "Suffix of the DNS SRV name queried when bootstrapping.",
            (c, v) => c with { DiscoverySrvName = Str(v) }),
        Row(Clustering, "strict-reconfig-check", K.Bool, "true", NotYet, "Reject reconfiguration requests that would cause quorum loss.",
            (c, v) => c with { StrictReconfigCheck = (bool)v }),
        Row(Clustering, "pre-vote", K.Bool, "false", NotYet, "Run Raft's pre-vote phase before an election.",
            (c, v) => c with { PreVote = (bool)v }),
        Row(Clustering, "auto-compaction-retention", K.String, "0", NotYet, "Auto compaction retention (0 disables auto compaction).",
            (c, v) => c with { AutoCompactionRetention = Str(v) }),
        Row(Clustering, "auto-compaction-mode", K.String, "periodic", NotYet,
            "How to read --auto-compaction-retention: 'periodic' (a duration, hours when unitless) or 'revision'.",
            (c, v) => c with { AutoCompactionMode = Str(v) }),
        Row(Clustering, "enable-v2", K.Bool, "false", Accepted, "Accept etcd v2 client requests.",
            (c, v) => c with { EnableV2 = (bool)v }),
        Row(Clustering, "enable-grpc-gateway", K.Bool, "true", NotYet, "Serve the JSON gRPC gateway (/v3/...).",
            (c, v) => c with { EnableGrpcGateway = (bool)v }),

        // Security
        Tls(ClientTls + "cert-file", "cert-file", K.String, "Path to the client server TLS certificate file.",
            (t, v) => t with { CertFile = Str(v) }),
        Tls(ClientTls + "key-file", "key-file", K.String, "Path to the client server TLS key file.",
            (t, v) => t with { KeyFile = Str(v) }),
        Tls(ClientTls + "client-cert-auth", "client-cert-auth", K.Bool, "Require client certificates.",
            (t, v) => t with { ClientCertAuth = (bool)v }),
        Tls(ClientTls + "crl-file", "client-crl-file", K.String, "Path to the client certificate revocation list.",
            (t, v) => t with { CrlFile = Str(v) }),
        Tls(ClientTls + "allowed-hostname", "client-cert-allowed-hostname", K.String, "Hostname a client certificate must carry.",
            (t, v) => t with { AllowedHostname = Str(v) }),
        Tls(ClientTls + "trusted-ca-file", "trusted-ca-file", K.String, "Path to the CA that signs client certificates.",
            (t, v) => t with { TrustedCaFile = Str(v) }),
        Tls(ClientTls + "auto-tls", "auto-tls", K.Bool, "Client TLS with generated certificates.",
            (t, v) => t with { AutoTls = (bool)v }),
        Tls(PeerTls + "cert-file", "peer-cert-file", K.String, "Path to the peer server TLS certificate file.",
            (t, v) => t with { CertFile = Str(v) }),
        Tls(PeerTls + "key-file", "peer-key-file", K.String, "Path to the peer server TLS key file.",
            (t, v) => t with { KeyFile = Str(v) }),
        Tls(PeerTls + "client-cert-auth", "peer-client-cert-auth", K.Bool, "Require peer client certificates.",
            (t, v) => t with { ClientCertAuth = (bool)v }),
        Tls(PeerTls + "trusted-ca-file", "peer-trusted-ca-file", K.String, "Path to the CA that signs peer certificates.",
            (t, v) => t with { TrustedCaFile = Str(v) }),
        Tls(PeerTls + "allowed-cn", "peer-cert-allowed-cn", K.String, "Common name a peer's client certificate must carry.",
            (t, v) => t with { AllowedCn = Str(v) }),
        Tls(PeerTls + "allowed-hostname", "peer-cert-allowed-hostname", K.String, "Hostname a peer's certificate must carry.",
            (t, v) => t with { AllowedHostname = Str(v) }),
        Tls(PeerTls + "auto-tls", "peer-auto-tls", K.Bool, "Peer TLS with generated certificates when no peer key and certificate are given.",
            (t, v) => t with { AutoTls = (bool)v }),
        Tls(PeerTls + "crl-file", "peer-crl-file", K.String, "Path to the peer certificate revocation list.",
            (t, v) => t with { CrlFile = Str(v) }),
        Row(Security, "cipher-suites", K.Strings, "", Supported, "Comma-separated TLS cipher suites for clients and peers (empty: the platform's defaults).",
            (c, v) => c with { CipherSuites = List(v) }),
        Row(Security, "cors", K.Urls, "*", NotYet, "Comma-separated origins allowed for CORS (empty or * allows all).",
            (c, v) => c with { Cors = List(v) }) with { Allowed = ["*"] },
        Row(Security, "host-whitelist", K.UniqueStrings, "*", NotYet, "Host names accepted from HTTP clients when the server is not secure (empty or * allows all).",
            (c, v) => c with { HostWhitelist = List(v) }),

        // Auth
        Row(Auth, "auth-token", K.String, "simple", NotYet, "v3 authentication token type and its options ('simple' or 'jwt').",
            (c, v) => c with { AuthToken = Str(v) }),
        Row(Auth, "bcrypt-cost", K.Uint, "10", NotYet, "bcrypt cost for hashing auth passwords (4 to 31).",
            (c, v) => c with { BcryptCost = ToInt(v) }) with { Max = IntMax },
        Row(Auth, "auth-token-ttl", K.Uint, "300", NotYet, "Lifetime of a simple auth token, in seconds.",
            (c, v) => c with { AuthTokenTtlSeconds = ToInt(v) }) with { Max = IntMax },

        // Profiling and monitoring
        Row(Monitoring, "enable-pprof", K.Bool, "false", NotYet, "Serve runtime profiling data under <client URL>/debug/pprof/.",
            (c, v) => c with { EnablePprof = (bool)v }),
        Row(Monitoring, "metrics", K.String, "basic", NotYet, "Detail of exported metrics: 'basic' or 'extensive' (adds histograms).",
            (c, v) => c with { Metrics = Str(v) }),
        Row(Monitoring, "listen-metrics-urls", K.Urls, "", NotYet, "URLs to listen on for the metrics and health endpoints.",
            (c, v) => c with { ListenMetricsUrls = Uris(v) }) with { Allowed = [""] },

        // Logging
        Row(Logging, "logger", K.String, "capnslog", Supported, "Log format: 'zap' (structured) or 'capnslog'.",
            (c, v) => c with { Logger = Str(v) }),
        Row(Logging, "log-outputs", K.UniqueStrings, "default", Supported, "Log targets: 'default', 'stderr', 'stdout', 'systemd/journal' or file paths, comma-separated.",
            (c, v) => c with { LogOutputs = List(v) }),
        Row(Logging, "log-level", K.String, "info", Supported, "Log level: debug, info, warn, error, panic or fatal.",
            (c, v) => c with { LogLevel = Str(v) }),

        // v2 proxy: cairn is never a v2 proxy; the rows exist so that the flags are parsed and refused clearly.
        Row(Proxy, "proxy", K.Choice, "off", NotYet, "v2 proxy mode ('off', 'readonly' or 'on').") with { Allowed = ["off", "readonly", "on"] },
        Row(Proxy, "proxy-failure-wait", K.Uint, "5000", NotYet, "Time (in milliseconds) an endpoint stays failed."),
        Row(Proxy, "proxy-refresh-interval", K.Uint, "30000", NotYet, "Time (in milliseconds) between endpoint refreshes."),
        Row(Proxy, "proxy-dial-timeout", K.Uint, "1000", NotYet, "Time (in milliseconds) for a dial to time out."),
        Row(Proxy, "proxy-write-timeout", K.Uint, "5000", NotYet, "Time (in milliseconds) for a write to time out."),
        Row(Proxy, "proxy-read-timeout", K.Uint, "0", NotYet, "Time (in milliseconds) for a read to time out."),

        // Experimental
        Row(Experimental, "experimental-initial-corrupt-check", K.Bool, "false", NotYet, "Check for data corruption before serving clients or peers.",
            (c, v) => c with { ExperimentalInitialCorruptCheck = (bool)v }),
        Row(Experimental, "experimental-corrupt-check-time", K.Duration, "0s", NotYet, "Time between cluster corruption checks.",
            (c, v) => c with { ExperimentalCorruptCheckTime = (TimeSpan)v }),
        Row(Experimental, "experimental-enable-v2v3", K.String, "", NotYet, "Serve v2 requests from the v3 backend under this prefix.",
            (c, v) => c with { ExperimentalEnableV2V3 = Str(v) }),
        Row(Experimental, "experimental-backend-bbolt-freelist-type", K.String, "array", Accepted, "bbolt freelist type ('array' or 'map'); cairn has no bbolt.",
            (c, v) => c with { ExperimentalBackendBboltFreelistType = Str(v) }),
        Row(Experimental, "experimental-enable-lease-checkpoint", K.Bool, "false", NotYet, "Leader checkpoints lease remaining TTLs to the members.",
            (c, v) => c with { ExperimentalEnableLeaseCheckpoint = (bool)v }),
        Row(Experimental, "experimental-enable-lease-checkpoint-persist", K.Bool, "false", NotYet, "Persist lease checkpoints (needs --experimental-enable-lease-checkpoint).",
            (c, v) => c with { ExperimentalEnableLeaseCheckpointPersist = (bool)v }),
        Row(Experimental, "experimental-compaction-batch-limit", K.Int, "1000", NotYet, "Most revisions deleted in one compaction batch.",
            (c, v) => c with { ExperimentalCompactionBatchLimit = (long)v }),
        Row(Experimental, "experimental-peer-skip-client-san-verification", K.Bool, "false", Supported, "Skip the SAN check of peers' client certificates.",
            (c, v) => c with { PeerTransportSecurity = c.PeerTransportSecurity with { SkipClientSanVerification = (bool)v } })
            with { YamlKey = PeerTls + "skip-client-san-verification" },
        Row(Experimental, "experimental-watch-progress-notify-interval", K.Duration, "10m", Supported, "Time between watch progress notifications.",
            (c, v) => c with { ExperimentalWatchProgressNotifyInterval = (TimeSpan)v }),
        Row(Experimental, "experimental-warning-apply-duration", K.Duration, "100ms", NotYet, "Warn when applying a request takes longer than this.",
            (c, v) => c with { ExperimentalWarningApplyDuration = (TimeSpan)v }),

        // Unsafe
        Row(Unsafe, "force-new-cluster", K.Bool, "false", NotYet, "Force a new one-member cluster from the existing data.",
            (c, v) => c with { ForceNewCluster = (bool)v }),
        Row(Unsafe, "unsafe-no-fsync", K.Bool, "false", NotYet, "Never fsync: unsafe, loses data on a crash.",
            (c, v) => c with { UnsafeNoFsync = (bool)v }),

        // To be deprecated: the builder folds --debug into the log level and --log-output into --log-outputs.
        Row(Deprecated, "debug", K.Bool, "false", Supported, "Debug-level logging; use --log-level=debug instead."),
        Row(Deprecated, "log-package-levels", K.String, "", NotYet, "capnslog levels per package (e.g. 'etcdmain=CRITICAL,etcdserver=DEBUG').",
            (c, v) => c with { LogPackageLevels = Str(v) }),
        Row(Deprecated, "log-output", K.UniqueStrings, "default", Supported, "Old name of --log-outputs."),

        // Legacy flags etcd 3.4 registers and ignores with a warning (etcdmain's "ignored" list).
        .. new[]
        {
            "cluster-active-size", "cluster-remove-delay", "cluster-sync-interval", "config", "force", "max-result-buffer",
            "max-retry-attempts", "peer-heartbeat-interval", "peer-election-timeout", "retry-interval", "snapshot", "v",
            "vv", "test.coverprofile", "test.outputdir",
        }.Select(name => Row(Hidden, name, K.Ignored, "", OptionSupport.Ignored, "No longer supported; ignored with a warning, as etcd does.")),
    ];

    private static readonly Dictionary<string, ConfigOption> ByName = All.ToDictionary(o => o.Name, StringComparer.Ordinal);
    private static readonly Dictionary<string, ConfigOption> ByEnvVar = All.ToDictionary(o => o.EnvVar, StringComparer.Ordinal);

    // encoding/json, which etcd's YAML reading ends in, matches keys case-insensitively.
    private static readonly Dictionary<string, ConfigOption> ByYamlKey = All.Where(o => o.YamlKey is not null)
        .ToDictionary(o => o.YamlKey!, StringComparer.OrdinalIgnoreCase);

    /// <summary>The YAML keys that hold a nested mapping of settings (etcd's securityConfig sections).</summary>
    public static IReadOnlySet<string> YamlSections { get; } =
        new HashSet<string>([ClientTls.TrimEnd('.'), PeerTls.TrimEnd('.')], StringComparer.OrdinalIgnoreCase);

    public static ConfigOption Get(string name) => ByName[name];

    public static ConfigOption? FindByName(string name) => ByName.GetValueOrDefault(name);

    public static ConfigOption? FindByEnvVar(string variable) => ByEnvVar.GetValueOrDefault(variable);

    public static ConfigOption? FindByYamlKey(string key) => ByYamlKey.GetValueOrDefault(key);

    private static ConfigOption Row(OptionGroup group, string name, OptionKind kind, string defaultText,
        OptionSupport support, string help, Func<ServerConfig, object, ServerConfig>? apply = null) =>
        new(name, kind, defaultText, group, support, help) { Apply = apply };

    /// <summary>A TLS row: not yet supported, its YAML key inside client- or peer-transport-security.</summary>
    private static ConfigOption Tls(string yamlKey, string name, OptionKind kind, string help,
        Func<TransportSecurity, object, TransportSecurity> set)
    {
        var peer = yamlKey.StartsWith(PeerTls, StringComparison.Ordinal);
        return new ConfigOption(name, kind, kind == K.Bool ? "false" : "", Security, name.EndsWith("crl-file", StringComparison.Ordinal) ? NotYet : Supported, help)
        {
            YamlKey = yamlKey,
            Apply = peer
                ? (c, v) => c with { PeerTransportSecurity = set(c.PeerTransportSecurity, v) }
                : (c, v) => c with { ClientTransportSecurity = set(c.ClientTransportSecurity, v) },
        };
    }

    private static string Str(object v) => (string)v;

    /// <summary>Rows that use it carry Max = int.MaxValue, so the narrowing cannot overflow.</summary>
    private static int ToInt(object v) => checked((int)(ulong)v);

    private static IReadOnlyList<string> List(object v) => (IReadOnlyList<string>)v;

    /// <summary>The validator has checked that every URL converts.</summary>
    private static IReadOnlyList<Uri> Uris(object v) => [.. List(v).Select(ToUri)];

    private static IReadOnlyList<KeyValuePair<string, IReadOnlyList<Uri>>> Cluster(object v) =>
        [.. ((IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>>)v)
            .Select(m => new KeyValuePair<string, IReadOnlyList<Uri>>(m.Key, [.. m.Value.Select(ToUri)]))];

    private static Uri ToUri(string canonical) => EtcdUrls.TryToUri(canonical, out var uri)
        ? uri
        : throw new InvalidOperationException($"URL {canonical} reached ServerConfig without being checked");
}

namespace Cairn.Server.Configuration;

/// <summary>
/// The resolved settings of one member, after flags, ETCD_* variables and --config-file have been merged and
/// validated by the cairn executable. Defaults are etcd 3.4's (except the data dir, "${name}.cairn").
/// </summary>
public sealed record ServerConfig
{
    public string Name { get; init; } = "default";
    public string DataDir { get; init; } = "default.cairn";

    public IReadOnlyList<Uri> ListenClientUrls { get; init; } = [new("http://localhost:2379")];
    public IReadOnlyList<Uri> AdvertiseClientUrls { get; init; } = [new("http://localhost:2379")];
    public IReadOnlyList<Uri> ListenPeerUrls { get; init; } = [new("http://localhost:2380")];
    public IReadOnlyList<Uri> InitialAdvertisePeerUrls { get; init; } = [new("http://localhost:2380")];

    /// <summary>--initial-cluster as name → peer URLs, in the order given.</summary>
    public IReadOnlyList<KeyValuePair<string, IReadOnlyList<Uri>>> InitialCluster { get; init; } =
        [new("default", [new Uri("http://localhost:2380")])];
    public string InitialClusterState { get; init; } = "new";
    public string InitialClusterToken { get; init; } = "etcd-cluster";

    public int HeartbeatIntervalMs { get; init; } = 100;
    public int ElectionTimeoutMs { get; init; } = 1000;
    public ulong SnapshotCount { get; init; } = 100_000;

    public long QuotaBackendBytes { get; init; }
    public int MaxRequestBytes { get; init; } = 1_572_864;
    public int MaxTxnOps { get; init; } = 128;

    public string LogLevel { get; init; } = "info";

    // Everything below was added with the full etcd 3.4 flag table (src/Cairn/Configuration/ConfigTable.cs). A
    // setting whose flag is not yet supported there always holds its etcd default here.

    // Member
    /// <summary>--wal-dir: a dedicated WAL directory; empty means inside the data dir.</summary>
    public string WalDir { get; init; } = "";
    /// <summary>--max-snapshots / --max-wals: files to retain, 0 for unlimited.</summary>
    public int MaxSnapshots { get; init; } = 5;
    public int MaxWals { get; init; } = 5;
    public bool InitialElectionTickAdvance { get; init; } = true;
    /// <summary>--backend-batch-interval / --backend-batch-limit: 0 means the backend's own default.</summary>
    public TimeSpan BackendBatchInterval { get; init; }
    public long BackendBatchLimit { get; init; }
    public uint MaxConcurrentStreams { get; init; } = uint.MaxValue;
    public TimeSpan GrpcKeepAliveMinTime { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan GrpcKeepAliveInterval { get; init; } = TimeSpan.FromHours(2);
    public TimeSpan GrpcKeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(20);

    // Clustering
    public string Discovery { get; init; } = "";
    public string DiscoveryFallback { get; init; } = "proxy";
    public string DiscoveryProxy { get; init; } = "";
    public string DiscoverySrv { get; init; } = "";
    public string DiscoverySrvName { get; init; } = "";
    public bool StrictReconfigCheck { get; init; } = true;
    public bool PreVote { get; init; }
    /// <summary>--enable-v2: accepted for compatibility; cairn serves the v2 endpoints it has either way.</summary>
    public bool EnableV2 { get; init; }
    public bool EnableGrpcGateway { get; init; } = true;
    /// <summary>--auto-compaction-mode: "periodic" or "revision"; retention "0" disables auto compaction.</summary>
    public string AutoCompactionMode { get; init; } = "periodic";
    public string AutoCompactionRetention { get; init; } = "0";

    // Security
    public TransportSecurity ClientTransportSecurity { get; init; } = new();
    public TransportSecurity PeerTransportSecurity { get; init; } = new();
    /// <summary>--cipher-suites in the order given; empty means the platform's defaults.</summary>
    public IReadOnlyList<string> CipherSuites { get; init; } = [];
    /// <summary>--cors: allowed origins ("*" for all).</summary>
    public IReadOnlyList<string> Cors { get; init; } = ["*"];
    /// <summary>--host-whitelist: Host headers accepted on insecure HTTP ("*" for all).</summary>
    public IReadOnlyList<string> HostWhitelist { get; init; } = ["*"];

    // Auth
    /// <summary>--auth-token: "simple" or "jwt,pub-key=...,priv-key=...,sign-method=...".</summary>
    public string AuthToken { get; init; } = "simple";
    public int BcryptCost { get; init; } = 10;
    public int AuthTokenTtlSeconds { get; init; } = 300;

    // Monitoring
    public bool EnablePprof { get; init; }
    /// <summary>--metrics: "basic" or "extensive".</summary>
    public string Metrics { get; init; } = "basic";
    public IReadOnlyList<Uri> ListenMetricsUrls { get; init; } = [];

    // Logging
    /// <summary>--logger: "capnslog" (etcd 3.4's default) or "zap".</summary>
    public string Logger { get; init; } = "capnslog";
    /// <summary>--log-outputs: "default", "stderr", "stdout", "systemd/journal" or file paths.</summary>
    public IReadOnlyList<string> LogOutputs { get; init; } = ["default"];
    public string LogPackageLevels { get; init; } = "";

    // Experimental
    public bool ExperimentalInitialCorruptCheck { get; init; }
    public TimeSpan ExperimentalCorruptCheckTime { get; init; }
    public string ExperimentalEnableV2V3 { get; init; } = "";
    public string ExperimentalBackendBboltFreelistType { get; init; } = "array";
    public bool ExperimentalEnableLeaseCheckpoint { get; init; }
    public bool ExperimentalEnableLeaseCheckpointPersist { get; init; }
    public long ExperimentalCompactionBatchLimit { get; init; } = 1000;
    public TimeSpan ExperimentalWatchProgressNotifyInterval { get; init; } = TimeSpan.FromMinutes(10);
    public TimeSpan ExperimentalWarningApplyDuration { get; init; } = TimeSpan.FromMilliseconds(100);

    // Unsafe
    public bool ForceNewCluster { get; init; }
    public bool UnsafeNoFsync { get; init; }

    /// <summary>The backend's effective quota: 0 means etcd's default of 2 GiB.</summary>
    public long EffectiveQuotaBytes => QuotaBackendBytes > 0 ? QuotaBackendBytes : 2L * 1024 * 1024 * 1024;
}

namespace Cairn.Ctl.Client;

/// <summary>How to reach the cluster: etcdctl's global flags after ETCDCTL_* variables were applied.</summary>
internal sealed record ClientSettings
{
    public IReadOnlyList<string> Endpoints { get; init; } = ["127.0.0.1:2379"];

    public TimeSpan DialTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan KeepAliveTime { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>--insecure-transport (default true): plain-text unless an endpoint or a TLS flag asks for TLS.</summary>
    public bool InsecureTransport { get; init; } = true;

    public bool InsecureSkipTlsVerify { get; init; }

    public string CertFile { get; init; } = "";

    public string KeyFile { get; init; } = "";

    public string TrustedCaFile { get; init; } = "";

    /// <summary>SNI / verification name from --discovery-srv, as etcdctl sets it.</summary>
    public string ServerName { get; init; } = "";

    /// <summary>User name for Authenticate; null when auth is not used.</summary>
    public string? UserName { get; init; }

    public string Password { get; init; } = "";

    /// <summary>TLS is used when any TLS file is given, an endpoint says https, or --insecure-transport=false.</summary>
    public bool UseTls =>
        CertFile.Length > 0 || KeyFile.Length > 0 || TrustedCaFile.Length > 0 || ServerName.Length > 0 || !InsecureTransport
        || Endpoints.Any(e => e.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || e.StartsWith("unixs://", StringComparison.OrdinalIgnoreCase));

    /// <summary>The same settings aimed at one endpoint (endpoint health/status/hashkv, defrag, move-leader).</summary>
    public ClientSettings For(string endpoint) => this with { Endpoints = [endpoint] };
}

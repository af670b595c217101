namespace Cairn.Server.Configuration;

/// <summary>
/// TLS settings of one side (client or peer), as etcd's --config-file groups them under client-transport-security
/// and peer-transport-security. Empty strings mean "not set".
/// </summary>
public sealed record TransportSecurity
{
    public string CertFile { get; init; } = "";
    public string KeyFile { get; init; } = "";
    public string TrustedCaFile { get; init; } = "";
    public bool ClientCertAuth { get; init; }
    public bool AutoTls { get; init; }
    public string CrlFile { get; init; } = "";

    /// <summary>--client-cert-allowed-hostname / --peer-cert-allowed-hostname.</summary>
    public string AllowedHostname { get; init; } = "";

    /// <summary>--peer-cert-allowed-cn (peer side only).</summary>
    public string AllowedCn { get; init; } = "";

    /// <summary>--experimental-peer-skip-client-san-verification (peer side only).</summary>
    public bool SkipClientSanVerification { get; init; }
}

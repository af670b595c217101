namespace Cairn.Server.Hosting.Tls;

/// <summary>Which of etcd's two TLS configurations a setting belongs to: client URLs or peer URLs.</summary>
internal enum TlsSide
{
    Client,
    Peer,
}

/// <summary>The flag names of one side, so every message names the flag the user actually set.</summary>
internal sealed record TlsFlags(
    TlsSide Side,
    string CertFile,
    string KeyFile,
    string TrustedCaFile,
    string ClientCertAuth,
    string AutoTls,
    string AllowedHostname,
    string AllowedCn,
    string Urls,
    string AdvertiseUrls)
{
    public static readonly TlsFlags Client = new(
        TlsSide.Client, "--cert-file", "--key-file", "--trusted-ca-file", "--client-cert-auth", "--auto-tls",
        "--client-cert-allowed-hostname", "", "--listen-client-urls", "--advertise-client-urls");

    public static readonly TlsFlags Peer = new(
        TlsSide.Peer, "--peer-cert-file", "--peer-key-file", "--peer-trusted-ca-file", "--peer-client-cert-auth",
        "--peer-auto-tls", "--peer-cert-allowed-hostname", "--peer-cert-allowed-cn", "--listen-peer-urls",
        "--initial-advertise-peer-urls");

    public static TlsFlags For(TlsSide side) => side == TlsSide.Client ? Client : Peer;

    /// <summary>"client" or "peer", for messages.</summary>
    public string Noun => Side == TlsSide.Client ? "client" : "peer";
}

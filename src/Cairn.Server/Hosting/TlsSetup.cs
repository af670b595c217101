using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Cairn.Server.Configuration;
using Cairn.Server.Hosting.Tls;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Hosting;

/// <summary>
/// TLS for one side of a member (its client URLs or its peer URLs), built once at startup from etcd's flags:
/// the member's certificate (--cert-file/--key-file, or a generated one with --auto-tls), the CA that vouches for the
/// other end (--trusted-ca-file), whether client certificates are required, --*-cert-allowed-cn/hostname and
/// --cipher-suites. Every file problem stops startup with a <see cref="StartupException"/> naming the flag, the file
/// and the fix; a certificate that does not cover an advertised address is warned about at once, and each refused
/// handshake later is logged with the certificate file, the missing address and the fix.
/// <para>Use: <see cref="ConfigureHttps"/> on every https listener of the side; <see cref="PeerClientHandler"/> for
/// the HTTP/2 connections this member dials to its peers.</para>
/// </summary>
internal sealed partial class TlsSetup : IDisposable
{
    private readonly TlsFlags flags;
    private readonly TransportSecurity tls;
    private readonly RemoteVerifier verifier;
    private readonly CipherSuitesPolicy? ciphers;
    private readonly ILogger logger;
    private readonly LogThrottle throttle;
    private readonly TlsHandshakeMiddleware? server;

    private TlsSetup(TlsFlags flags, TransportSecurity tls, MemberCertificate? certificate, X509Certificate2Collection? roots,
        CipherSuitesPolicy? ciphers, ILogger logger, TimeProvider time)
    {
        this.flags = flags;
        this.tls = tls;
        Certificate = certificate;
        this.ciphers = ciphers;
        this.logger = logger;
        throttle = new LogThrottle(time, TimeSpan.FromSeconds(10));
        verifier = new RemoteVerifier(flags, tls, roots, certificate, time);
        server = certificate is null ? null : new TlsHandshakeMiddleware(flags, tls, certificate, verifier, ciphers, logger, time);
    }

    public TlsSide Side => flags.Side;

    /// <summary>The certificate this side presents; null when it has none (a peer side that only dials).</summary>
    public MemberCertificate? Certificate { get; }

    /// <summary>Whether https listeners of this side demand a client certificate.</summary>
    public bool RequiresClientCertificate => server?.RequiresClientCertificate ?? false;

    /// <summary>TLS for the client URLs; null when none is https (TLS flags then do nothing, as etcd warns).</summary>
    public static TlsSetup? ForClients(ServerConfig config, ILogger logger, TimeProvider? time = null)
    {
        var tls = config.ClientTransportSecurity;
        WarnPlainUrls(TlsFlags.Client, tls, config.ListenClientUrls, logger);
        if (!config.ListenClientUrls.Any(IsTls))
        {
            return null;
        }

        return Create(TlsSide.Client, tls, config.CipherSuites, Path.Combine(config.DataDir, "fixtures", "client"),
            config.ListenClientUrls, config.AdvertiseClientUrls, logger, time);
    }

    /// <summary>TLS for the peer URLs, both listening and dialing; null when no peer URL is https and no peer
    /// certificate is configured.</summary>
    public static TlsSetup? ForPeers(ServerConfig config, ILogger logger, TimeProvider? time = null)
    {
        var tls = config.PeerTransportSecurity;
        WarnPlainUrls(TlsFlags.Peer, tls, config.ListenPeerUrls, logger);
        var anyTls = config.ListenPeerUrls.Any(IsTls) || config.InitialCluster.Any(m => m.Value.Any(IsTls));
        if (!anyTls && tls.CertFile.Length == 0 && tls.KeyFile.Length == 0 && !tls.AutoTls)
        {
            return null;
        }

        return Create(TlsSide.Peer, tls, config.CipherSuites, Path.Combine(config.DataDir, "fixtures", "peer"),
            config.ListenPeerUrls, config.InitialAdvertisePeerUrls, logger, time);
    }

    /// <summary>Loads and checks everything for one side. <paramref name="autoTlsDir"/> receives the generated
    /// certificate with --auto-tls; <paramref name="listenUrls"/> give its hosts and say whether a certificate is
    /// needed; <paramref name="advertiseUrls"/> are checked against the certificate's SANs.</summary>
    public static TlsSetup Create(
        TlsSide side, TransportSecurity tls, IReadOnlyList<string> cipherSuites, string autoTlsDir,
        IReadOnlyList<Uri> listenUrls, IReadOnlyList<Uri> advertiseUrls, ILogger logger, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var flags = TlsFlags.For(side);
        var now = time.GetUtcNow();
        if (tls.AllowedCn.Length > 0 && tls.AllowedHostname.Length > 0)
        {
            throw new StartupException(
                $"{flags.AllowedCn} and {flags.AllowedHostname} are mutually exclusive (cn=\"{tls.AllowedCn}\", hostname=\"{tls.AllowedHostname}\"); set one");
        }

        if (tls.CrlFile.Length > 0)
        {
            throw new StartupException(
                $"--{(side == TlsSide.Client ? "client" : "peer")}-crl-file is not supported by this version of cairn; remove it");
        }

        var ciphers = GoCipherSuites.Policy(GoCipherSuites.Parse(cipherSuites));
        MemberCertificate? certificate = null;
        if (tls.CertFile.Length > 0 || tls.KeyFile.Length > 0)
        {
            if (tls.CertFile.Length == 0 || tls.KeyFile.Length == 0)
            {
                throw new StartupException(
                    $"{flags.CertFile} and {flags.KeyFile} must both be set (cert: \"{tls.CertFile}\", key: \"{tls.KeyFile}\")");
            }

            if (tls.AutoTls)
            {
                LogWarning(logger, flags.Noun, $"ignoring {flags.AutoTls} since certificates are given ({flags.CertFile} {tls.CertFile})");
            }

            certificate = CertificateFiles.LoadPair(tls.CertFile, tls.KeyFile, tls.TrustedCaFile, flags, now);
        }
        else if (tls.AutoTls)
        {
            certificate = SelfSignedCertificate.LoadOrCreate(autoTlsDir, listenUrls.Select(HostMatch.HostOf), flags, now);
            if (tls.ClientCertAuth || tls.TrustedCaFile.Length > 0)
            {
                LogWarning(logger, flags.Noun,
                    $"{flags.AutoTls} replaces {flags.ClientCertAuth} and {flags.TrustedCaFile}, as in etcd: client certificates are not checked");
            }
        }
        else if (listenUrls.FirstOrDefault(IsTls) is { } url)
        {
            throw new StartupException(
                $"TLS key/cert ({flags.CertFile}, {flags.KeyFile}) must be provided for {flags.Noun} url {url.OriginalString} with HTTPS scheme; " +
                $"give the member's certificate (the guide's etcd.pem and etcd-key.pem), or use {flags.AutoTls} for a self-signed one");
        }

        var roots = tls.TrustedCaFile.Length > 0 && certificate is not { SelfSigned: true }
            ? CertificateFiles.LoadCa(tls.TrustedCaFile, flags)
            : null;
        var setup = new TlsSetup(flags, tls, certificate, roots, ciphers, logger, time);
        setup.CheckOwnCertificate(advertiseUrls, now);
        return setup;
    }

    /// <summary>Serves TLS on an https listener (HTTP/1.1 and HTTP/2 by ALPN). Call it instead of the h2c detector.</summary>
    public void ConfigureHttps(ListenOptions listen)
    {
        var handshake = server ?? throw new InvalidOperationException($"{flags.Noun} TLS has no certificate to serve with");
        listen.Protocols = HttpProtocols.Http1AndHttp2;
        listen.Use(next => context => handshake.OnConnectionAsync(context, next));
    }

    /// <summary>A handler for dialing peers: presents this member's certificate (if any) and checks the peer's
    /// against --peer-trusted-ca-file and the host dialed. Set timeouts and keepalive on it as for h2c.</summary>
    public SocketsHttpHandler PeerClientHandler() => new() { SslOptions = PeerClientOptions() };

    /// <summary>The TLS options behind <see cref="PeerClientHandler"/>.</summary>
    public SslClientAuthenticationOptions PeerClientOptions()
    {
        var options = new SslClientAuthenticationOptions
        {
            ClientCertificateContext = Certificate?.Context,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = ValidatePeerServer,
        };
        if (ciphers is not null && OperatingSystem.IsLinux())
        {
            options.CipherSuitesPolicy = ciphers;
        }

        return options;
    }

    public void Dispose() => Certificate?.Dispose();

    private bool ValidatePeerServer(object sender, X509Certificate? cert, X509Chain? chain, SslPolicyErrors errors)
    {
        if (Certificate is { SelfSigned: true })
        {
            return true; // --peer-auto-tls: etcd dials with InsecureSkipVerify.
        }

        var host = (sender as SslStream)?.TargetHostName ?? "";
        Rejection? rejection;
        if (cert is null)
        {
            rejection = new Rejection("tls: the peer presented no certificate", "give every member a peer certificate");
        }
        else
        {
            using var owned = cert is X509Certificate2 ? null : X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
            rejection = verifier.VerifyServer(owned ?? (X509Certificate2)cert, chain, host);
        }

        if (rejection is not null && throttle.ShouldLog(host + rejection.Reason, out var suppressed))
        {
            LogPeerRefused(logger, host, rejection.Reason, rejection.Fix,
                suppressed == 0 ? "" : $" ({suppressed} more like this since the last report)");
        }

        return rejection is null;
    }

    /// <summary>Startup warnings about the member's own certificate: every advertised address must be a SAN (peers
    /// and clients dial those), and the certificate must allow the roles it plays.</summary>
    private void CheckOwnCertificate(IReadOnlyList<Uri> advertiseUrls, DateTimeOffset now)
    {
        if (Certificate is not { } own)
        {
            return;
        }

        var leaf = own.Leaf;
        if (!own.SelfSigned)
        {
            var missing = advertiseUrls.Where(IsTls).Select(HostMatch.HostOf)
                .Where(h => !HostMatch.Covers(leaf, h)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (missing.Count > 0)
            {
                LogWarning(logger, flags.Noun,
                    $"{flags.CertFile} {own.CertFile} does not cover {string.Join(", ", missing)} from {flags.AdvertiseUrls} " +
                    $"(its SANs: {own.SanText}); {(flags.Side == TlsSide.Peer ? "peers" : "clients")} dialing it will refuse it " +
                    $"(\"remote error: tls: bad certificate\" in this log); re-issue it: " +
                    Reissue.Hint(own.CertFile, own.KeyFile, leaf, missing, tls.TrustedCaFile));
            }

            var eku = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault()?.EnhancedKeyUsages
                .Cast<System.Security.Cryptography.Oid>().Select(o => o.Value).ToHashSet();
            if (eku is not null && !eku.Contains("2.5.29.37.0"))
            {
                var lacks = new List<string>();
                if (!eku.Contains(RemoteVerifier.ServerAuthOid))
                {
                    lacks.Add("server auth");
                }

                if (flags.Side == TlsSide.Peer && !eku.Contains(RemoteVerifier.ClientAuthOid))
                {
                    lacks.Add("client auth (it is also presented when dialing peers)");
                }

                if (lacks.Count > 0)
                {
                    LogWarning(logger, flags.Noun, $"{flags.CertFile} {own.CertFile} lacks the {string.Join(" and ", lacks)} usage; " +
                        "re-issue it with a profile that has both (the guide's \"kubernetes\" profile, or cairnctl pki issue --profile peer)");
                }
            }

            if (now.UtcDateTime < leaf.NotBefore.ToUniversalTime())
            {
                LogWarning(logger, flags.Noun, $"{flags.CertFile} {own.CertFile} is not valid before {CertificateFiles.Date(leaf.NotBefore)}: check this machine's clock");
            }
        }

        LogServing(logger, flags.Noun, own.CertFile, CertificateFiles.Describe(leaf), CertificateFiles.Date(leaf.NotAfter),
            RequiresClientCertificate
                ? "required, " + (tls.TrustedCaFile.Length > 0 ? "issued by " + tls.TrustedCaFile : "trusted by the system's CAs")
                : "not requested",
            ciphers is null ? "defaults" : "restricted by --cipher-suites");
    }

    private static void WarnPlainUrls(TlsFlags flags, TransportSecurity tls, IReadOnlyList<Uri> urls, ILogger logger)
    {
        var configured = tls.CertFile.Length > 0 || tls.ClientCertAuth;
        foreach (var url in urls.Where(u => !IsTls(u)))
        {
            if (configured)
            {
                LogWarning(logger, flags.Noun,
                    $"{flags.Urls} {url.OriginalString} is plain http: {flags.CertFile}, {flags.KeyFile} and {flags.ClientCertAuth} " +
                    "do not apply to it, and anyone who can reach it needs no certificate");
            }
        }
    }

    private static bool IsTls(Uri url) => url.Scheme is "https" or "unixs";

    [LoggerMessage(EventId = 610, Level = LogLevel.Warning, Message = "{Side} TLS: {Message}")]
    private static partial void LogWarning(ILogger logger, string side, string message);

    [LoggerMessage(EventId = 611, Level = LogLevel.Information,
        Message = "{Side} TLS: serving {CertFile} ({Certificate}, valid until {NotAfter}); client certificates {ClientCerts}; cipher suites {Ciphers}")]
    private static partial void LogServing(ILogger logger, string side, string certFile, string certificate, string notAfter, string clientCerts, string ciphers);

    [LoggerMessage(EventId = 612, Level = LogLevel.Warning,
        Message = "peer TLS: refused the certificate of the peer at {Host} (error \"{Error}\"); fix: {Fix}{Repeats}")]
    private static partial void LogPeerRefused(ILogger logger, string host, string error, string fix, string repeats);
}

using System.Net;
using System.Net.Security;
using Cairn.Server.Configuration;
using Cairn.Server.Hosting;
using Cairn.Server.Hosting.Tls;
using Cairn.Testing;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Tests.Hosting;

/// <summary>
/// <see cref="TlsSetup"/> on a real Kestrel listener, with cfssl's certificates (the guide's) and generated ones:
/// mutual TLS for HTTP/1.1 and HTTP/2, the real etcdctl's v2 cluster-health over it, and every refusal logged with its
/// reason and fix — another CA's client certificate, no client certificate, a plaintext client, and the guide's SAN
/// case (a certificate lacking the address dialed: "remote error: tls: bad certificate").
/// </summary>
[Collection("Processes")]
public sealed class TlsHandshakeTests : IDisposable
{
    private static readonly TimeSpan LogWait = TimeSpan.FromSeconds(10);
    private readonly TlsTestPki _pki = new();
    private readonly ListLogger _serverLog = new();
    private readonly ListLogger _dialerLog = new();

    public void Dispose() => _pki.Dispose();

    private TlsSetup Setup(TlsSide side, TransportSecurity tls, string ip = "127.0.0.1", IReadOnlyList<string>? ciphers = null, ListLogger? log = null)
    {
        Uri[] urls = [new($"https://{ip}:{(side == TlsSide.Client ? 2379 : 2380)}")];
        return TlsSetup.Create(side, tls, ciphers ?? [], _pki.PathOf("fixtures-" + side), urls, urls, log ?? _serverLog);
    }

    private async Task<PemPair> GuideCertificatesAsync() =>
        await _pki.CfsslAsync("ca", ("etcd", "127.0.0.1,localhost", "rsa"));

    private TransportSecurity Mutual(PemPair ca, string member = "etcd") => new()
    {
        CertFile = _pki.PathOf(member + ".pem"), KeyFile = _pki.PathOf(member + "-key.pem"), TrustedCaFile = ca.CertFile, ClientCertAuth = true,
    };

    private static Task WaitForLogAsync(ListLogger log, Func<string, bool> line, string what) =>
        Wait.UntilAsync(() => log.Lines.Any(line), LogWait, what + " in the log:" + Environment.NewLine + log);

    [Fact(Timeout = 60_000)]
    public async Task MutualTls_ServesHttp11AndHttp2_WithTheClientCertificate()
    {
        var ca = await GuideCertificatesAsync();
        using var tls = Setup(TlsSide.Client, Mutual(ca));
        await using var listener = await TlsListener.StartAsync(tls);
        var etcd = new PemPair(_pki.PathOf("etcd.pem"), _pki.PathOf("etcd-key.pem"));
        using var h1 = TlsListener.Client(ca.CertFile, etcd);
        Assert.Equal("HTTP/1.1 https etcd", await h1.GetStringAsync(listener.Endpoint + "/whoami"));
        using var h2 = TlsListener.Client(ca.CertFile, etcd, HttpVersion.Version20);
        Assert.Equal("HTTP/2 https etcd", await h2.GetStringAsync(listener.Endpoint + "/whoami"));
    }

    [Fact(Timeout = 60_000)]
    public async Task RealEtcdctlV2ClusterHealth_WorksOverMutualTls()
    {
        var ca = await GuideCertificatesAsync();
        using var tls = Setup(TlsSide.Client, Mutual(ca));
        await using var listener = await TlsListener.StartAsync(tls);
        var result = await ProcessRunner.RunAsync(
            ServerBinaryPath("etcdctl"),
            ["--endpoints", listener.Endpoint, "--ca-file", ca.CertFile, "--cert-file", _pki.PathOf("etcd.pem"), "--key-file", _pki.PathOf("etcd-key.pem"), "cluster-health"],
            new Dictionary<string, string?> { ["ETCDCTL_API"] = "2", ["ETCDCTL_ENDPOINTS"] = null });
        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal([$"member 8e9e05c52164694d is healthy: got healthy result from {listener.Endpoint}", "cluster is healthy"], result.Lines);
    }

    [Fact(Timeout = 60_000)]
    public async Task ClientCertificateFromAnotherCa_IsRefused_AndTheLogSaysWhy()
    {
        var ca = await GuideCertificatesAsync();
        await _pki.CfsslAsync("other", ("intruder", "127.0.0.1", "rsa"));
        using var tls = Setup(TlsSide.Client, Mutual(ca));
        await using var listener = await TlsListener.StartAsync(tls);
        using var client = TlsListener.Client(ca.CertFile, new PemPair(_pki.PathOf("intruder.pem"), _pki.PathOf("intruder-key.pem")));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetStringAsync(listener.Endpoint + "/whoami"));
        await WaitForLogAsync(_serverLog, l => l.Contains("client TLS: rejected connection from 127.0.0.1:", StringComparison.Ordinal)
            && l.Contains("x509: certificate signed by unknown authority", StringComparison.Ordinal)
            && l.Contains("a different CA with the same name", StringComparison.Ordinal)
            && l.Contains("--trusted-ca-file " + ca.CertFile, StringComparison.Ordinal), "the other-CA refusal");
    }

    [Fact(Timeout = 60_000)]
    public async Task NoClientCertificate_IsRefused_WhenClientCertAuthIsOn()
    {
        var ca = await GuideCertificatesAsync();
        using var tls = Setup(TlsSide.Client, Mutual(ca));
        await using var listener = await TlsListener.StartAsync(tls);
        using var client = TlsListener.Client(ca.CertFile, clientCert: null);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetStringAsync(listener.Endpoint + "/whoami"));
        await WaitForLogAsync(_serverLog, l => l.Contains("tls: client didn't provide a certificate", StringComparison.Ordinal)
            && l.Contains("etcdctl --cert/--key", StringComparison.Ordinal), "the missing-certificate refusal");
    }

    [Fact(Timeout = 60_000)]
    public async Task PlaintextClient_IsRefused_OnTheHttpsUrl()
    {
        var ca = await GuideCertificatesAsync();
        using var tls = Setup(TlsSide.Client, Mutual(ca));
        await using var listener = await TlsListener.StartAsync(tls);
        using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetStringAsync($"http://127.0.0.1:{listener.Url.Port}/whoami"));
        await WaitForLogAsync(_serverLog, l => l.Contains("tls: first record does not look like a TLS handshake", StringComparison.Ordinal)
            && l.Contains("must use https://", StringComparison.Ordinal), "the plaintext refusal");
    }

    /// <summary>The guide's warning: a member whose certificate lacks its own IP. Go's client (etcdctl) refuses it
    /// with "bad certificate"; the member's log names its file, the missing address and the commands that fix it.</summary>
    [Fact(Timeout = 60_000)]
    public async Task CertificateLackingTheDialedIp_GoClientRefusesIt_AndTheMemberLogsTheGuidesError()
    {
        var ca = await GuideCertificatesAsync();
        using var tls = Setup(TlsSide.Client, Mutual(ca), ip: "127.0.0.2");
        await using var listener = await TlsListener.StartAsync(tls, "127.0.0.2");
        var result = await ProcessRunner.RunAsync(
            ServerBinaryPath("etcdctl"),
            ["--endpoints", listener.Endpoint, "--ca-file", ca.CertFile, "--cert-file", _pki.PathOf("etcd.pem"), "--key-file", _pki.PathOf("etcd-key.pem"), "cluster-health"],
            new Dictionary<string, string?> { ["ETCDCTL_API"] = "2", ["ETCDCTL_ENDPOINTS"] = null });
        Assert.False(result.Succeeded);
        Assert.Contains("x509: certificate is valid for 127.0.0.1, not 127.0.0.2", result.Stdout + result.Stderr);
        await WaitForLogAsync(_serverLog, l => l.Contains("(error \"remote error: tls: bad certificate\"", StringComparison.Ordinal)
            && l.Contains("certificate " + _pki.PathOf("etcd.pem"), StringComparison.Ordinal)
            && l.Contains("do not include 127.0.0.2", StringComparison.Ordinal)
            && l.Contains("--hosts 127.0.0.1,localhost,127.0.0.2", StringComparison.Ordinal), "the bad-certificate report");
        Assert.Contains(_serverLog.At(LogLevel.Warning), l => l.Contains("does not cover 127.0.0.2 from --advertise-client-urls", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task PeerDialer_RefusesAPeerCertificateLackingTheDialedIp_NamingItAndTheFix()
    {
        var ca = await GuideCertificatesAsync();
        using var remote = Setup(TlsSide.Peer, Mutual(ca), ip: "127.0.0.2");
        await using var listener = await TlsListener.StartAsync(remote, "127.0.0.2");
        var dialerTls = new TransportSecurity
        {
            CertFile = _pki.PathOf("etcd.pem"), KeyFile = _pki.PathOf("etcd-key.pem"), TrustedCaFile = ca.CertFile, ClientCertAuth = true,
        };
        using var dialer = Setup(TlsSide.Peer, dialerTls, log: _dialerLog);
        using var http = new HttpClient(dialer.PeerClientHandler()) { Timeout = TimeSpan.FromSeconds(10) };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetStringAsync(listener.Endpoint + "/whoami"));
        var refused = Assert.Single(_dialerLog.At(LogLevel.Warning), l => l.Contains("refused the certificate of the peer at 127.0.0.2", StringComparison.Ordinal));
        Assert.Contains("x509: certificate is valid for 127.0.0.1, not 127.0.0.2", refused);
        Assert.Contains("re-issue the --peer-cert-file of the member at 127.0.0.2", refused);
        Assert.Contains("--hosts 127.0.0.1,localhost,127.0.0.2", refused);
        // .NET checks the server's certificate after its side of the handshake, then just closes: no alert to quote.
        await WaitForLogAsync(_serverLog, l => l.Contains("peer TLS: rejected connection from 127.0.0.1:", StringComparison.Ordinal)
            && l.Contains("closed the connection right after the TLS handshake", StringComparison.Ordinal)
            && l.Contains($"refused this member's certificate {_pki.PathOf("etcd.pem")}", StringComparison.Ordinal)
            && l.Contains("do not include 127.0.0.2", StringComparison.Ordinal), "the peer listener's report");
    }

    [Fact(Timeout = 60_000)]
    public async Task PeerDialer_WithAGoodCertificate_GetsThroughMutualTls()
    {
        var ca = _pki.Ca();
        _pki.Issue("etcd", ca, "127.0.0.1,127.0.0.2", TestKey.EcSec1);
        using var remote = Setup(TlsSide.Peer, Mutual(ca.Files), ip: "127.0.0.2");
        await using var listener = await TlsListener.StartAsync(remote, "127.0.0.2");
        using var dialer = Setup(TlsSide.Peer, Mutual(ca.Files), log: _dialerLog);
        var handler = dialer.PeerClientHandler();
        using var http = new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        Assert.Equal("HTTP/2 https etcd", await http.GetStringAsync(listener.Endpoint + "/whoami"));
        Assert.Empty(_dialerLog.At(LogLevel.Warning));
    }

    /// <summary>etcd's peer listener also checks that a peer's client certificate covers the address it comes from.</summary>
    [Fact(Timeout = 60_000)]
    public async Task PeerListener_RefusesAClientCertificateNotCoveringItsSourceAddress()
    {
        var ca = _pki.Ca();
        _pki.Issue("etcd", ca, "127.0.0.1,localhost");
        var stranger = _pki.Issue("stranger", ca, "127.0.0.9");
        using var remote = Setup(TlsSide.Peer, Mutual(ca.Files));
        await using var listener = await TlsListener.StartAsync(remote);
        using var client = TlsListener.Client(ca.Files.CertFile, stranger);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetStringAsync(listener.Endpoint + "/whoami"));
        await WaitForLogAsync(_serverLog, l => l.Contains("does not cover 127.0.0.1, the address it connects from", StringComparison.Ordinal)
            && l.Contains("x509: certificate is valid for 127.0.0.9, not 127.0.0.1", StringComparison.Ordinal), "the source-address refusal");
    }

    [Fact(Timeout = 60_000)]
    public async Task PeerCertAllowedCn_RefusesOtherCommonNames()
    {
        var ca = _pki.Ca();
        _pki.Issue("etcd", ca, "127.0.0.1");
        var other = _pki.Issue("other", ca, "127.0.0.1", cn: "someone");
        using var remote = Setup(TlsSide.Peer, Mutual(ca.Files) with { AllowedCn = "etcd" });
        await using var listener = await TlsListener.StartAsync(remote);
        using var good = TlsListener.Client(ca.Files.CertFile, new PemPair(_pki.PathOf("etcd.pem"), _pki.PathOf("etcd-key.pem")));
        Assert.Equal("HTTP/1.1 https etcd", await good.GetStringAsync(listener.Endpoint + "/whoami"));
        using var bad = TlsListener.Client(ca.Files.CertFile, other);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => bad.GetStringAsync(listener.Endpoint + "/whoami"));
        await WaitForLogAsync(_serverLog, l => l.Contains("common name \"someone\" is not --peer-cert-allowed-cn \"etcd\"", StringComparison.Ordinal), "the CN refusal");
    }

    [Fact(Timeout = 60_000)]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task CipherSuites_RestrictTls12()
    {
        var ca = _pki.Ca();
        _pki.Issue("etcd", ca, "127.0.0.1", TestKey.RsaPkcs1);
        using var tls = Setup(TlsSide.Client, Mutual(ca.Files), ciphers: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]);
        await using var listener = await TlsListener.StartAsync(tls);
        var cert = new PemPair(_pki.PathOf("etcd.pem"), _pki.PathOf("etcd-key.pem"));
        void Tls12(SslClientAuthenticationOptions o, TlsCipherSuite suite)
        {
            o.EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls12;
            o.CipherSuitesPolicy = new CipherSuitesPolicy([suite]);
        }

        using var allowed = TlsListener.Client(ca.Files.CertFile, cert, tweak: o => Tls12(o, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256));
        Assert.Equal("HTTP/1.1 https etcd", await allowed.GetStringAsync(listener.Endpoint + "/whoami"));
        using var refused = TlsListener.Client(ca.Files.CertFile, cert, tweak: o => Tls12(o, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => refused.GetStringAsync(listener.Endpoint + "/whoami"));
        using var tls13 = TlsListener.Client(ca.Files.CertFile, cert); // TLS 1.3 keeps its own suites, as in Go
        Assert.Equal("HTTP/1.1 https etcd", await tls13.GetStringAsync(listener.Endpoint + "/whoami"));
    }

    [Fact(Timeout = 60_000)]
    public async Task AutoTls_ServesASelfSignedCertificate_ThatPeerAutoTlsDialersAccept()
    {
        using var server = Setup(TlsSide.Peer, new TransportSecurity { AutoTls = true });
        await using var listener = await TlsListener.StartAsync(server);
        using var dialer = TlsSetup.Create(TlsSide.Peer, new TransportSecurity { AutoTls = true }, [], _pki.PathOf("dialer"),
            [new Uri("https://127.0.0.1:2381")], [new Uri("https://127.0.0.1:2381")], _dialerLog);
        using var http = new HttpClient(dialer.PeerClientHandler());
        Assert.Equal("HTTP/1.1 https ", await http.GetStringAsync(listener.Endpoint + "/whoami"));
        using var verifying = TlsListener.Client(_pki.PathOf(Path.Combine("fixtures-Peer", "cert.pem")), clientCert: null);
        Assert.StartsWith("HTTP/1.1 https", await verifying.GetStringAsync(listener.Endpoint + "/whoami"));
    }

    private static string ServerBinaryPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"'{name}' is not on PATH (apt-get install etcd-client)");
    }
}

using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Cairn.Server.Configuration;
using Cairn.Server.Hosting;
using Cairn.Server.Hosting.Tls;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Tests.Hosting;

/// <summary>
/// Loading a member's TLS settings: every key format cfssl, openssl and `cairnctl pki` write; each broken file stops
/// startup with the flag, the file and the fix; an advertised address missing from the SANs is warned about at once.
/// </summary>
public sealed class TlsSetupTests : IDisposable
{
    private static readonly Uri[] HttpsClient = [new("https://127.0.0.1:2379")];
    private readonly TlsTestPki _pki = new();
    private readonly ListLogger _log = new();

    public void Dispose() => _pki.Dispose();

    private TlsSetup Client(TransportSecurity tls, IReadOnlyList<string>? ciphers = null, IReadOnlyList<Uri>? advertise = null) =>
        TlsSetup.Create(TlsSide.Client, tls, ciphers ?? [], _pki.PathOf("fixtures"), HttpsClient, advertise ?? HttpsClient, _log);

    private TlsSetup Peer(TransportSecurity tls, IReadOnlyList<Uri> urls) =>
        TlsSetup.Create(TlsSide.Peer, tls, [], _pki.PathOf("fixtures-peer"), urls, urls, _log);

    [Theory]
    [InlineData(TestKey.RsaPkcs1)]
    [InlineData(TestKey.EcSec1)]
    [InlineData(TestKey.RsaPkcs8)]
    [InlineData(TestKey.EcPkcs8)]
    public void Create_ReadsEveryKeyFormat(TestKey kind)
    {
        var ca = _pki.Ca();
        var member = _pki.Issue("etcd", ca, "127.0.0.1,localhost", kind);
        using var setup = Client(new TransportSecurity { CertFile = member.CertFile, KeyFile = member.KeyFile, TrustedCaFile = ca.Files.CertFile });
        Assert.True(setup.Certificate!.Leaf.HasPrivateKey);
        Assert.True(setup.RequiresClientCertificate); // --trusted-ca-file alone requires client certificates, as in etcd 3.4
        Assert.Contains(_log.Lines, l => l.Contains("serving " + member.CertFile, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_ReadsTheGuidesCfsslFiles()
    {
        var ca = await _pki.CfsslAsync("ca", ("etcd", "127.0.0.1,localhost", "rsa"), ("etcd-ec", "127.0.0.1", "ecdsa"));
        foreach (var name in new[] { "etcd", "etcd-ec" })
        {
            using var setup = Client(new TransportSecurity
            {
                CertFile = _pki.PathOf(name + ".pem"), KeyFile = _pki.PathOf(name + "-key.pem"), TrustedCaFile = ca.CertFile, ClientCertAuth = true,
            });
            Assert.Equal("etcd", setup.Certificate!.Leaf.GetNameInfo(X509NameType.SimpleName, false));
        }

        Assert.DoesNotContain(_log.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal));
    }

    [Fact]
    public void Create_MissingCertFile_NamesFlagAndFile()
    {
        var e = Assert.Throws<StartupException>(() => Client(new TransportSecurity { CertFile = "/nonexistent/etcd.pem", KeyFile = "/nonexistent/etcd-key.pem" }));
        Assert.Contains("--cert-file /nonexistent/etcd.pem: no such file", e.Message);
    }

    [Fact]
    public void Create_MissingTrustedCa_NamesFlagAndFix()
    {
        var ca = _pki.Ca();
        var member = _pki.Issue("etcd", ca, "127.0.0.1");
        var e = Assert.Throws<StartupException>(() => Peer(
            new TransportSecurity { CertFile = member.CertFile, KeyFile = member.KeyFile, TrustedCaFile = _pki.PathOf("nope.pem") },
            [new Uri("https://127.0.0.1:2380")]));
        Assert.Contains("--peer-trusted-ca-file " + _pki.PathOf("nope.pem") + ": no such file", e.Message);
    }

    [Fact]
    public void Create_KeyOfAnotherCertificate_NamesBothFiles()
    {
        var ca = _pki.Ca();
        var one = _pki.Issue("one", ca, "127.0.0.1");
        var two = _pki.Issue("two", ca, "127.0.0.1");
        var e = Assert.Throws<StartupException>(() => Client(new TransportSecurity { CertFile = one.CertFile, KeyFile = two.KeyFile }));
        Assert.Contains($"--key-file {two.KeyFile} does not belong to --cert-file {one.CertFile}", e.Message);
    }

    [Fact]
    public void Create_EcKeyForRsaCertificate_IsAMismatch()
    {
        var ca = _pki.Ca();
        var rsa = _pki.Issue("rsa", ca, "127.0.0.1", TestKey.RsaPkcs1);
        var ec = _pki.Issue("ec", ca, "127.0.0.1", TestKey.EcSec1);
        var e = Assert.Throws<StartupException>(() => Client(new TransportSecurity { CertFile = rsa.CertFile, KeyFile = ec.KeyFile }));
        Assert.Contains("does not belong to", e.Message);
    }

    [Fact]
    public void Create_SwappedCertAndKey_SaysSo()
    {
        var ca = _pki.Ca();
        var member = _pki.Issue("etcd", ca, "127.0.0.1");
        var e = Assert.Throws<StartupException>(() => Client(new TransportSecurity { CertFile = member.KeyFile, KeyFile = member.CertFile }));
        Assert.Contains("did you swap --cert-file and --key-file?", e.Message);
    }

    [Fact]
    public void Create_ExpiredCertificate_IsRefusedWithTheReissueCommand()
    {
        var ca = _pki.Ca();
        var now = DateTimeOffset.UtcNow;
        var member = _pki.Issue("etcd", ca, "127.0.0.1,localhost", notBefore: now.AddDays(-60), notAfter: now.AddDays(-1));
        var e = Assert.Throws<StartupException>(() => Client(new TransportSecurity { CertFile = member.CertFile, KeyFile = member.KeyFile, TrustedCaFile = ca.Files.CertFile }));
        Assert.Contains($"--cert-file {member.CertFile} expired on", e.Message);
        Assert.Contains("cairnctl pki issue", e.Message);
        Assert.Contains("--hosts 127.0.0.1,localhost", e.Message);
    }

    [Fact]
    public void Create_HttpsUrlWithoutCertificate_IsRefusedAsEtcdDoes()
    {
        var e = Assert.Throws<StartupException>(() => Client(new TransportSecurity()));
        Assert.Contains("TLS key/cert (--cert-file, --key-file) must be provided for client url https://127.0.0.1:2379 with HTTPS scheme", e.Message);
        Assert.Contains("--auto-tls", e.Message);
    }

    [Fact]
    public void Create_AllowedCnAndHostname_AreMutuallyExclusive()
    {
        var e = Assert.Throws<StartupException>(() => Peer(
            new TransportSecurity { AutoTls = true, AllowedCn = "etcd", AllowedHostname = "etcd.example" }, [new Uri("https://127.0.0.1:2380")]));
        Assert.Contains("--peer-cert-allowed-cn and --peer-cert-allowed-hostname are mutually exclusive", e.Message);
    }

    [Fact]
    public void Create_CrlFile_IsRefusedRatherThanIgnored()
    {
        var e = Assert.Throws<StartupException>(() => Client(new TransportSecurity { AutoTls = true, CrlFile = "revoked.crl" }));
        Assert.Contains("--client-crl-file is not supported", e.Message);
    }

    [Fact]
    public void Create_UnknownCipherSuite_IsRefusedNamingIt()
    {
        var e = Assert.Throws<StartupException>(() => Client(new TransportSecurity { AutoTls = true }, ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_MADE_UP"]));
        Assert.Contains("unexpected TLS cipher suite \"TLS_MADE_UP\"", e.Message);
    }

    [Fact]
    public void GoCipherSuites_EveryGoNameMaps_AndTls13IsAlwaysOffered()
    {
        var parsed = GoCipherSuites.Parse(["TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]);
        Assert.Equal(
            [TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, .. GoCipherSuites.Tls13],
            parsed);
        Assert.Equal(27, GoCipherSuites.ByName.Count);
        Assert.Empty(GoCipherSuites.Parse([]));
    }

    [Fact]
    public void Create_AdvertisedIpMissingFromSans_WarnsWithFileAddressAndFix()
    {
        var ca = _pki.Ca();
        var member = _pki.Issue("etcd", ca, "127.0.0.1,localhost");
        using var setup = Peer(
            new TransportSecurity { CertFile = member.CertFile, KeyFile = member.KeyFile, TrustedCaFile = ca.Files.CertFile, ClientCertAuth = true },
            [new Uri("https://127.0.0.2:2380")]);
        var warning = Assert.Single(_log.At(LogLevel.Warning));
        Assert.Contains($"--peer-cert-file {member.CertFile} does not cover 127.0.0.2 from --initial-advertise-peer-urls", warning);
        Assert.Contains("remote error: tls: bad certificate", warning);
        Assert.Contains("--hosts 127.0.0.1,localhost,127.0.0.2", warning);
        Assert.Contains("\"hosts\":[\"127.0.0.1\",\"localhost\",\"127.0.0.2\"]", warning);
    }

    [Fact]
    public void Create_ClientOnlyCertificateForPeers_WarnsAboutUsage()
    {
        var ca = _pki.Ca();
        var member = _pki.Issue("etcd", ca, "127.0.0.1", usages: ["1.3.6.1.5.5.7.3.2"]);
        using var setup = Peer(new TransportSecurity { CertFile = member.CertFile, KeyFile = member.KeyFile }, [new Uri("https://127.0.0.1:2380")]);
        Assert.Contains(_log.At(LogLevel.Warning), l => l.Contains("lacks the server auth usage", StringComparison.Ordinal));
    }

    [Fact]
    public void AutoTls_WritesASelfSignedCertificateForTheListenHosts_AndReusesIt()
    {
        var tls = new TransportSecurity { AutoTls = true, ClientCertAuth = true };
        string thumbprint;
        using (var first = Client(tls))
        {
            Assert.True(first.Certificate!.SelfSigned);
            Assert.False(first.RequiresClientCertificate); // etcd's --auto-tls replaces the client CA settings
            Assert.Equal("IP:127.0.0.1", first.Certificate.SanText);
            Assert.Equal(_pki.PathOf(Path.Combine("fixtures", "cert.pem")), first.Certificate.CertFile);
            Assert.StartsWith("-----BEGIN EC PRIVATE KEY-----", File.ReadAllText(first.Certificate.KeyFile));
            thumbprint = first.Certificate.Leaf.Thumbprint;
        }

        using var second = Client(tls);
        Assert.Equal(thumbprint, second.Certificate!.Leaf.Thumbprint);
        Assert.Contains(_log.At(LogLevel.Warning), l => l.Contains("--auto-tls replaces --client-cert-auth", StringComparison.Ordinal));
    }

    [Fact]
    public void PeerSideWithoutTls_IsNull_AndPlainUrlsWithCertificatesAreWarnedAbout()
    {
        var config = new ServerConfig();
        Assert.Null(TlsSetup.ForPeers(config, _log));
        Assert.Null(TlsSetup.ForClients(config with { ClientTransportSecurity = new TransportSecurity { CertFile = "x.pem", KeyFile = "x-key.pem" } }, _log));
        Assert.Contains(_log.At(LogLevel.Warning), l => l.Contains("--listen-client-urls http://localhost:2379 is plain http", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.0.0.2", false)]
    [InlineData("localhost", true)]
    [InlineData("LOCALHOST.", true)]
    [InlineData("a.etcd.example", true)]
    [InlineData("a.b.etcd.example", false)]
    [InlineData("etcd", false)] // the common name is never used
    public void HostMatch_FollowsGo(string host, bool covered)
    {
        var ca = _pki.Ca();
        using var cert = _pki.Issue("etcd", ca, "127.0.0.1,localhost,*.etcd.example").Load();
        Assert.Equal(covered, HostMatch.Covers(cert, host));
    }

    [Fact]
    public void HostMatch_GoHostnameError_ReadsLikeGo()
    {
        var ca = _pki.Ca();
        using var cert = _pki.Issue("etcd", ca, "127.0.0.1,localhost").Load();
        Assert.Equal("x509: certificate is valid for 127.0.0.1, not 127.0.0.3", HostMatch.GoHostnameError(cert, "127.0.0.3"));
        Assert.Equal("x509: certificate is valid for localhost, not etcd3", HostMatch.GoHostnameError(cert, "etcd3"));
    }

    [Theory]
    [InlineData("error:0A000412:SSL routines::sslv3 alert bad certificate", "bad certificate")]
    [InlineData("error:0A000418:SSL routines::tlsv1 alert unknown ca", "unknown certificate authority")]
    [InlineData("error:0A00045C:SSL routines::tlsv13 alert certificate required", "certificate required")]
    [InlineData("Received an unexpected EOF or 0 bytes from the transport stream.", null)]
    public void RemoteAlert_NamesOpenSslAlertsAsGoDoes(string inner, string? expected)
    {
        var e = new System.Security.Authentication.AuthenticationException("Authentication failed", new IOException(inner));
        Assert.Equal(expected, TlsHandshakeMiddleware.RemoteAlert(e));
    }
}

using System.Net;
using System.Security.Cryptography.X509Certificates;
using Cairn.Ctl.Pki;

namespace Cairn.Ctl.Tests.Pki;

public sealed class CertificateFactoryTests
{
    [Fact]
    public void CreateCa_IsASelfSignedCertificateAuthority()
    {
        using var files = new PkiTestFiles();
        var (ca, _) = files.Ca();
        Assert.Equal(ca.Subject, ca.Issuer);
        var constraints = ca.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(constraints.CertificateAuthority);
        Assert.True(ca.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
        Assert.StartsWith("-----BEGIN EC PRIVATE KEY-----", File.ReadAllText(files.Path_("ca-key.pem")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(files.Path_("ca-key.pem")));
        }
    }

    [Fact]
    public void Issue_PeerProfile_HasSansBothAuthUsagesAndChainsToTheCa()
    {
        using var files = new PkiTestFiles();
        var ca = files.Ca();
        var leaf = files.Leaf("etcd", ca, "etcd1.example,10.0.0.1,::1");
        var san = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["etcd1.example"], san.EnumerateDnsNames());
        Assert.Equal([IPAddress.Parse("10.0.0.1"), IPAddress.IPv6Loopback], san.EnumerateIPAddresses());
        var ekus = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value);
        Assert.Equal([CertificateFactory.ServerAuthOid, CertificateFactory.ClientAuthOid], ekus);
        Assert.False(leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca.Cert);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(leaf));
    }

    [Theory]
    [InlineData("rsa", "native", "-----BEGIN RSA PRIVATE KEY-----")]
    [InlineData("ecdsa", "native", "-----BEGIN EC PRIVATE KEY-----")]
    [InlineData("rsa", "pkcs8", "-----BEGIN PRIVATE KEY-----")]
    [InlineData("ecdsa", "pkcs8", "-----BEGIN PRIVATE KEY-----")]
    public void Issue_KeyFormats_AreWrittenAndReadBack(string algorithmName, string formatName, string header)
    {
        var algorithm = KeyOptionNames.ParseAlgorithm(algorithmName);
        var format = KeyOptionNames.ParseFormat(formatName);
        using var files = new PkiTestFiles();
        var ca = files.Ca(algorithm: KeyAlgorithm.Rsa2048);
        var leaf = files.Leaf("member", ca, "127.0.0.1", algorithm: algorithm, format: format);
        Assert.StartsWith(header, File.ReadAllText(files.Path_("member-key.pem")));
        using var loaded = X509Certificate2.CreateFromPemFile(files.Path_("member.pem"), files.Path_("member-key.pem"));
        Assert.True(loaded.HasPrivateKey);
        Assert.Equal(leaf.Thumbprint, loaded.Thumbprint);
        using var key = PemFiles.ReadPrivateKey(files.Path_("member-key.pem"));
        Assert.Equal(algorithm == KeyAlgorithm.Rsa2048 ? "RSA" : "ECDsa", key is System.Security.Cryptography.RSA ? "RSA" : "ECDsa");
    }

    [Fact]
    public void Write_ExistingFile_IsNotReplacedWithoutForce()
    {
        using var files = new PkiTestFiles();
        files.Ca();
        var before = File.ReadAllText(files.Path_("ca.pem"));
        using var key = CertificateFactory.NewKey(KeyAlgorithm.EcdsaP256);
        using var other = CertificateFactory.CreateCa(CertificateFactory.Subject("x"), key, TimeSpan.FromDays(1), DateTimeOffset.UtcNow);
        Assert.Throws<IOException>(() => PemFiles.Write(files.Path_("ca.pem"), files.Path_("ca-key.pem"), other, key, KeyFormat.Native, overwrite: false));
        Assert.Equal(before, File.ReadAllText(files.Path_("ca.pem")));
    }

    [Fact]
    public void HostList_SplitsDnsNamesAndIps()
    {
        var hosts = HostList.Parse(["a.example,10.0.0.1", " ::1 ,a.example"]);
        Assert.Equal(["a.example"], hosts.DnsNames);
        Assert.Equal([IPAddress.Parse("10.0.0.1"), IPAddress.IPv6Loopback], hosts.Addresses);
        Assert.Throws<FormatException>(() => HostList.Parse(["bad host!"]));
        Assert.Equal("10.0.0.1", HostList.HostOf("https://10.0.0.1:2380"));
        Assert.Equal("::1", HostList.HostOf("https://[::1]:2379"));
    }
}

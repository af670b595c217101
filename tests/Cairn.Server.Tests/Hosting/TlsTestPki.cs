using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cairn.Testing;

namespace Cairn.Server.Tests.Hosting;

/// <summary>How a test key is written: the PEM labels cfssl, openssl and `cairnctl pki` produce.</summary>
public enum TestKey
{
    RsaPkcs1,
    EcSec1,
    RsaPkcs8,
    EcPkcs8,
}

/// <summary>A certificate and key written as NAME.pem and NAME-key.pem.</summary>
public sealed record PemPair(string CertFile, string KeyFile)
{
    public X509Certificate2 Load() => X509Certificate2.CreateFromPemFile(CertFile, KeyFile);
}

/// <summary>
/// Certificates for TLS tests, in a temp folder: a CA and the leaves it signs, shaped like cfssl's (CA:false,
/// digitalSignature/keyEncipherment, server and client auth, SANs), in every key format members must read; and the
/// guide's own cfssl invocation for the real thing.
/// </summary>
public sealed class TlsTestPki : IDisposable
{
    private readonly TempDir _dir = new();

    public string Dir => _dir.Path;

    public string PathOf(string name) => _dir.Sub(name);

    /// <summary>A self-signed CA as NAME.pem / NAME-key.pem.</summary>
    public (X509Certificate2 Cert, ECDsa Key, PemPair Files) Ca(string name = "ca", string cn = "kubernetes")
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={cn}, O=k8s", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        var cert = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));
        var files = new PemPair(PathOf(name + ".pem"), PathOf(name + "-key.pem"));
        File.WriteAllText(files.CertFile, cert.ExportCertificatePem() + "\n");
        File.WriteAllText(files.KeyFile, key.ExportECPrivateKeyPem() + "\n");
        return (cert, key, files);
    }

    /// <summary>A leaf signed by <paramref name="ca"/> for <paramref name="hosts"/> (comma-separated IPs and names).</summary>
    public PemPair Issue(
        string name, (X509Certificate2 Cert, ECDsa Key, PemPair Files) ca, string hosts, TestKey keyKind = TestKey.RsaPkcs1,
        string cn = "etcd", DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, string[]? usages = null)
    {
        using AsymmetricAlgorithm key = keyKind is TestKey.RsaPkcs1 or TestKey.RsaPkcs8 ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = key is RSA rsa
            ? new CertificateRequest($"CN={cn}, O=k8s", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest($"CN={cn}, O=k8s", (ECDsa)key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        var ekus = new OidCollection();
        foreach (var oid in usages ?? ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"])
        {
            ekus.Add(new Oid(oid));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(ekus, false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPAddress.TryParse(host, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(host);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = 0x42;
        using var cert = request.Create(ca.Cert.SubjectName, X509SignatureGenerator.CreateForECDsa(ca.Key),
            notBefore ?? now.AddMinutes(-5), notAfter ?? now.AddDays(30), serial);
        var files = new PemPair(PathOf(name + ".pem"), PathOf(name + "-key.pem"));
        File.WriteAllText(files.CertFile, cert.ExportCertificatePem() + "\n");
        File.WriteAllText(files.KeyFile, keyKind switch
        {
            TestKey.RsaPkcs1 => ((RSA)key).ExportRSAPrivateKeyPem(),
            TestKey.EcSec1 => ((ECDsa)key).ExportECPrivateKeyPem(),
            _ => key.ExportPkcs8PrivateKeyPem(),
        } + "\n");
        return files;
    }

    /// <summary>The guide's commands: `cfssl gencert -initca` for NAME, then a "kubernetes"-profile leaf per entry.</summary>
    public async Task<PemPair> CfsslAsync(string caName, params (string Name, string Hosts, string Algo)[] leaves)
    {
        File.WriteAllText(PathOf("ca-config.json"),
            """{"signing":{"default":{"expiry":"8760h"},"profiles":{"kubernetes":{"usages":["signing","key encipherment","server auth","client auth"],"expiry":"8760h"}}}}""");
        File.WriteAllText(PathOf(caName + "-csr.json"),
            """{"CN":"kubernetes","key":{"algo":"rsa","size":2048},"names":[{"C":"CN","O":"k8s","OU":"System"}]}""");
        await ShellAsync($"cfssl gencert -initca {caName}-csr.json | cfssljson -bare {caName}");
        foreach (var (name, hosts, algo) in leaves)
        {
            var list = string.Join(",", hosts.Split(',').Select(h => $"\"{h}\""));
            var size = algo == "rsa" ? 2048 : 256;
            File.WriteAllText(PathOf(name + "-csr.json"),
                $$"""{"CN":"etcd","hosts":[{{list}}],"key":{"algo":"{{algo}}","size":{{size}}},"names":[{"C":"CN","O":"k8s","OU":"System"}]}""");
            await ShellAsync($"cfssl gencert -ca={caName}.pem -ca-key={caName}-key.pem -config=ca-config.json -profile=kubernetes {name}-csr.json | cfssljson -bare {name}");
        }

        return new PemPair(PathOf(caName + ".pem"), PathOf(caName + "-key.pem"));
    }

    public void Dispose() => _dir.Dispose();

    private async Task ShellAsync(string command)
    {
        var result = await ProcessRunner.RunAsync("/bin/sh", ["-c", $"cd '{Dir}' && {command}"], timeout: TimeSpan.FromSeconds(60));
        result.EnsureSuccess();
    }
}

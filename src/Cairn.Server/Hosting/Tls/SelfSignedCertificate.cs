using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cairn.Server.Hosting.Tls;

/// <summary>
/// --auto-tls / --peer-auto-tls, as etcd does it: a self-signed certificate for the hosts of the member's listen
/// URLs (ECDSA P-521, O=etcd, valid one year, server and client auth), written to
/// <c>{data-dir}/fixtures/client|peer/cert.pem</c> and <c>key.pem</c> on first start and reused afterwards.
/// Nobody verifies it: it encrypts, it does not authenticate.
/// </summary>
internal static class SelfSignedCertificate
{
    private static readonly TimeSpan Validity = TimeSpan.FromDays(365);

    public static MemberCertificate LoadOrCreate(string dir, IEnumerable<string> hosts, TlsFlags flags, DateTimeOffset now)
    {
        var certFile = Path.Combine(dir, "cert.pem");
        var keyFile = Path.Combine(dir, "key.pem");
        if (File.Exists(certFile) && File.Exists(keyFile))
        {
            try
            {
                return CertificateFiles.LoadPair(certFile, keyFile, null, flags, now, selfSigned: true);
            }
            catch (StartupException)
            {
                // Expired or damaged: make a new one, as a fresh data dir would.
            }
        }

        Directory.CreateDirectory(dir);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        var request = new CertificateRequest(new X500DistinguishedName("O=etcd"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var san = new SubjectAlternativeNameBuilder();
        var any = false;
        foreach (var host in hosts.Select(h => h.Trim('[', ']')).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (IPAddress.TryParse(host, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(host);
            }

            any = true;
        }

        if (any)
        {
            request.CertificateExtensions.Add(san.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        serial[0] |= 0x01;
        using var cert = request.Create(request.SubjectName, X509SignatureGenerator.CreateForECDsa(key), now, now + Validity, serial);
        File.WriteAllText(certFile, cert.ExportCertificatePem() + "\n");
        WritePrivate(keyFile, key.ExportECPrivateKeyPem() + "\n");
        var withKey = cert.CopyWithPrivateKey(key);
        return new MemberCertificate(withKey, [], certFile, keyFile, selfSigned: true);
    }

    private static void WritePrivate(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }
}

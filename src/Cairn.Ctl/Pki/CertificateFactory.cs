using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cairn.Ctl.Pki;

/// <summary>
/// Makes a CA and the certificates it signs, shaped like cfssl's: a self-signed CA (basicConstraints CA:true,
/// keyCertSign/cRLSign), and leaf certificates with CA:false, digitalSignature/keyEncipherment, the profile's extended
/// key usages, subject and authority key identifiers, and SANs for every host. Serial numbers are 128 random bits.
/// </summary>
internal static class CertificateFactory
{
    public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    /// <summary>Backdating that tolerates clock skew between the issuing machine and the members.</summary>
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

    public static AsymmetricAlgorithm NewKey(KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.Rsa2048 => RSA.Create(2048),
        _ => ECDsa.Create(ECCurve.NamedCurves.nistP256),
    };

    public static X509Certificate2 CreateCa(X500DistinguishedName subject, AsymmetricAlgorithm key, TimeSpan validity, DateTimeOffset now)
    {
        var request = Request(subject, key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        var ski = new X509SubjectKeyIdentifierExtension(request.PublicKey, false);
        request.CertificateExtensions.Add(ski);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(ski));
        return request.Create(subject, Generator(key), now - Skew, now + validity, Serial());
    }

    /// <summary>Issues a certificate for <paramref name="hosts"/>, signed by <paramref name="ca"/> with <paramref name="caKey"/>.</summary>
    public static X509Certificate2 Issue(
        X500DistinguishedName subject, AsymmetricAlgorithm key, HostList hosts, CertificateProfile profile,
        X509Certificate2 ca, AsymmetricAlgorithm caKey, TimeSpan validity, DateTimeOffset now)
    {
        var request = Request(subject, key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var usage = X509KeyUsageFlags.DigitalSignature | (key is RSA ? X509KeyUsageFlags.KeyEncipherment : 0);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        var ekus = new OidCollection();
        if (profile != CertificateProfile.Client)
        {
            ekus.Add(new Oid(ServerAuthOid));
        }

        if (profile != CertificateProfile.Server)
        {
            ekus.Add(new Oid(ClientAuthOid));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(ekus, false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (!hosts.IsEmpty)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var dns in hosts.DnsNames)
            {
                san.AddDnsName(dns);
            }

            foreach (var ip in hosts.Addresses)
            {
                san.AddIpAddress(ip);
            }

            request.CertificateExtensions.Add(san.Build());
        }

        var notAfter = now + validity;
        if (notAfter > ca.NotAfter)
        {
            notAfter = ca.NotAfter;
        }

        using var certificate = request.Create(ca.SubjectName, Generator(caKey), now - Skew, notAfter, Serial());
        return X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

    /// <summary>A subject from a common name and optional O/OU/C (as cfssl's "names").</summary>
    public static X500DistinguishedName Subject(string commonName, string? organization = null, string? unit = null, string? country = null)
    {
        var builder = new X500DistinguishedNameBuilder();
        if (!string.IsNullOrEmpty(country))
        {
            builder.AddCountryOrRegion(country);
        }

        if (!string.IsNullOrEmpty(organization))
        {
            builder.AddOrganizationName(organization);
        }

        if (!string.IsNullOrEmpty(unit))
        {
            builder.AddOrganizationalUnitName(unit);
        }

        builder.AddCommonName(commonName);
        return builder.Build();
    }

    private static CertificateRequest Request(X500DistinguishedName subject, AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
        _ => throw new NotSupportedException($"key type {key.GetType().Name}"),
    };

    private static X509SignatureGenerator Generator(AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
        ECDsa ec => X509SignatureGenerator.CreateForECDsa(ec),
        _ => throw new NotSupportedException($"key type {key.GetType().Name}"),
    };

    /// <summary>A positive 128-bit serial, DER-encoded as an INTEGER's content bytes.</summary>
    private static byte[] Serial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        if (serial[0] == 0)
        {
            serial[0] = 0x01;
        }

        return serial;
    }
}

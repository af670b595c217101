using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cairn.Server.Hosting.Tls;

/// <summary>
/// Reads PEM files as cfssl, openssl and `cairnctl pki` write them: certificates (the leaf first, then any
/// intermediates) and an unencrypted RSA or EC private key in PKCS#1 ("RSA PRIVATE KEY"), SEC1 ("EC PRIVATE KEY") or
/// PKCS#8 ("PRIVATE KEY"). Every failure is a <see cref="StartupException"/> naming the flag, the file and the fix.
/// </summary>
internal static class CertificateFiles
{
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";

    /// <summary>The member's certificate and key. An expired certificate is refused: every peer and client would
    /// refuse it anyway, with a less helpful message.</summary>
    public static MemberCertificate LoadPair(
        string certFile, string keyFile, string? caFile, TlsFlags flags, DateTimeOffset now, bool selfSigned = false)
    {
        var certificates = ReadCertificates(certFile, flags.CertFile, $"did you swap {flags.CertFile} and {flags.KeyFile}?");
        var leaf = certificates[0];
        if (now.UtcDateTime > leaf.NotAfter.ToUniversalTime())
        {
            throw new StartupException(
                $"{flags.CertFile} {certFile} expired on {Date(leaf.NotAfter)} ({Describe(leaf)}); " +
                $"re-issue it: {Reissue.Hint(certFile, keyFile, leaf, [], caFile)}");
        }

        using var key = ReadPrivateKey(keyFile, leaf, certFile, flags);
        var withKey = key switch
        {
            RSA rsa => leaf.CopyWithPrivateKey(rsa),
            ECDsa ec => leaf.CopyWithPrivateKey(ec),
            _ => throw new StartupException($"{flags.KeyFile} {keyFile}: unsupported key type {key.GetType().Name}; use an RSA or ECDSA key"),
        };
        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < certificates.Count; i++)
        {
            intermediates.Add(certificates[i]);
        }

        leaf.Dispose();
        return new MemberCertificate(withKey, intermediates, certFile, keyFile, selfSigned);
    }

    /// <summary>The CA certificates in --trusted-ca-file / --peer-trusted-ca-file.</summary>
    public static X509Certificate2Collection LoadCa(string caFile, TlsFlags flags) =>
        ReadCertificates(caFile, flags.TrustedCaFile,
            "give the CA certificate that signed the members' and clients' certificates (cfssl's ca.pem, or `cairnctl pki init`)");

    public static string Describe(X509Certificate2 cert) =>
        $"subject \"{cert.Subject}\", issuer \"{cert.Issuer}\", SANs: {HostMatch.SanText(cert)}";

    public static string Date(DateTime time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static X509Certificate2Collection ReadCertificates(string path, string flag, string fix)
    {
        var text = ReadText(path, flag);
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(text);
        }
        catch (CryptographicException e)
        {
            throw new StartupException($"{flag} {path}: a CERTIFICATE block in it is malformed ({e.Message}); {fix}");
        }

        if (certificates.Count == 0)
        {
            throw new StartupException($"{flag} {path}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it; {fix}");
        }

        return certificates;
    }

    private static AsymmetricAlgorithm ReadPrivateKey(string keyFile, X509Certificate2 leaf, string certFile, TlsFlags flags)
    {
        var text = ReadText(keyFile, flags.KeyFile);
        var labels = PemLabels(text);
        if (labels.Contains("ENCRYPTED PRIVATE KEY"))
        {
            throw new StartupException(
                $"{flags.KeyFile} {keyFile}: the key is encrypted, which etcd and cairn do not support; " +
                $"write it unencrypted (openssl pkey -in {keyFile} -out {keyFile}.plain) and keep it readable by the member only");
        }

        var label = labels.FirstOrDefault(l => l is "RSA PRIVATE KEY" or "EC PRIVATE KEY" or "PRIVATE KEY");
        if (label is null)
        {
            var swapped = labels.Contains("CERTIFICATE") ? $"; it holds a certificate: did you swap {flags.CertFile} and {flags.KeyFile}?" : "";
            throw new StartupException(
                $"{flags.KeyFile} {keyFile}: no PEM private key (RSA PRIVATE KEY, EC PRIVATE KEY or PRIVATE KEY) in it{swapped}");
        }

        var mismatch = $"{flags.KeyFile} {keyFile} does not belong to {flags.CertFile} {certFile} ({Describe(leaf)}): " +
            "give the key written together with that certificate (cfssljson -bare etcd writes etcd.pem and etcd-key.pem; " +
            "`cairnctl pki issue --name etcd` writes the same pair)";
        AsymmetricAlgorithm? key = null;
        var algorithm = leaf.GetKeyAlgorithm();
        try
        {
            if (algorithm == RsaOid)
            {
                var rsa = RSA.Create();
                key = rsa;
                rsa.ImportFromPem(text);
            }
            else if (algorithm == EcOid)
            {
                var ec = ECDsa.Create();
                key = ec;
                ec.ImportFromPem(text);
            }
            else
            {
                throw new StartupException(
                    $"{flags.CertFile} {certFile}: its key algorithm ({algorithm}) is not supported; issue an RSA or ECDSA certificate");
            }
        }
        catch (CryptographicException)
        {
            // An EC key read as RSA (or the reverse) fails here: the pair does not match.
            key?.Dispose();
            throw new StartupException(mismatch);
        }
        catch (ArgumentException)
        {
            // The file holds a private key, but none of the certificate's algorithm (an EC key for an RSA certificate).
            key?.Dispose();
            throw new StartupException(mismatch);
        }

        var mine = key switch
        {
            RSA rsa => rsa.ExportSubjectPublicKeyInfo(),
            ECDsa ec => ec.ExportSubjectPublicKeyInfo(),
            _ => [],
        };
        if (!mine.AsSpan().SequenceEqual(leaf.PublicKey.ExportSubjectPublicKeyInfo()))
        {
            key.Dispose();
            throw new StartupException(mismatch);
        }

        return key;
    }

    private static string ReadText(string path, string flag)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new StartupException($"{flag} {path}: no such file; copy it there or fix the path (the guide keeps them in /etc/kubernetes/ssl/)");
        }
        catch (UnauthorizedAccessException)
        {
            throw new StartupException($"{flag} {path}: permission denied; the user running cairn must be able to read it (chown/chmod)");
        }
        catch (IOException e)
        {
            throw new StartupException($"{flag} {path}: cannot be read: {e.Message}");
        }
    }

    private static List<string> PemLabels(string text)
    {
        var labels = new List<string>();
        var rest = text.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            labels.Add(rest[fields.Label].ToString());
            rest = rest[fields.Location.End..];
        }

        return labels;
    }
}

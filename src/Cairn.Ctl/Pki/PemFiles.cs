using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cairn.Ctl.Pki;

/// <summary>Reading and writing the PEM files of the guide's layout (ca.pem, ca-key.pem, etcd.pem, etcd-key.pem).</summary>
internal static class PemFiles
{
    /// <summary>Writes a certificate (mode 0644) and its key (mode 0600), refusing to overwrite unless told to.</summary>
    public static void Write(string certPath, string keyPath, X509Certificate2 certificate, AsymmetricAlgorithm key, KeyFormat format, bool overwrite)
    {
        foreach (var path in new[] { certPath, keyPath })
        {
            if (File.Exists(path) && !overwrite)
            {
                throw new IOException($"{path} already exists (use --force to replace it)");
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(certPath))!);
        WriteText(keyPath, KeyPem(key, format), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        WriteText(certPath, certificate.ExportCertificatePem() + "\n",
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    public static string KeyPem(AsymmetricAlgorithm key, KeyFormat format) => (key, format) switch
    {
        (_, KeyFormat.Pkcs8) => key.ExportPkcs8PrivateKeyPem() + "\n",
        (ECDsa ec, _) => ec.ExportECPrivateKeyPem() + "\n",
        (RSA rsa, _) => rsa.ExportRSAPrivateKeyPem() + "\n",
        _ => throw new NotSupportedException($"key type {key.GetType().Name}"),
    };

    /// <summary>Every certificate in a PEM (or DER) file, in order.</summary>
    public static X509Certificate2Collection ReadCertificates(string path)
    {
        var collection = new X509Certificate2Collection();
        var text = File.ReadAllText(path);
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            collection.ImportFromPem(text);
        }
        else
        {
            collection.Add(X509CertificateLoader.LoadCertificate(File.ReadAllBytes(path)));
        }

        return collection.Count > 0 ? collection : throw new CryptographicException($"{path} holds no certificate");
    }

    /// <summary>An unencrypted private key in PKCS#1, SEC1 or PKCS#8 PEM, as RSA or ECDsa.</summary>
    public static AsymmetricAlgorithm ReadPrivateKey(string path)
    {
        var text = File.ReadAllText(path);
        if (text.Contains("ENCRYPTED", StringComparison.Ordinal))
        {
            throw new CryptographicException($"{path} is encrypted; etcd needs an unencrypted key");
        }

        var pem = PemEncoding.Find(text);
        var label = text[pem.Label];
        AsymmetricAlgorithm key = label switch
        {
            "RSA PRIVATE KEY" => RSA.Create(),
            "EC PRIVATE KEY" => ECDsa.Create(),
            "PRIVATE KEY" => Pkcs8Algorithm(Convert.FromBase64String(text[pem.Base64Data])),
            _ => throw new CryptographicException($"{path}: unexpected PEM block \"{label}\" (want a private key)"),
        };
        key.ImportFromPem(text);
        return key;
    }

    private static AsymmetricAlgorithm Pkcs8Algorithm(byte[] der)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportPkcs8PrivateKey(der, out _);
            return RSA.Create();
        }
        catch (CryptographicException)
        {
            rsa.Dispose();
        }

        var ec = ECDsa.Create();
        try
        {
            ec.ImportPkcs8PrivateKey(der, out _);
            return ECDsa.Create();
        }
        catch (CryptographicException)
        {
            ec.Dispose();
            throw new CryptographicException("unsupported PKCS#8 private key (want RSA or ECDSA)");
        }
        finally
        {
            ec.Dispose();
        }
    }

    private static void WriteText(string path, string text, UnixFileMode mode)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, mode);
        }

        File.Move(temp, path, overwrite: true);
    }
}

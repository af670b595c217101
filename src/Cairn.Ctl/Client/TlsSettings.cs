using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Cairn.Ctl.Cli;

namespace Cairn.Ctl.Client;

/// <summary>
/// The client side of TLS from etcdctl's flags: --cert/--key present the client certificate, --cacert replaces the
/// system roots for verifying the server, --insecure-skip-tls-verify accepts any server certificate.
/// </summary>
internal static class TlsSettings
{
    public static SslClientAuthenticationOptions ClientOptions(ClientSettings settings)
    {
        var options = new SslClientAuthenticationOptions();
        if (settings.CertFile.Length > 0 || settings.KeyFile.Length > 0)
        {
            if (settings.CertFile.Length == 0 || settings.KeyFile.Length == 0)
            {
                throw CtlException.BadArgs("--cert and --key must be given together");
            }

            options.ClientCertificates = [LoadClientCertificate(settings.CertFile, settings.KeyFile)];
        }

        if (settings.ServerName.Length > 0)
        {
            options.TargetHost = settings.ServerName;
        }

        X509Certificate2Collection? roots = null;
        if (settings.TrustedCaFile.Length > 0)
        {
            roots = [];
            try
            {
                roots.ImportFromPemFile(settings.TrustedCaFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                throw CtlException.BadArgs($"open {settings.TrustedCaFile}: {e.Message}");
            }
        }

        var skipVerify = settings.InsecureSkipTlsVerify;
        options.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            skipVerify || Verify(certificate as X509Certificate2, chain, errors, roots);
        return options;
    }

    private static X509Certificate2 LoadClientCertificate(string certFile, string keyFile)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certFile, keyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw CtlException.BadArgs($"tls: failed to load client certificate {certFile} / {keyFile}: {e.Message}");
        }
    }

    private static bool Verify(X509Certificate2? certificate, X509Chain? presented, SslPolicyErrors errors, X509Certificate2Collection? roots)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        if (roots is null)
        {
            return errors == SslPolicyErrors.None;
        }

        // Verify against --cacert only, like Go's tls.Config{RootCAs: pool}.
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                if (!element.Certificate.RawData.AsSpan().SequenceEqual(certificate.RawData))
                {
                    chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }
        }

        return chain.Build(certificate);
    }
}

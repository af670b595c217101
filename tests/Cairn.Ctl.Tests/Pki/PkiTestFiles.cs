using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cairn.Ctl.Pki;

namespace Cairn.Ctl.Tests.Pki;

/// <summary>A temporary folder with a CA and certificates made by <see cref="CertificateFactory"/>.</summary>
internal sealed class PkiTestFiles : IDisposable
{
    public PkiTestFiles()
    {
        Directory.CreateDirectory(Dir);
    }

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "cairnctl-pki-" + Guid.NewGuid().ToString("N")[..10]);

    public string Path_(string name) => Path.Combine(Dir, name);

    /// <summary>Writes NAME.pem / NAME-key.pem for a new CA.</summary>
    public (X509Certificate2 Cert, AsymmetricAlgorithm Key) Ca(string name = "ca", KeyAlgorithm algorithm = KeyAlgorithm.EcdsaP256, TimeSpan? validity = null, DateTimeOffset? now = null)
    {
        var key = CertificateFactory.NewKey(algorithm);
        var cert = CertificateFactory.CreateCa(CertificateFactory.Subject("Test CA " + name), key, validity ?? TimeSpan.FromDays(365), now ?? DateTimeOffset.UtcNow);
        PemFiles.Write(Path_(name + ".pem"), Path_(name + "-key.pem"), cert, key, KeyFormat.Native, overwrite: true);
        return (cert, key);
    }

    public X509Certificate2 Leaf(
        string name, (X509Certificate2 Cert, AsymmetricAlgorithm Key) ca, string hosts, CertificateProfile profile = CertificateProfile.Peer,
        KeyAlgorithm algorithm = KeyAlgorithm.EcdsaP256, KeyFormat format = KeyFormat.Native, TimeSpan? validity = null, DateTimeOffset? now = null)
    {
        using var key = CertificateFactory.NewKey(algorithm);
        var cert = CertificateFactory.Issue(CertificateFactory.Subject(name), key, HostList.Parse([hosts]), profile, ca.Cert, ca.Key,
            validity ?? TimeSpan.FromDays(90), now ?? DateTimeOffset.UtcNow);
        PemFiles.Write(Path_(name + ".pem"), Path_(name + "-key.pem"), cert, key, format, overwrite: true);
        return cert;
    }

    public void Dispose()
    {
        if (Directory.Exists(Dir))
        {
            Directory.Delete(Dir, recursive: true);
        }
    }
}

using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cairn.Ctl.Pki;

/// <summary>One verdict of `pki check`: what was checked, whether it passed, why, and how to fix it.</summary>
internal sealed record Finding(bool Ok, string Subject, string Detail, string? Fix = null);

/// <summary>What `pki check` is asked: the certificate, its key and CA (optional), the URLs and hosts it must serve.</summary>
internal sealed record FitRequest
{
    public required string CertPath { get; init; }

    public string? KeyPath { get; init; }

    public string? CaPath { get; init; }

    public IReadOnlyList<string> Urls { get; init; } = [];

    public HostList Hosts { get; init; } = new([], []);

    public CertificateProfile Profile { get; init; } = CertificateProfile.Peer;

    /// <summary>Expiry closer than this is reported (not a failure).</summary>
    public TimeSpan WarnBefore { get; init; } = TimeSpan.FromDays(30);
}

/// <summary>
/// Tells whether a certificate fits a member, as Go's crypto/tls and etcd judge it: the chain to the CA, the validity
/// window, key usage and extended key usage for the roles it plays, and a SAN for every host and IP of its URLs (Go
/// never falls back to the common name, and an IP must be an IP SAN). Each failure carries the command that fixes it.
/// </summary>
internal static class FitCheck
{
    public static IReadOnlyList<Finding> Run(FitRequest request, DateTimeOffset now)
    {
        var findings = new List<Finding>();
        var certificates = PemFiles.ReadCertificates(request.CertPath);
        var cert = certificates[0];
        var certName = Path.GetFileName(request.CertPath);
        var sans = SubjectAltNames(cert);
        var reissue = ReissueHint(request, cert, sans);

        // Validity window.
        if (now < cert.NotBefore)
        {
            findings.Add(new Finding(false, "validity", $"not valid before {Date(cert.NotBefore)} (now {Date(now.UtcDateTime)})",
                "check the clocks of the issuing machine and the members, or re-issue: " + reissue));
        }
        else if (now > cert.NotAfter)
        {
            findings.Add(new Finding(false, "validity", $"expired on {Date(cert.NotAfter)}", "re-issue it: " + reissue));
        }
        else
        {
            var left = cert.NotAfter - now.UtcDateTime;
            findings.Add(new Finding(true, "validity", $"valid until {Date(cert.NotAfter)} ({(int)left.TotalDays} days left)"
                + (left < request.WarnBefore ? " - expires soon, plan to re-issue" : "")));
        }

        // Key usage (digital signature is what a TLS handshake needs).
        var keyUsage = cert.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (keyUsage is not null && !keyUsage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature) && !keyUsage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyEncipherment))
        {
            findings.Add(new Finding(false, "key usage", $"{keyUsage.KeyUsages} allows neither digitalSignature nor keyEncipherment", "re-issue it: " + reissue));
        }
        else
        {
            findings.Add(new Finding(true, "key usage", keyUsage is null ? "no key usage extension (any use)" : keyUsage.KeyUsages.ToString()));
        }

        // Extended key usage for the roles the certificate plays.
        var eku = cert.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        var ekus = eku?.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).ToHashSet() ?? [];
        var anyUsage = eku is null || ekus.Contains("2.5.29.37.0");
        var missing = new List<string>();
        if (request.Profile != CertificateProfile.Client && !anyUsage && !ekus.Contains(CertificateFactory.ServerAuthOid))
        {
            missing.Add("server auth (members present it to clients and peers)");
        }

        if (request.Profile != CertificateProfile.Server && !anyUsage && !ekus.Contains(CertificateFactory.ClientAuthOid))
        {
            missing.Add("client auth (members present it when they dial peers; clients present it with --client-cert-auth)");
        }

        findings.Add(missing.Count == 0
            ? new Finding(true, "extended key usage", anyUsage ? "any (no restriction)" : string.Join(", ", ekus.Select(EkuName)))
            : new Finding(false, "extended key usage", "missing " + string.Join(" and ", missing), "re-issue it with the right profile: " + reissue));

        // Hosts: every URL's host and every --hosts entry must be a SAN.
        var targets = request.Urls.Select(u => (Label: u, Host: HostList.HostOf(u)))
            .Concat(request.Hosts.DnsNames.Select(h => (Label: h, Host: h)))
            .Concat(request.Hosts.Addresses.Select(a => (Label: a.ToString(), Host: a.ToString())));
        foreach (var (label, host) in targets)
        {
            findings.Add(Covers(sans, host)
                ? new Finding(true, label, $"{host} is in the SANs")
                : new Finding(false, label, IPAddress.TryParse(host, out _)
                    ? $"{host} is not an IP SAN of {certName} (SANs: {SanText(sans)}); peers and clients dialing {host} reject it"
                    : $"{host} is not a DNS SAN of {certName} (SANs: {SanText(sans)}); Go ignores the common name",
                    $"re-issue it with every address the member is reached at: {reissue}"));
        }

        if (request.CaPath is { } caPath)
        {
            findings.Add(Chain(cert, certificates, caPath, now, reissue));
        }

        if (request.KeyPath is { } keyPath)
        {
            findings.Add(KeyMatches(cert, keyPath));
        }

        return findings;
    }

    public static string Describe(X509Certificate2 cert) =>
        $"subject {cert.Subject}, issuer {cert.Issuer}, serial {cert.SerialNumber.ToLowerInvariant()}, SANs: {SanText(SubjectAltNames(cert))}";

    /// <summary>The certificate's SANs as "DNS:x" / "IP:y".</summary>
    public static List<string> SubjectAltNames(X509Certificate2 cert)
    {
        var result = new List<string>();
        foreach (var ext in cert.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            result.AddRange(ext.EnumerateDnsNames().Select(d => "DNS:" + d));
            result.AddRange(ext.EnumerateIPAddresses().Select(ip => "IP:" + ip));
        }

        return result;
    }

    private static bool Covers(List<string> sans, string host)
    {
        if (IPAddress.TryParse(host, out var ip))
        {
            return sans.Any(s => s.StartsWith("IP:", StringComparison.Ordinal) && IPAddress.TryParse(s[3..], out var san) && san.Equals(ip));
        }

        host = host.TrimEnd('.').ToLowerInvariant();
        foreach (var san in sans.Where(s => s.StartsWith("DNS:", StringComparison.Ordinal)).Select(s => s[4..].ToLowerInvariant()))
        {
            if (san == host)
            {
                return true;
            }

            // A wildcard covers exactly one leftmost label.
            if (san.StartsWith("*.", StringComparison.Ordinal) && host.IndexOf('.', StringComparison.Ordinal) is var dot and > 0 && host[(dot + 1)..] == san[2..])
            {
                return true;
            }
        }

        return false;
    }

    private static Finding Chain(X509Certificate2 cert, X509Certificate2Collection presented, string caPath, DateTimeOffset now, string reissue)
    {
        var roots = PemFiles.ReadCertificates(caPath);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        for (var i = 1; i < presented.Count; i++)
        {
            chain.ChainPolicy.ExtraStore.Add(presented[i]);
        }

        if (chain.Build(cert))
        {
            var root = chain.ChainElements[^1].Certificate;
            return new Finding(true, "chain", $"signed by {Path.GetFileName(caPath)} ({root.Subject})");
        }

        var problems = chain.ChainStatus.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).ToList();
        var caNames = string.Join("; ", roots.Select(r => r.Subject));
        if (problems.Any(p => p is X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain))
        {
            return new Finding(false, "chain", $"issued by \"{cert.Issuer}\", which {Path.GetFileName(caPath)} ({caNames}) does not vouch for",
                $"issue it with the CA the members trust (--trusted-ca-file / --peer-trusted-ca-file): {reissue}");
        }

        if (problems.Contains(X509ChainStatusFlags.NotTimeValid) && cert.NotAfter > now.UtcDateTime && cert.NotBefore < now.UtcDateTime)
        {
            return new Finding(false, "chain", $"the CA in {Path.GetFileName(caPath)} is outside its validity window", "renew the CA (cairnctl pki init) and re-issue every certificate");
        }

        return new Finding(false, "chain", "does not verify against " + Path.GetFileName(caPath) + ": " + string.Join(", ", problems),
            $"re-issue it from that CA: {reissue}");
    }

    private static Finding KeyMatches(X509Certificate2 cert, string keyPath)
    {
        AsymmetricAlgorithm key;
        try
        {
            key = PemFiles.ReadPrivateKey(keyPath);
        }
        catch (Exception e) when (e is CryptographicException or IOException or ArgumentException)
        {
            return new Finding(false, "private key", $"{Path.GetFileName(keyPath)} cannot be loaded: {e.Message}",
                "give the unencrypted PEM key written with the certificate (PKCS#1, SEC1 or PKCS#8)");
        }

        using (key)
        {
            var mine = key switch
            {
                RSA rsa => rsa.ExportSubjectPublicKeyInfo(),
                ECDsa ec => ec.ExportSubjectPublicKeyInfo(),
                _ => [],
            };
            return mine.AsSpan().SequenceEqual(cert.PublicKey.ExportSubjectPublicKeyInfo())
                ? new Finding(true, "private key", $"{Path.GetFileName(keyPath)} matches the certificate")
                : new Finding(false, "private key", $"{Path.GetFileName(keyPath)} belongs to another certificate",
                    "pair the certificate with the key file written next to it (NAME.pem with NAME-key.pem)");
        }
    }

    private static string ReissueHint(FitRequest request, X509Certificate2 cert, List<string> sans)
    {
        var hosts = sans.Select(s => s[(s.IndexOf(':', StringComparison.Ordinal) + 1)..])
            .Concat(request.Urls.Select(HostList.HostOf))
            .Concat(request.Hosts.DnsNames)
            .Concat(request.Hosts.Addresses.Select(a => a.ToString()))
            .Distinct(StringComparer.OrdinalIgnoreCase);
        var name = Path.GetFileNameWithoutExtension(request.CertPath);
        var ca = request.CaPath ?? "ca.pem";
        var caKey = Path.Combine(Path.GetDirectoryName(ca) ?? "", Path.GetFileNameWithoutExtension(ca) + "-key.pem");
        var cn = cert.GetNameInfo(X509NameType.SimpleName, false);
        var profile = request.Profile.ToString().ToLowerInvariant();
        return $"cairnctl pki issue --ca {ca} --ca-key {caKey} --cn {cn} --profile {profile} --hosts {string.Join(',', hosts)} --name {name}";
    }

    private static string SanText(List<string> sans) => sans.Count == 0 ? "none" : string.Join(", ", sans);

    private static string EkuName(string? oid) => oid switch
    {
        CertificateFactory.ServerAuthOid => "server auth",
        CertificateFactory.ClientAuthOid => "client auth",
        _ => oid ?? "?",
    };

    private static string Date(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}

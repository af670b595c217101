using System.Security.Cryptography.X509Certificates;
using Cairn.Server.Configuration;

namespace Cairn.Server.Hosting.Tls;

/// <summary>Why a certificate was refused, in Go's words where etcd would print them, and what fixes it.</summary>
internal sealed record Rejection(string Reason, string Fix)
{
    public override string ToString() => $"{Reason}; fix: {Fix}";
}

/// <summary>
/// Judges the certificate the other end presents, as Go's crypto/tls does for etcd: the chain must end at a CA of
/// the trusted-ca file (the system's roots when none is given, as in Go), the leaf must allow the role it plays
/// (client auth for a client certificate, server auth for a server's), a server's certificate must cover the host
/// dialed, and --peer-cert-allowed-cn / --*-cert-allowed-hostname must match when set (etcd applies them in both
/// directions). Returns null for a good certificate, else the <see cref="Rejection"/>.
/// </summary>
internal sealed class RemoteVerifier(TlsFlags flags, TransportSecurity tls, X509Certificate2Collection? roots, MemberCertificate? own, TimeProvider time)
{
    public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
    private const string AnyUsageOid = "2.5.29.37.0";

    /// <summary>A client's certificate, seen by this member's server side.</summary>
    public Rejection? VerifyClient(X509Certificate2 cert, X509Chain? presented) =>
        VerifyChain(cert, presented, client: true) ?? VerifyUsage(cert, ClientAuthOid) ?? VerifyAllowed(cert);

    /// <summary>A peer's server certificate, seen when this member dials <paramref name="host"/>.</summary>
    public Rejection? VerifyServer(X509Certificate2 cert, X509Chain? presented, string host) =>
        VerifyChain(cert, presented, client: false) ?? VerifyUsage(cert, ServerAuthOid) ?? VerifyHost(cert, host) ?? VerifyAllowed(cert);

    private Rejection? VerifyChain(X509Certificate2 cert, X509Chain? presented, bool client)
    {
        var now = time.GetUtcNow().UtcDateTime;
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (roots is not null)
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        }

        if (presented is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            foreach (var element in presented.ChainElements.Skip(1))
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (chain.Build(cert))
        {
            return null;
        }

        var status = chain.ChainStatus.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).ToHashSet();
        var whose = client ? "the client's certificate" : "the peer's certificate";
        if (status.Contains(X509ChainStatusFlags.NotTimeValid) && (now > cert.NotAfter.ToUniversalTime() || now < cert.NotBefore.ToUniversalTime()))
        {
            var when = now > cert.NotAfter.ToUniversalTime()
                ? $"current time {CertificateFiles.Date(now)} is after {CertificateFiles.Date(cert.NotAfter)}"
                : $"current time {CertificateFiles.Date(now)} is before {CertificateFiles.Date(cert.NotBefore)}";
            return new Rejection($"x509: certificate has expired or is not yet valid: {when} ({CertificateFiles.Describe(cert)})",
                $"re-issue {whose} (or check the clocks)");
        }

        if (status.Contains(X509ChainStatusFlags.UntrustedRoot) || status.Contains(X509ChainStatusFlags.PartialChain))
        {
            var trusted = roots is null
                ? "the system's CAs (no " + flags.TrustedCaFile + " is set)"
                : $"{flags.TrustedCaFile} {tls.TrustedCaFile} ({string.Join("; ", roots.Select(r => r.Subject))})";
            var sameName = roots is not null && roots.Any(r => r.SubjectName.RawData.AsSpan().SequenceEqual(cert.IssuerName.RawData))
                ? ", a different CA with the same name"
                : "";
            var fix = client
                ? $"issue the client's certificate from the CA in {flags.TrustedCaFile} (e.g. cairnctl pki issue --ca {CaOrDefault} --profile client, " +
                  $"or cfssl gencert -ca={CaOrDefault} ...), or add its CA to {flags.TrustedCaFile}"
                : $"issue every member's certificate from the CA in this member's {flags.TrustedCaFile} {CaOrDefault}, or add the peer's CA to it";
            return new Rejection(
                $"x509: certificate signed by unknown authority: issuer \"{cert.Issuer}\"{sameName} is not trusted by {trusted}", fix);
        }

        return new Rejection($"x509: {string.Join(", ", status)} ({CertificateFiles.Describe(cert)})", $"re-issue {whose} from the CA in {CaOrDefault}");
    }

    private static Rejection? VerifyUsage(X509Certificate2 cert, string usage)
    {
        var eku = cert.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (eku is null)
        {
            return null;
        }

        var oids = eku.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value).ToHashSet();
        if (oids.Contains(usage) || oids.Contains(AnyUsageOid))
        {
            return null;
        }

        var role = usage == ClientAuthOid ? "client auth" : "server auth";
        return new Rejection(
            $"x509: certificate specifies an incompatible key usage: it lacks {role} ({CertificateFiles.Describe(cert)})",
            $"re-issue it with the \"{role}\" usage (cfssl: a profile whose usages list \"{role}\", like the guide's \"kubernetes\"; " +
            "cairnctl pki issue --profile peer gives both)");
    }

    private Rejection? VerifyHost(X509Certificate2 cert, string host)
    {
        if (HostMatch.Covers(cert, host))
        {
            return null;
        }

        var example = own is null ? "" : $" (in the guide's layout every member uses the same file; this member's is {own.CertFile})";
        var hint = Reissue.Hint(own?.CertFile ?? "etcd.pem", own?.KeyFile ?? "etcd-key.pem", cert, [host.Trim('[', ']')], tls.TrustedCaFile);
        return new Rejection(
            $"{HostMatch.GoHostnameError(cert, host)}: the peer's certificate ({CertificateFiles.Describe(cert)}) does not list {host} in its SANs",
            $"re-issue the {flags.CertFile} of the member at {host} with {host} in its hosts{example}: {hint}");
    }

    private Rejection? VerifyAllowed(X509Certificate2 cert)
    {
        if (tls.AllowedCn.Length > 0)
        {
            var cn = cert.GetNameInfo(X509NameType.SimpleName, false);
            if (cn != tls.AllowedCn)
            {
                return new Rejection(
                    $"client certificate authentication failed: common name \"{cn}\" is not {flags.AllowedCn} \"{tls.AllowedCn}\"",
                    $"issue the certificate with CN \"{tls.AllowedCn}\", or change {flags.AllowedCn}");
            }
        }

        if (tls.AllowedHostname.Length > 0 && !HostMatch.Covers(cert, tls.AllowedHostname))
        {
            return new Rejection(
                $"client certificate authentication failed: {HostMatch.GoHostnameError(cert, tls.AllowedHostname)} ({flags.AllowedHostname})",
                $"issue the certificate with {tls.AllowedHostname} in its hosts, or change {flags.AllowedHostname}");
        }

        return null;
    }

    private string CaOrDefault => tls.TrustedCaFile.Length > 0 ? tls.TrustedCaFile : "ca.pem";
}

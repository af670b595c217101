using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Cairn.Server.Hosting.Tls;

/// <summary>
/// Whether a certificate covers a host, as Go's crypto/x509 VerifyHostname decides (which is what etcd and etcdctl
/// apply): an IP must be one of the IP SANs; a name must match a DNS SAN exactly or through a leading "*." wildcard
/// of one label; the common name is never used.
/// </summary>
internal static class HostMatch
{
    public static List<IPAddress> IpSans(X509Certificate2 cert) =>
        [.. cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateIPAddresses())];

    public static List<string> DnsSans(X509Certificate2 cert) =>
        [.. cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames())];

    /// <summary>"IP:127.0.0.1, DNS:localhost", or "none".</summary>
    public static string SanText(X509Certificate2 cert)
    {
        var all = IpSans(cert).Select(ip => "IP:" + ip).Concat(DnsSans(cert).Select(d => "DNS:" + d)).ToList();
        return all.Count == 0 ? "none" : string.Join(", ", all);
    }

    /// <summary>The bare host of a URL or "host:port" ("[::1]:2380" gives "::1").</summary>
    public static string HostOf(Uri url) => url.Host.Trim('[', ']');

    public static bool Covers(X509Certificate2 cert, string host)
    {
        host = host.Trim('[', ']');
        if (IPAddress.TryParse(host, out var ip))
        {
            return IpSans(cert).Any(san => Same(san, ip));
        }

        host = host.TrimEnd('.').ToLowerInvariant();
        foreach (var san in DnsSans(cert).Select(d => d.TrimEnd('.').ToLowerInvariant()))
        {
            if (san == host)
            {
                return true;
            }

            if (san.StartsWith("*.", StringComparison.Ordinal) && host.IndexOf('.', StringComparison.Ordinal) is var dot and > 0
                && host[(dot + 1)..] == san[2..])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Go's x509.HostnameError text, e.g. "x509: certificate is valid for 127.0.0.1, localhost, not 127.0.0.2".</summary>
    public static string GoHostnameError(X509Certificate2 cert, string host)
    {
        host = host.Trim('[', ']');
        if (IPAddress.TryParse(host, out _))
        {
            var ips = IpSans(cert);
            return ips.Count == 0
                ? $"x509: cannot validate certificate for {host} because it doesn't contain any IP SANs"
                : $"x509: certificate is valid for {string.Join(", ", ips)}, not {host}";
        }

        var names = DnsSans(cert);
        return names.Count == 0
            ? "x509: certificate is not valid for any names, but wanted to match " + host
            : $"x509: certificate is valid for {string.Join(", ", names)}, not {host}";
    }

    /// <summary>
    /// etcd's check of a peer's client certificate against the address the connection comes from: a certificate
    /// without SANs passes; otherwise the address must be an IP SAN, or one of its DNS SANs must resolve to it (or the
    /// address must reverse-resolve to one of them). Returns null when covered, else the reason.
    /// </summary>
    public static async Task<string?> CheckRemoteAddressAsync(X509Certificate2 cert, IPAddress remote, CancellationToken ct)
    {
        var ips = IpSans(cert);
        var names = DnsSans(cert);
        if (ips.Count == 0 && names.Count == 0)
        {
            return null;
        }

        if (ips.Any(ip => Same(ip, remote)))
        {
            return null;
        }

        if (names.Count == 0)
        {
            return GoHostnameError(cert, remote.ToString());
        }

        foreach (var name in names.Where(n => !n.StartsWith("*.", StringComparison.Ordinal)))
        {
            try
            {
                var addresses = await Dns.GetHostAddressesAsync(name, ct).ConfigureAwait(false);
                if (addresses.Any(a => Same(a, remote)))
                {
                    return null;
                }
            }
            catch (SocketException)
            {
                // An unresolvable name covers nothing.
            }
        }

        try
        {
            var entry = await Dns.GetHostEntryAsync(remote.ToString(), ct).ConfigureAwait(false);
            if (entry.Aliases.Prepend(entry.HostName).Any(n => Covers(cert, n)))
            {
                return null;
            }
        }
        catch (SocketException)
        {
            // No reverse record.
        }

        return $"tls: \"{remote}\" does not match any of DNSNames [{string.Join(" ", names.Select(n => $"\"{n}\""))}]" +
            (ips.Count > 0 ? $" nor IP SANs [{string.Join(" ", ips)}]" : "");
    }

    private static bool Same(IPAddress a, IPAddress b) =>
        (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Equals(b.IsIPv4MappedToIPv6 ? b.MapToIPv4() : b);
}

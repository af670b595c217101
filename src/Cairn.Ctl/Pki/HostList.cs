using System.Net;

namespace Cairn.Ctl.Pki;

/// <summary>The names a certificate must cover: DNS names and IP addresses, from --hosts or from member URLs.</summary>
internal sealed record HostList(IReadOnlyList<string> DnsNames, IReadOnlyList<IPAddress> Addresses)
{
    /// <summary>Comma-separated hosts ("etcd1,10.0.0.1,::1"); duplicates are dropped, order is kept.</summary>
    public static HostList Parse(IEnumerable<string> values)
    {
        var dns = new List<string>();
        var ips = new List<IPAddress>();
        foreach (var host in values.SelectMany(v => v.Split(',')).Select(h => h.Trim().Trim('[', ']')).Where(h => h.Length > 0))
        {
            if (IPAddress.TryParse(host, out var ip))
            {
                if (!ips.Contains(ip))
                {
                    ips.Add(ip);
                }
            }
            else if (!dns.Contains(host, StringComparer.OrdinalIgnoreCase))
            {
                if (Uri.CheckHostName(host) != UriHostNameType.Dns && !host.StartsWith("*.", StringComparison.Ordinal))
                {
                    throw new FormatException($"{host} is neither an IP address nor a DNS name");
                }

                dns.Add(host.ToLowerInvariant());
            }
        }

        return new HostList(dns, ips);
    }

    /// <summary>The host of a URL such as https://10.0.0.1:2380 (or a bare host:port).</summary>
    public static string HostOf(string url)
    {
        var text = url.Contains("://", StringComparison.Ordinal) ? url : "https://" + url;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri)
            ? uri.Host.Trim('[', ']')
            : throw new FormatException($"{url} is not a URL");
    }

    public bool IsEmpty => DnsNames.Count == 0 && Addresses.Count == 0;

    public override string ToString() => string.Join(',', DnsNames.Concat(Addresses.Select(a => a.ToString())));
}

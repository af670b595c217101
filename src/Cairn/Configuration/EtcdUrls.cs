using System.Net;
using System.Net.Sockets;

namespace Cairn.Configuration;

/// <summary>
/// URL lists as etcd reads them (types.NewURLs): comma-separated, each trimmed, scheme http, https, unix or
/// unixs, a "host:port" address and no path. The canonical text of a URL is Go's url.String() for it (the input
/// with its scheme lower-cased), which is what etcd hashes into member IDs; it becomes the Uri's OriginalString.
/// </summary>
internal static class EtcdUrls
{
    /// <summary>Parses one URL; on failure <paramref name="error"/> carries etcd's message.</summary>
    public static bool TryParse(string input, out string canonical, out string? error)
    {
        canonical = "";
        var text = input.Trim();
        if (text.Any(char.IsControl))
        {
            error = $"parse \"{text}\": net/url: invalid control character in URL";
            return false;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon > 0 && IsScheme(text[..colon]) ? text[..colon].ToLowerInvariant() : "";
        if (scheme is not ("http" or "https" or "unix" or "unixs"))
        {
            error = $"URL scheme must be http, https, unix, or unixs: {text}";
            return false;
        }

        var rest = text[(colon + 1)..];
        var hash = rest.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            rest = rest[..hash];
        }
        var question = rest.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0)
        {
            rest = rest[..question];
        }

        string host;
        string path;
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            rest = rest[2..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            var authority = slash >= 0 ? rest[..slash] : rest;
            path = slash >= 0 ? rest[slash..] : "";
            var at = authority.LastIndexOf('@');
            host = at >= 0 ? authority[(at + 1)..] : authority;
            if (!ValidHost(host, text, out error))
            {
                return false;
            }
        }
        else
        {
            host = "";
            path = "";
        }

        if (!TrySplitHostPort(host, out _, out _))
        {
            error = $"URL address does not have the form \"host:port\": {text}";
            return false;
        }
        if (path.Length != 0)
        {
            error = $"URL must not contain a path: {text}";
            return false;
        }
        canonical = scheme + text[colon..];
        error = null;
        return true;
    }

    /// <summary>A comma-separated list, as etcd's flags take it: sorted by text and without duplicates.</summary>
    public static bool TryParseList(string input, out IReadOnlyList<string> urls, out string? error)
    {
        var result = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var part in input.Split(','))
        {
            if (!TryParse(part, out var canonical, out error))
            {
                urls = [];
                return false;
            }
            result.Add(canonical);
        }
        urls = [.. result];
        error = null;
        return true;
    }

    /// <summary>
    /// --initial-cluster "name=url,name=url,...": names keep their first-seen order; each name's URLs are
    /// sorted, as etcd's types.NewURLsMap leaves them. Duplicates are kept so the server can refuse them as etcd does.
    /// </summary>
    public static bool TryParseCluster(string input, out IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> members,
        out string? error)
    {
        members = [];
        var order = new List<string>();
        var byName = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var entry in input.Split(','))
        {
            if (entry.Length == 0)
            {
                continue;
            }
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                error = $"entry \"{entry}\" is not of the form name=URL";
                return false;
            }
            var name = entry[..eq];
            if (!TryParse(entry[(eq + 1)..], out var url, out error))
            {
                return false;
            }
            if (!byName.TryGetValue(name, out var urls))
            {
                byName[name] = urls = [];
                order.Add(name);
            }
            urls.Add(url);
        }
        members = [.. order.Select(n => new KeyValuePair<string, IReadOnlyList<string>>(
            n, [.. byName[n].Order(StringComparer.Ordinal)]))];
        error = null;
        return true;
    }

    /// <summary>etcd's checkBindURLs: a listen URL names an IP address or "localhost" (unix sockets excepted).</summary>
    public static string? CheckBindable(IEnumerable<string> urls)
    {
        foreach (var url in urls)
        {
            if (url.StartsWith("unix://", StringComparison.Ordinal) || url.StartsWith("unixs://", StringComparison.Ordinal))
            {
                continue;
            }
            if (!TrySplitHostPort(HostPortOf(url), out var host, out _))
            {
                return $"URL address does not have the form \"host:port\": {url}";
            }
            if (host != "localhost" && !IsGoIp(host))
            {
                return $"expected IP in URL for binding ({url})";
            }
        }
        return null;
    }

    /// <summary>etcd's checkHostURLs: an advertised URL names a host.</summary>
    public static string? CheckHasHost(IEnumerable<string> urls)
    {
        foreach (var url in urls)
        {
            if (!TrySplitHostPort(HostPortOf(url), out var host, out _) || host.Length == 0)
            {
                return $"unexpected empty host ({url})";
            }
        }
        return null;
    }

    /// <summary>The Uri for a canonical URL; its OriginalString is the canonical text.</summary>
    public static bool TryToUri(string canonical, out Uri uri) =>
        Uri.TryCreate(canonical, UriKind.Absolute, out uri!) && uri.Host.Length > 0;

    /// <summary>Go's net.ParseIP: dotted IPv4 without leading zeros, or IPv6 without a zone.</summary>
    public static bool IsGoIp(string host)
    {
        if (host.Contains(':', StringComparison.Ordinal))
        {
            return !host.Contains('%', StringComparison.Ordinal)
                && IPAddress.TryParse(host, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6;
        }
        var parts = host.Split('.');
        return parts.Length == 4 && parts.All(p =>
            p.Length is >= 1 and <= 3 && p.All(char.IsAsciiDigit) && (p.Length == 1 || p[0] != '0') && int.Parse(p,
                System.Globalization.CultureInfo.InvariantCulture) <= 255);
    }

    /// <summary>Go's net.SplitHostPort: "host:port" or "[v6]:port"; the port may be empty.</summary>
    public static bool TrySplitHostPort(string hostPort, out string host, out string port)
    {
        host = "";
        port = "";
        var last = hostPort.LastIndexOf(':');
        if (last < 0)
        {
            return false;
        }
        if (hostPort.StartsWith('['))
        {
            var close = hostPort.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 != last)
            {
                return false;
            }
            host = hostPort[1..close];
        }
        else
        {
            host = hostPort[..last];
            if (host.Contains(':', StringComparison.Ordinal) || host.Contains('[', StringComparison.Ordinal)
                || host.Contains(']', StringComparison.Ordinal))
            {
                return false;
            }
        }
        port = hostPort[(last + 1)..];
        return !port.Contains('[', StringComparison.Ordinal) && !port.Contains(']', StringComparison.Ordinal);
    }

    private static string HostPortOf(string canonical)
    {
        var start = canonical.IndexOf("://", StringComparison.Ordinal);
        if (start < 0)
        {
            return "";
        }
        var authority = canonical[(start + 3)..];
        var end = authority.IndexOfAny(['/', '?', '#']);
        if (end >= 0)
        {
            authority = authority[..end];
        }
        var at = authority.LastIndexOf('@');
        return at >= 0 ? authority[(at + 1)..] : authority;
    }

    private static bool IsScheme(string s) =>
        s.Length > 0 && char.IsAsciiLetter(s[0]) && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.');

    /// <summary>Go's url.Parse host checks: a closed IPv6 bracket and a numeric optional port.</summary>
    private static bool ValidHost(string host, string text, out string? error)
    {
        error = null;
        var portStart = -1;
        if (host.StartsWith('['))
        {
            var close = host.LastIndexOf(']');
            if (close < 0)
            {
                error = $"parse \"{text}\": missing ']' in host";
                return false;
            }
            if (close + 1 < host.Length)
            {
                if (host[close + 1] != ':')
                {
                    error = $"parse \"{text}\": invalid port \"{host[(close + 1)..]}\" after host";
                    return false;
                }
                portStart = close + 1;
            }
        }
        else
        {
            portStart = host.LastIndexOf(':');
        }
        if (portStart >= 0 && !host[(portStart + 1)..].All(char.IsAsciiDigit))
        {
            error = $"parse \"{text}\": invalid port \"{host[portStart..]}\" after host";
            return false;
        }
        return true;
    }
}

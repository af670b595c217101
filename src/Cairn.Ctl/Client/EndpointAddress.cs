using System.Globalization;

namespace Cairn.Ctl.Client;

/// <summary>One --endpoints entry: <c>host:port</c>, <c>http://host:port</c> or <c>https://host:port</c>.</summary>
internal sealed record EndpointAddress(string Host, int Port, bool Tls)
{
    public static EndpointAddress Parse(string endpoint)
    {
        var text = endpoint.Trim();
        var tls = false;
        foreach (var (scheme, secure) in new[] { ("http://", false), ("https://", true) })
        {
            if (text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                text = text[scheme.Length..];
                tls = secure;
                break;
            }
        }

        text = text.TrimEnd('/');
        var colon = text.LastIndexOf(':');
        var closing = text.LastIndexOf(']');
        if (colon <= closing || colon == text.Length - 1 ||
            !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            throw new FormatException($"invalid endpoint {endpoint}: expected host:port");
        }

        var host = text[..colon].Trim('[', ']');
        return new EndpointAddress(host.Length == 0 ? "127.0.0.1" : host, port, tls);
    }
}

namespace Cairn.Configuration;

/// <summary>
/// Parses flag text into a row's typed value (the C# type is documented on each <see cref="OptionKind"/>), and
/// compares two values the way etcd sees them (URL and string sets compare as sets).
/// </summary>
internal static class OptionValues
{
    /// <summary>Parses <paramref name="text"/> for <paramref name="option"/>; the error is Go's reason, e.g.
    /// "parse error", "invalid value", or a URL message.</summary>
    public static bool TryParse(ConfigOption option, string text, out object value, out string? error)
    {
        error = null;
        value = text;
        switch (option.Kind)
        {
            case OptionKind.String or OptionKind.Ignored:
                return true;

            case OptionKind.Bool:
                if (GoSyntax.TryParseBool(text, out var b))
                {
                    value = b;
                    return true;
                }
                error = GoSyntax.ParseError;
                return false;

            case OptionKind.Uint or OptionKind.Uint64 or OptionKind.Uint32:
                if (!GoSyntax.TryParseUint(text, option.Kind == OptionKind.Uint32 ? 32 : 64, out var u, out error))
                {
                    return false;
                }
                if (option.Max is { } max && u > max)
                {
                    error = $"{GoSyntax.RangeError} (cairn accepts at most {max})";
                    return false;
                }
                value = u;
                return true;

            case OptionKind.Int or OptionKind.Int64:
                if (!GoSyntax.TryParseInt(text, 64, out var l, out error))
                {
                    return false;
                }
                value = l;
                return true;

            case OptionKind.Duration:
                if (GoSyntax.TryParseDuration(text, out var d))
                {
                    value = d;
                    return true;
                }
                error = GoSyntax.ParseError;
                return false;

            case OptionKind.Urls:
                return TryParseUrls(option, text, out value, out error);

            case OptionKind.UniqueStrings:
                value = text.Length == 0 ? Array.Empty<string>() : text.Split(',').Distinct().Order(StringComparer.Ordinal).ToArray();
                return true;

            case OptionKind.Strings:
                value = text.Length == 0 ? Array.Empty<string>() : text.Split(',');
                return true;

            case OptionKind.Choice:
                if (option.Allowed.Contains(text))
                {
                    return true;
                }
                error = "invalid value";
                return false;

            case OptionKind.InitialCluster:
                if (EtcdUrls.TryParseCluster(text, out var members, out error))
                {
                    value = members;
                    return true;
                }
                return false;

            default:
                throw new InvalidOperationException($"unknown option kind {option.Kind}");
        }
    }

    /// <summary>Whether two parsed values of <paramref name="option"/> mean the same setting.</summary>
    public static bool AreEqual(ConfigOption option, object a, object b) => option.Kind switch
    {
        OptionKind.Urls or OptionKind.UniqueStrings or OptionKind.Strings =>
            ((IReadOnlyList<string>)a).SequenceEqual((IReadOnlyList<string>)b, StringComparer.Ordinal),
        OptionKind.InitialCluster => ClusterText(a) == ClusterText(b),
        _ => a.Equals(b),
    };

    /// <summary>Whether a value differs from the row's default (the test for flags cairn does not support yet).</summary>
    public static bool IsDefault(ConfigOption option, object value) => AreEqual(option, value, option.DefaultValue);

    /// <summary>The cluster as etcd prints a URLsMap: "name=url" pairs, sorted, comma-joined.</summary>
    private static string ClusterText(object cluster) => string.Join(",",
        ((IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>>)cluster)
        .SelectMany(m => m.Value.Select(u => m.Key + "=" + u))
        .Order(StringComparer.Ordinal));

    private static bool TryParseUrls(ConfigOption option, string text, out object value, out string? error)
    {
        // etcd's UniqueURLs takes its allowed exceptions ("*" for --cors, "" for --listen-metrics-urls) as a whole.
        if (option.Allowed.Contains(text))
        {
            value = text.Length == 0 ? Array.Empty<string>() : new[] { text };
            error = null;
            return true;
        }
        if (EtcdUrls.TryParseList(text, out var urls, out error))
        {
            value = urls;
            return true;
        }
        value = Array.Empty<string>();
        return false;
    }
}

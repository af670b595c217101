using System.Globalization;
using System.Numerics;

namespace Cairn.Ctl.Cli;

/// <summary>strconv's integer parsing with Go's error text, which etcdctl embeds in its messages.</summary>
internal static class GoParse
{
    public static bool TryInt64(string text, int radix, out long value, out string error)
    {
        value = 0;
        error = "";
        if (!TryBig(text, radix, out var big))
        {
            error = $"strconv.ParseInt: parsing {GoText.Quote(text)}: invalid syntax";
            return false;
        }

        if (big < long.MinValue || big > long.MaxValue)
        {
            error = $"strconv.ParseInt: parsing {GoText.Quote(text)}: value out of range";
            return false;
        }

        value = (long)big;
        return true;
    }

    public static bool TryUInt64(string text, int radix, out ulong value, out string error)
    {
        value = 0;
        error = "";
        if (text.StartsWith('-') || text.StartsWith('+') || !TryBig(text, radix, out var big))
        {
            error = $"strconv.ParseUint: parsing {GoText.Quote(text)}: invalid syntax";
            return false;
        }

        if (big > ulong.MaxValue)
        {
            error = $"strconv.ParseUint: parsing {GoText.Quote(text)}: value out of range";
            return false;
        }

        value = (ulong)big;
        return true;
    }

    private static bool TryBig(string text, int radix, out BigInteger value)
    {
        value = BigInteger.Zero;
        var s = text;
        var negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s.Length == 0)
        {
            return false;
        }

        foreach (var c in s)
        {
            var digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'z' => c - 'a' + 10,
                >= 'A' and <= 'Z' => c - 'A' + 10,
                _ => 99,
            };
            if (digit >= radix)
            {
                return false;
            }

            value = (value * radix) + digit;
        }

        if (negative)
        {
            value = -value;
        }

        return true;
    }

    public static string Decimal(long value) => value.ToString(CultureInfo.InvariantCulture);
}

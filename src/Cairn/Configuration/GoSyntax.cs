namespace Cairn.Configuration;

/// <summary>
/// Value syntax exactly as Go's flag package reads it for etcd (strconv.ParseBool, strconv.ParseInt/ParseUint
/// with base 0, time.ParseDuration), so that every value real etcd accepts is accepted here, and nothing else.
/// Failures return Go's reason: "parse error" or "value out of range".
/// </summary>
internal static class GoSyntax
{
    public const string ParseError = "parse error";
    public const string RangeError = "value out of range";

    /// <summary>strconv.ParseBool: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False.</summary>
    public static bool TryParseBool(string s, out bool value)
    {
        switch (s)
        {
            case "1" or "t" or "T" or "TRUE" or "true" or "True":
                value = true;
                return true;
            case "0" or "f" or "F" or "FALSE" or "false" or "False":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>strconv.ParseUint(s, 0, bitSize): decimal, 0x/0o/0b prefixes, a leading 0 for octal, and "_"
    /// between digits. No sign.</summary>
    public static bool TryParseUint(string s, int bitSize, out ulong value, out string? error)
    {
        value = 0;
        error = ParseError;
        if (s.Length == 0)
        {
            return false;
        }
        var original = s;
        var numberBase = 10u;
        if (s[0] == '0')
        {
            var prefix = s.Length >= 3 ? char.ToLowerInvariant(s[1]) : '\0';
            (numberBase, s) = prefix switch
            {
                'b' => (2u, s[2..]),
                'o' => (8u, s[2..]),
                'x' => (16u, s[2..]),
                _ => (8u, s[1..]),
            };
        }

        var max = bitSize == 64 ? ulong.MaxValue : (1UL << bitSize) - 1;
        var underscores = false;
        ulong n = 0;
        var overflow = false;
        foreach (var c in s)
        {
            uint digit;
            if (c == '_')
            {
                underscores = true;
                continue;
            }
            if (c is >= '0' and <= '9')
            {
                digit = (uint)(c - '0');
            }
            else if (char.ToLowerInvariant(c) is >= 'a' and <= 'z')
            {
                digit = (uint)(char.ToLowerInvariant(c) - 'a' + 10);
            }
            else
            {
                return false;
            }
            if (digit >= numberBase)
            {
                return false;
            }
            if (overflow)
            {
                continue;
            }
            if (n > (max - digit) / numberBase)
            {
                overflow = true;
                continue;
            }
            n = n * numberBase + digit;
        }
        if (underscores && !UnderscoresOk(original))
        {
            return false;
        }
        if (overflow)
        {
            error = RangeError;
            return false;
        }
        value = n;
        error = null;
        return true;
    }

    /// <summary>strconv.ParseInt(s, 0, bitSize): an optional sign, then ParseUint's syntax.</summary>
    public static bool TryParseInt(string s, int bitSize, out long value, out string? error)
    {
        value = 0;
        if (s.Length == 0)
        {
            error = ParseError;
            return false;
        }
        var negative = s[0] == '-';
        var body = s[0] is '-' or '+' ? s[1..] : s;
        if (!TryParseUint(body, 64, out var magnitude, out error))
        {
            return false;
        }
        var cutoff = 1UL << (bitSize - 1);
        if ((!negative && magnitude >= cutoff) || (negative && magnitude > cutoff))
        {
            error = RangeError;
            return false;
        }
        value = negative ? (long)(0 - magnitude) : (long)magnitude;
        return true;
    }

    /// <summary>
    /// time.ParseDuration: a signed sequence of decimal numbers, each with an optional fraction and a unit
    /// (ns, us, µs, μs, ms, s, m, h), e.g. "300ms", "-1.5h", "2h45m"; "0" alone needs no unit.
    /// Precision is kept to the tick (100 ns).
    /// </summary>
    public static bool TryParseDuration(string s, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s == "0")
        {
            return true;
        }
        if (s.Length == 0)
        {
            return false;
        }

        decimal totalNanoseconds = 0;
        var i = 0;
        while (i < s.Length)
        {
            if (!(s[i] == '.' || char.IsAsciiDigit(s[i])))
            {
                return false;
            }
            var intStart = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }
            var integerPart = s[intStart..i];
            var fractionPart = "";
            if (i < s.Length && s[i] == '.')
            {
                i++;
                var fracStart = i;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    i++;
                }
                fractionPart = s[fracStart..i];
            }
            if (integerPart.Length == 0 && fractionPart.Length == 0)
            {
                return false;
            }
            var unitStart = i;
            while (i < s.Length && s[i] != '.' && !char.IsAsciiDigit(s[i]))
            {
                i++;
            }
            if (!TryUnitNanoseconds(s[unitStart..i], out var unit))
            {
                return false;
            }
            if (integerPart.Length > 20)
            {
                return false;
            }
            var number = integerPart.Length == 0 ? 0m : decimal.Parse(integerPart, System.Globalization.CultureInfo.InvariantCulture);
            if (fractionPart.Length > 0)
            {
                var digits = fractionPart.Length > 18 ? fractionPart[..18] : fractionPart;
                number += decimal.Parse("0." + digits, System.Globalization.CultureInfo.InvariantCulture);
            }
            totalNanoseconds += number * unit;
            if (totalNanoseconds > long.MaxValue)
            {
                return false;
            }
        }
        var ticks = (long)decimal.Truncate(totalNanoseconds / 100m);
        value = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }

    private static bool TryUnitNanoseconds(string unit, out decimal nanoseconds)
    {
        nanoseconds = unit switch
        {
            "ns" => 1m,
            "us" or "\u00b5s" or "\u03bcs" => 1_000m,
            "ms" => 1_000_000m,
            "s" => 1_000_000_000m,
            "m" => 60_000_000_000m,
            "h" => 3_600_000_000_000m,
            _ => 0m,
        };
        return nanoseconds != 0m;
    }

    /// <summary>Go's rule for "_" in base-0 literals: only between digits, or right after a base prefix.</summary>
    private static bool UnderscoresOk(string s)
    {
        var saw = '^';
        var i = 0;
        if (s.Length >= 1 && s[0] is '-' or '+')
        {
            s = s[1..];
        }
        var hex = false;
        if (s.Length >= 2 && s[0] == '0' && char.ToLowerInvariant(s[1]) is 'b' or 'o' or 'x')
        {
            i = 2;
            saw = '0';
            hex = char.ToLowerInvariant(s[1]) == 'x';
        }
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsAsciiDigit(c) || (hex && char.ToLowerInvariant(c) is >= 'a' and <= 'f'))
            {
                saw = '0';
                continue;
            }
            if (c == '_')
            {
                if (saw != '0')
                {
                    return false;
                }
                saw = '_';
                continue;
            }
            if (saw == '_')
            {
                return false;
            }
            saw = '!';
        }
        return saw != '_';
    }
}

using System.Globalization;
using System.Text;

namespace Cairn.Ctl.Cli;

/// <summary>Go's fmt/strconv text forms that etcdctl's output uses: %q, %v of a string slice, %x and %16x.</summary>
internal static class GoText
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>strconv.Quote over raw bytes: printable runes as they are, invalid UTF-8 bytes as \xHH.</summary>
    public static string Quote(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder("\"");
        while (!bytes.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(bytes, out var rune, out var consumed);
            if (status != System.Buffers.OperationStatus.Done)
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\x{bytes[0]:x2}");
                bytes = bytes[1..];
                continue;
            }

            AppendQuotedRune(sb, rune);
            bytes = bytes[consumed..];
        }

        return sb.Append('"').ToString();
    }

    public static string Quote(string s) => Quote(Encoding.UTF8.GetBytes(s));

    private static void AppendQuotedRune(StringBuilder sb, Rune rune)
    {
        switch (rune.Value)
        {
            case '"': sb.Append("\\\""); return;
            case '\\': sb.Append("\\\\"); return;
            case '\a': sb.Append("\\a"); return;
            case '\b': sb.Append("\\b"); return;
            case '\f': sb.Append("\\f"); return;
            case '\n': sb.Append("\\n"); return;
            case '\r': sb.Append("\\r"); return;
            case '\t': sb.Append("\\t"); return;
            case '\v': sb.Append("\\v"); return;
        }

        if (IsPrint(rune))
        {
            sb.Append(rune.ToString());
        }
        else if (rune.Value < ' ' || rune.Value == 0x7f)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}");
        }
        else if (rune.Value < 0x10000)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\\u{rune.Value:x4}");
        }
        else
        {
            sb.Append(CultureInfo.InvariantCulture, $"\\U{rune.Value:x8}");
        }
    }

    /// <summary>unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.</summary>
    public static bool IsPrint(Rune rune)
    {
        if (rune.Value == ' ')
        {
            return true;
        }

        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.SpaceSeparator => false,
            _ => true,
        };
    }

    /// <summary>
    /// strconv.Unquote of a double-quoted or back-quoted Go string literal, to bytes (\x escapes may make invalid UTF-8).
    /// Returns false when <paramref name="literal"/> is not one well-formed literal.
    /// </summary>
    public static bool TryUnquote(string literal, out byte[] value)
    {
        value = [];
        if (literal.Length < 2)
        {
            return false;
        }

        if (literal[0] == '`')
        {
            if (literal[^1] != '`' || literal.AsSpan(1, literal.Length - 2).Contains('`'))
            {
                return false;
            }

            value = Encoding.UTF8.GetBytes(literal[1..^1].Replace("\r", "", StringComparison.Ordinal));
            return true;
        }

        if (literal[0] != '"' || literal[^1] != '"')
        {
            return false;
        }

        var output = new List<byte>();
        var s = literal[1..^1];
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '"' || c == '\n')
            {
                return false;
            }

            if (c != '\\')
            {
                var width = char.IsHighSurrogate(c) && i + 1 < s.Length ? 2 : 1;
                output.AddRange(Encoding.UTF8.GetBytes(s.Substring(i, width)));
                i += width - 1;
                continue;
            }

            if (++i >= s.Length)
            {
                return false;
            }

            switch (s[i])
            {
                case 'a': output.Add(7); break;
                case 'b': output.Add(8); break;
                case 'f': output.Add(12); break;
                case 'n': output.Add(10); break;
                case 'r': output.Add(13); break;
                case 't': output.Add(9); break;
                case 'v': output.Add(11); break;
                case '\\': output.Add((byte)'\\'); break;
                case '"': output.Add((byte)'"'); break;
                case 'x' when TryHex(s, i + 1, 2, out var x):
                    output.Add((byte)x);
                    i += 2;
                    break;
                case 'u' when TryHex(s, i + 1, 4, out var u) && Rune.IsValid(u):
                    output.AddRange(Encoding.UTF8.GetBytes(new Rune(u).ToString()));
                    i += 4;
                    break;
                case 'U' when TryHex(s, i + 1, 8, out var big) && Rune.IsValid(big):
                    output.AddRange(Encoding.UTF8.GetBytes(new Rune(big).ToString()));
                    i += 8;
                    break;
                case >= '0' and <= '7' when i + 2 < s.Length && IsOctal(s[i + 1]) && IsOctal(s[i + 2]):
                    var octal = ((s[i] - '0') * 64) + ((s[i + 1] - '0') * 8) + (s[i + 2] - '0');
                    if (octal > 255)
                    {
                        return false;
                    }

                    output.Add((byte)octal);
                    i += 2;
                    break;
                default:
                    return false;
            }
        }

        value = [.. output];
        return true;
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';

    private static bool TryHex(string s, int start, int count, out int value)
    {
        value = 0;
        if (start + count > s.Length)
        {
            return false;
        }

        return int.TryParse(s.AsSpan(start, count), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>fmt's %v of a []string: <c>[a b c]</c>.</summary>
    public static string Slice(IEnumerable<string> items) => "[" + string.Join(' ', items) + "]";

    /// <summary>fmt's %x of an unsigned integer (lowercase, no padding).</summary>
    public static string Hex(ulong value) => value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>fmt's %16x: lowercase hex right-aligned in 16 columns with spaces.</summary>
    public static string Hex16(ulong value) => Hex(value).PadLeft(16);

    /// <summary>fmt's %016x of a lease ID (an int64 that etcd keeps positive).</summary>
    public static string LeaseHex(long id) => id.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>Bytes as Go's string(b) would print them when the bytes are valid UTF-8; lossy otherwise.</summary>
    public static string Utf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Encoding.UTF8.GetString(bytes);
        }
    }
}

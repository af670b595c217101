using System.Text;

namespace Cairn.Server.Tests.Hosting;

/// <summary>
/// Hand-built HPACK header fields (RFC 7541) and HTTP/2 frames (RFC 9113 §4.1), so tests control every byte the
/// authority rewriter sees.
/// </summary>
internal static class Hpack
{
    public const byte Headers = 0x1;
    public const byte Continuation = 0x9;
    public const byte EndStream = 0x1;
    public const byte EndHeaders = 0x4;
    public const byte Padded = 0x8;
    public const byte Priority = 0x20;

    /// <summary>An integer with an N-bit prefix; <paramref name="pattern"/> holds the representation's leading bits.</summary>
    public static byte[] Integer(byte pattern, int prefixBits, long value)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            return [(byte)(pattern | value)];
        }
        var bytes = new List<byte> { (byte)(pattern | max) };
        value -= max;
        while (value >= 128)
        {
            bytes.Add((byte)(value % 128 + 128));
            value /= 128;
        }
        bytes.Add((byte)value);
        return [.. bytes];
    }

    /// <summary>A string literal (chars as Latin-1 octets); with <paramref name="huffman"/> the H bit is set and the bytes stand for the code.</summary>
    public static byte[] String(byte[] octets, bool huffman = false) =>
        [.. Integer(huffman ? (byte)0x80 : (byte)0, 7, octets.Length), .. octets];

    public static byte[] String(string s, bool huffman = false) => String(Encoding.Latin1.GetBytes(s), huffman);

    /// <summary>Indexed header field (§6.1).</summary>
    public static byte[] Indexed(int index) => Integer(0x80, 7, index);

    /// <summary>Literal with incremental indexing, indexed name (§6.2.1).</summary>
    public static byte[] Incremental(int nameIndex, string value, bool huffman = false) =>
        [.. Integer(0x40, 6, nameIndex), .. String(value, huffman)];

    /// <summary>Literal without indexing, indexed name (§6.2.2).</summary>
    public static byte[] WithoutIndexing(int nameIndex, string value, bool huffman = false) =>
        [.. Integer(0x00, 4, nameIndex), .. String(value, huffman)];

    /// <summary>Literal never indexed, indexed name (§6.2.3).</summary>
    public static byte[] NeverIndexed(int nameIndex, string value, bool huffman = false) =>
        [.. Integer(0x10, 4, nameIndex), .. String(value, huffman)];

    /// <summary>Literal with a literal name; <paramref name="pattern"/> is 0x40, 0x00 or 0x10.</summary>
    public static byte[] NewName(byte pattern, string name, string value) =>
        [pattern, .. String(name), .. String(value)];

    /// <summary>Dynamic table size update (§6.3).</summary>
    public static byte[] SizeUpdate(int size) => Integer(0x20, 5, size);

    public static byte[] Block(params byte[][] fields) => [.. fields.SelectMany(f => f)];

    /// <summary>A frame: 24-bit length, type, flags, 31-bit stream id, payload.</summary>
    public static byte[] Frame(byte type, byte flags, int streamId, byte[] payload) =>
    [
        (byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length,
        type, flags,
        (byte)(streamId >> 24), (byte)(streamId >> 16), (byte)(streamId >> 8), (byte)streamId,
        .. payload,
    ];

    /// <summary>A HEADERS frame with optional padding and priority fields around the block.</summary>
    public static byte[] HeadersFrame(byte[] block, byte flags = EndHeaders | EndStream, int streamId = 1, byte[]? padding = null, byte[]? priority = null)
    {
        var payload = new List<byte>();
        if (padding is not null)
        {
            flags |= Padded;
            payload.Add((byte)padding.Length);
        }
        if (priority is not null)
        {
            flags |= Priority;
            payload.AddRange(priority);
        }
        payload.AddRange(block);
        payload.AddRange(padding ?? []);
        return Frame(Headers, flags, streamId, [.. payload]);
    }
}

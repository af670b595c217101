using System.Buffers.Binary;
using System.Globalization;

namespace Cairn.Raft.Tests.Simulation;

/// <summary>
/// FNV-1a (64-bit) over a run's events: a stable fingerprint of the whole trace. It depends only on the bytes fed
/// to it, never on per-process string hashing or collection order.
/// </summary>
public sealed class TraceHash
{
    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;
    private ulong _hash = Offset;

    public long Events { get; private set; }

    public ulong Value => _hash;

    public void Add(ReadOnlySpan<byte> bytes)
    {
        ulong h = _hash;
        foreach (byte b in bytes)
        {
            h = (h ^ b) * Prime;
        }

        _hash = h;
        Events++;
    }

    public void Add(ulong value)
    {
        Span<byte> buf = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(buf, value);
        Add(buf);
    }

    public void Add(string tag)
    {
        Span<byte> buf = stackalloc byte[tag.Length];
        for (int i = 0; i < tag.Length; i++)
        {
            buf[i] = (byte)tag[i];
        }

        Add(buf);
    }

    public override string ToString() => _hash.ToString("x16", CultureInfo.InvariantCulture);
}

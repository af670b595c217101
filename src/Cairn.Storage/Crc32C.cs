using System.Buffers.Binary;
using System.Numerics;

namespace Cairn.Storage;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of the WAL, snapshot files and backend hashes. <see cref="Update"/> has the same
/// chaining contract as Go's crc32.Update: Update(Update(0, a), b) == Update(0, a ++ b).
/// BitOperations.Crc32C uses the SSE4.2/ARMv8 instruction when present.
/// </summary>
public static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => Update(0, data);

    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        uint c = ~crc;
        while (data.Length >= 8)
        {
            c = BitOperations.Crc32C(c, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        if (data.Length >= 4)
        {
            c = BitOperations.Crc32C(c, BinaryPrimitives.ReadUInt32LittleEndian(data));
            data = data[4..];
        }
        foreach (byte b in data)
        {
            c = BitOperations.Crc32C(c, b);
        }
        return ~c;
    }
}

using System.Buffers.Binary;

namespace Cairn.Storage.Tests.Wal;

/// <summary>Walks the frames of a segment file as the format in Wal.cs describes, to aim corruption precisely.</summary>
internal static class WalTestFrames
{
    public static List<(long Offset, int Type, long Length)> Read(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        var frames = new List<(long, int, long)>();
        long off = 0;
        while (off + 16 <= file.Length)
        {
            ulong word = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan((int)off));
            if (word == 0)
            {
                break;
            }
            long length = (long)(word & ((1UL << 56) - 1));
            frames.Add((off, (int)(word >> 56), length));
            off += 16 + ((length + 7) & ~7L);
        }
        return frames;
    }

    public static string[] Segments(string dir) => Directory.GetFiles(dir, "*.wal").OrderBy(f => f, StringComparer.Ordinal).ToArray();
}

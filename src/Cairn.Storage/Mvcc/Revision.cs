using System.Buffers.Binary;

namespace Cairn.Storage.Mvcc;

/// <summary>
/// A point in the store's history: Main is the store revision of a write txn, Sub orders the changes inside it.
/// In the "key" bucket a revision is the 17-byte key main(8, big-endian) '_' sub(8, big-endian), with a trailing 't'
/// for a tombstone (etcd's layout), so bucket order is revision order.
/// </summary>
public readonly record struct Revision(long Main, long Sub) : IComparable<Revision>
{
    public const int KeyBytes = 17;
    public const int TombstoneKeyBytes = 18;
    public const byte TombstoneMark = (byte)'t';

    public int CompareTo(Revision other) => Main != other.Main ? Main.CompareTo(other.Main) : Sub.CompareTo(other.Sub);

    /// <summary>Writes the bucket key (17 bytes, or 18 with the tombstone mark) and returns its length.</summary>
    public int WriteKey(Span<byte> destination, bool tombstone = false)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, Main);
        destination[8] = (byte)'_';
        BinaryPrimitives.WriteInt64BigEndian(destination[9..], Sub);
        if (tombstone)
        {
            destination[KeyBytes] = TombstoneMark;
            return TombstoneKeyBytes;
        }
        return KeyBytes;
    }

    public byte[] ToKey(bool tombstone = false)
    {
        byte[] key = new byte[tombstone ? TombstoneKeyBytes : KeyBytes];
        WriteKey(key, tombstone);
        return key;
    }

    public static Revision FromKey(ReadOnlySpan<byte> key) =>
        new(BinaryPrimitives.ReadInt64BigEndian(key), BinaryPrimitives.ReadInt64BigEndian(key[9..]));

    public static bool IsTombstoneKey(ReadOnlySpan<byte> key) => key.Length == TombstoneKeyBytes && key[KeyBytes] == TombstoneMark;

    public static bool operator <(Revision a, Revision b) => a.CompareTo(b) < 0;

    public static bool operator >(Revision a, Revision b) => a.CompareTo(b) > 0;

    public static bool operator <=(Revision a, Revision b) => a.CompareTo(b) <= 0;

    public static bool operator >=(Revision a, Revision b) => a.CompareTo(b) >= 0;
}

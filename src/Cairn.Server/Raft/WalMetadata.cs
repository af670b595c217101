using System.Buffers.Binary;

namespace Cairn.Server.Raft;

/// <summary>What the WAL records about the member once, at creation: its ID and its cluster's ID (16 bytes,
/// big-endian), as etcd's WAL metadata does.</summary>
internal readonly record struct WalMetadata(ulong MemberId, ulong ClusterId)
{
    public byte[] ToBytes()
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, MemberId);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8), ClusterId);
        return bytes;
    }

    public static WalMetadata Parse(ReadOnlySpan<byte> bytes) =>
        bytes.Length == 16
            ? new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]))
            : throw new StartupException($"the WAL's metadata is {bytes.Length} bytes, expected 16; the data dir is not a cairn data dir");
}

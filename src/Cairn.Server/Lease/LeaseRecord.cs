using System.Buffers.Binary;
using Google.Protobuf;

namespace Cairn.Server.Lease;

/// <summary>
/// A lease as persisted in the backend's "lease" bucket: key = the ID as 8 bytes big-endian; value = protobuf wire
/// fields 1 ID, 2 TTL, 3 remaining TTL (all int64), the shape etcd stores, so the bucket stays readable by tools.
/// Written in the apply's batch scope, so it commits with the raft entry that changed it.
/// </summary>
internal readonly record struct LeaseRecord(long Id, long Ttl, long RemainingTtl)
{
    public byte[] Key() => KeyOf(Id);

    public static byte[] KeyOf(long id)
    {
        var key = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(key, id);
        return key;
    }

    public byte[] ToBytes()
    {
        var size = 0;
        if (Id != 0)
        {
            size += 1 + CodedOutputStream.ComputeInt64Size(Id);
        }
        if (Ttl != 0)
        {
            size += 1 + CodedOutputStream.ComputeInt64Size(Ttl);
        }
        if (RemainingTtl != 0)
        {
            size += 1 + CodedOutputStream.ComputeInt64Size(RemainingTtl);
        }
        var bytes = new byte[size];
        var output = new CodedOutputStream(bytes);
        if (Id != 0)
        {
            output.WriteTag(1, WireFormat.WireType.Varint);
            output.WriteInt64(Id);
        }
        if (Ttl != 0)
        {
            output.WriteTag(2, WireFormat.WireType.Varint);
            output.WriteInt64(Ttl);
        }
        if (RemainingTtl != 0)
        {
            output.WriteTag(3, WireFormat.WireType.Varint);
            output.WriteInt64(RemainingTtl);
        }
        output.CheckNoSpaceLeft();
        return bytes;
    }

    /// <summary>Decodes a stored value; unknown fields are skipped.</summary>
    public static LeaseRecord Parse(ReadOnlySpan<byte> value)
    {
        long id = 0, ttl = 0, remaining = 0;
        var input = new CodedInputStream(value.ToArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.Varint:
                    id = input.ReadInt64();
                    break;
                case 2 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.Varint:
                    ttl = input.ReadInt64();
                    break;
                case 3 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.Varint:
                    remaining = input.ReadInt64();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
        return new LeaseRecord(id, ttl, remaining);
    }
}

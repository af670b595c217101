namespace Cairn.Storage.Mvcc;

/// <summary>
/// Reads the fields the key index needs (key, create_revision, version, lease) straight from a serialized
/// mvccpb.KeyValue, without allocating a message: used when rebuilding the index from millions of stored revisions.
/// </summary>
internal static class KeyValueFields
{
    public static bool TryRead(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> key, out long createRevision, out long version, out long lease)
    {
        key = default;
        createRevision = 0;
        version = 0;
        lease = 0;
        int pos = 0;
        while (pos < data.Length)
        {
            if (!TryVarint(data, ref pos, out ulong tag))
            {
                return false;
            }
            int field = (int)(tag >> 3);
            int wire = (int)(tag & 7);
            switch (wire)
            {
                case 0:
                    if (!TryVarint(data, ref pos, out ulong v))
                    {
                        return false;
                    }
                    switch (field)
                    {
                        case 2:
                            createRevision = (long)v;
                            break;
                        case 4:
                            version = (long)v;
                            break;
                        case 6:
                            lease = (long)v;
                            break;
                    }
                    break;
                case 2:
                    if (!TryVarint(data, ref pos, out ulong len) || len > (ulong)(data.Length - pos))
                    {
                        return false;
                    }
                    if (field == 1)
                    {
                        key = data.Slice(pos, (int)len);
                    }
                    pos += (int)len;
                    break;
                case 1:
                    pos += 8;
                    break;
                case 5:
                    pos += 4;
                    break;
                default:
                    return false;
            }
        }
        return pos == data.Length;
    }

    private static bool TryVarint(ReadOnlySpan<byte> data, ref int pos, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64 && pos < data.Length; shift += 7)
        {
            byte b = data[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }
        return false;
    }
}

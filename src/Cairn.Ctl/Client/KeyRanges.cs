using Google.Protobuf;

namespace Cairn.Ctl.Client;

/// <summary>Range ends as clientv3 computes them: a prefix's end, and "\0" for "from this key on".</summary>
internal static class KeyRanges
{
    public static readonly ByteString FromKey = ByteString.CopyFrom(0);

    /// <summary>clientv3.GetPrefixRangeEnd: the key with its last byte below 0xff incremented and the rest cut; "\0" if none.</summary>
    public static ByteString PrefixEnd(ByteString key)
    {
        var bytes = key.ToByteArray();
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes[i] < 0xff)
            {
                bytes[i]++;
                return ByteString.CopyFrom(bytes, 0, i + 1);
            }
        }

        return FromKey;
    }

    public static ByteString PrefixEnd(string key) => PrefixEnd(ByteString.CopyFromUtf8(key));
}

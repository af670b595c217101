using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Cairn.Server.Membership;

/// <summary>
/// Member and cluster IDs derived exactly as etcd derives them (etcdserver/api/membership), so the same
/// configuration gives the same IDs as real etcd: the defaults give member 8e9e05c52164694d.
/// </summary>
public static class MemberIds
{
    /// <summary>
    /// The first 8 bytes, big-endian, of SHA-1(sorted peer URLs concatenated + cluster token [+ unix seconds for
    /// members added at runtime]).
    /// </summary>
    public static ulong ComputeMemberId(IEnumerable<string> peerUrls, string clusterToken, long? addedAtUnixSeconds = null)
    {
        var sorted = peerUrls.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (var url in sorted)
        {
            text.Append(url);
        }
        text.Append(clusterToken);
        if (addedAtUnixSeconds is { } seconds)
        {
            text.Append(seconds.ToString(CultureInfo.InvariantCulture));
        }
        return FirstEightBytes(SHA1.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The first 8 bytes, big-endian, of SHA-1 over the sorted member IDs as 8-byte big-endian values.</summary>
    public static ulong ComputeClusterId(IEnumerable<ulong> memberIds)
    {
        var ids = memberIds.Order().ToArray();
        var bytes = new byte[8 * ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8 * i), ids[i]);
        }
        return FirstEightBytes(SHA1.HashData(bytes));
    }

    /// <summary>etcd prints IDs as lowercase hex without padding (types.ID.String).</summary>
    public static string ToHex(ulong id) => id.ToString("x", CultureInfo.InvariantCulture);

    private static ulong FirstEightBytes(byte[] hash) => BinaryPrimitives.ReadUInt64BigEndian(hash);
}

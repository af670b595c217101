using System.Globalization;
using Grpc.Core;

namespace Cairn.Server.Peer;

/// <summary>The metadata every peer call carries, so a receiver can refuse traffic that is not for it.</summary>
internal static class PeerHeaders
{
    public const string ClusterId = "x-cairn-cluster-id";
    public const string From = "x-cairn-from";
    public const string To = "x-cairn-to";

    public static Metadata Create(ulong clusterId, ulong from, ulong to) => new()
    {
        { ClusterId, Hex(clusterId) },
        { From, Hex(from) },
        { To, Hex(to) },
    };

    public static ulong Read(Metadata headers, string name)
    {
        var value = headers.GetValue(name);
        return value is not null && ulong.TryParse(value, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var id)
            ? id
            : 0;
    }

    private static string Hex(ulong id) => id.ToString("x", CultureInfo.InvariantCulture);
}

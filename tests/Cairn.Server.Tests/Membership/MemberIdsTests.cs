using Cairn.Server.Membership;

namespace Cairn.Server.Tests.Membership;

/// <summary>IDs derived as etcd's membership package derives them (member: SHA-1 of sorted peer URLs + token).</summary>
public sealed class MemberIdsTests
{
    [Fact]
    public void ComputeMemberId_EtcdDefaults_8e9e05c52164694d() =>
        Assert.Equal(0x8e9e05c52164694dUL, MemberIds.ComputeMemberId(["http://localhost:2380"], "etcd-cluster"));

    /// <summary>A default single-member etcd reports cluster cdf818194e3a8c32.</summary>
    [Fact]
    public void ComputeClusterId_EtcdDefaults_Cdf818194e3a8c32() =>
        Assert.Equal(0xcdf818194e3a8c32UL, MemberIds.ComputeClusterId([0x8e9e05c52164694dUL]));

    [Fact]
    public void ComputeMemberId_PeerUrlOrderDoesNotMatter()
    {
        var a = MemberIds.ComputeMemberId(["http://10.0.0.2:2380", "http://10.0.0.1:2380"], "t");
        var b = MemberIds.ComputeMemberId(["http://10.0.0.1:2380", "http://10.0.0.2:2380"], "t");
        Assert.Equal(a, b);
    }

    [Fact]
    public void ComputeMemberId_TokenAndUrlsMatter()
    {
        var id = MemberIds.ComputeMemberId(["http://localhost:2380"], "etcd-cluster");
        Assert.NotEqual(id, MemberIds.ComputeMemberId(["http://localhost:2380"], "other"));
        Assert.NotEqual(id, MemberIds.ComputeMemberId(["http://localhost:2381"], "etcd-cluster"));
        Assert.NotEqual(id, MemberIds.ComputeMemberId(["http://localhost:2380", "http://localhost:2381"], "etcd-cluster"));
    }

    /// <summary>Sorting is by byte order (Go's sort.Strings), not culture order: "B" sorts before "a".</summary>
    [Fact]
    public void ComputeMemberId_SortsUrlsOrdinally()
    {
        var sorted = MemberIds.ComputeMemberId(["http://B:1", "http://a:1"], "t");
        var concatenated = System.Security.Cryptography.SHA1.HashData("http://B:1http://a:1t"u8);
        Assert.Equal(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(concatenated), sorted);
    }

    /// <summary>A member added at runtime also hashes the unix time in seconds (decimal).</summary>
    [Fact]
    public void ComputeMemberId_AddedAtRuntime_HashesTheTime()
    {
        var id = MemberIds.ComputeMemberId(["http://127.0.0.1:2380"], "tok", 1_700_000_000);
        var expected = System.Security.Cryptography.SHA1.HashData("http://127.0.0.1:2380tok1700000000"u8);
        Assert.Equal(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(expected), id);
        Assert.NotEqual(MemberIds.ComputeMemberId(["http://127.0.0.1:2380"], "tok"), id);
    }

    [Fact]
    public void ComputeClusterId_MemberOrderDoesNotMatter_ContentDoes()
    {
        var a = MemberIds.ComputeClusterId([3UL, 1UL, 2UL]);
        Assert.Equal(a, MemberIds.ComputeClusterId([1UL, 2UL, 3UL]));
        Assert.NotEqual(a, MemberIds.ComputeClusterId([1UL, 2UL]));
    }

    /// <summary>Sorted as unsigned 64-bit values, as etcd's types.IDSlice sorts them.</summary>
    [Fact]
    public void ComputeClusterId_SortsIdsUnsigned()
    {
        ulong high = 0xf000000000000000, low = 1;
        var bytes = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, low);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8), high);
        var expected = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(System.Security.Cryptography.SHA1.HashData(bytes));
        Assert.Equal(expected, MemberIds.ComputeClusterId([high, low]));
    }

    [Theory]
    [InlineData(0x8e9e05c52164694dUL, "8e9e05c52164694d")]
    [InlineData(0xabcUL, "abc")]
    [InlineData(0UL, "0")]
    public void ToHex_LowercaseWithoutPadding(ulong id, string expected) => Assert.Equal(expected, MemberIds.ToHex(id));
}

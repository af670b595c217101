using Cairn.Server.Raft;

namespace Cairn.Server.Tests.Raft;

public sealed class WalMetadataTests
{
    [Fact]
    public void ToBytes_Parse_RoundTrips()
    {
        var metadata = new WalMetadata(0x8e9e05c52164694d, 0xcdf818194e3a8c32);
        Assert.Equal(metadata, WalMetadata.Parse(metadata.ToBytes()));
        var extremes = new WalMetadata(ulong.MaxValue, 0);
        Assert.Equal(extremes, WalMetadata.Parse(extremes.ToBytes()));
    }

    [Fact]
    public void ToBytes_MemberThenCluster_BigEndian() =>
        Assert.Equal(
            new byte[] { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8 },
            new WalMetadata(0x0102030405060708, 0xa1a2a3a4a5a6a7a8).ToBytes());

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(17)]
    public void Parse_WrongLength_RefusesTheDataDir(int length)
    {
        var e = Assert.Throws<StartupException>(() => WalMetadata.Parse(new byte[length]));
        Assert.Contains($"{length} bytes, expected 16", e.Message);
    }
}

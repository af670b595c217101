using Cairn.Server.Lease;

namespace Cairn.Server.Tests.Lease;

public sealed class LeaseRecordTests
{
    [Theory]
    [InlineData(1L, 10L, 0L)]
    [InlineData(long.MaxValue, 9_000_000_000L, 123L)]
    [InlineData(0x7fff_0000_1234L, 2L, -1L)]
    public void RoundTrips(long id, long ttl, long remaining)
    {
        var record = new LeaseRecord(id, ttl, remaining);
        Assert.Equal(record, LeaseRecord.Parse(record.ToBytes()));
        Assert.Equal(8, record.Key().Length);
    }

    [Fact]
    public void Key_IsTheIdBigEndian() =>
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 1, 2 }, LeaseRecord.KeyOf(0x0102));

    [Fact]
    public void Value_IsProtobufFieldsOneToThree() =>
        Assert.Equal(new byte[] { 0x08, 0x05, 0x10, 0x0a, 0x18, 0x03 }, new LeaseRecord(5, 10, 3).ToBytes());

    [Fact]
    public void Parse_SkipsUnknownFields() =>
        Assert.Equal(new LeaseRecord(5, 10, 0), LeaseRecord.Parse([0x08, 0x05, 0x22, 0x01, 0x41, 0x10, 0x0a]));
}

namespace Cairn.Storage.Tests;

public sealed class Crc32CTests
{
    [Fact]
    public void Compute_CheckString_MatchesCastagnoliCheckValue()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
    }

    [Fact]
    public void Update_Chained_EqualsOneShot()
    {
        byte[] data = new byte[1000];
        new Random(7).NextBytes(data);
        uint chained = Crc32C.Update(Crc32C.Update(0, data.AsSpan(0, 333)), data.AsSpan(333));
        Assert.Equal(Crc32C.Compute(data), chained);
    }
}

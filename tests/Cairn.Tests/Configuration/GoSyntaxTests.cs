using Cairn.Configuration;

namespace Cairn.Tests.Configuration;

/// <summary>Pins Go's strconv and time.ParseDuration syntax, which etcd's flags use.</summary>
public sealed class GoSyntaxTests
{
    [Theory]
    [InlineData("1", true)]
    [InlineData("t", true)]
    [InlineData("T", true)]
    [InlineData("TRUE", true)]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("0", false)]
    [InlineData("f", false)]
    [InlineData("F", false)]
    [InlineData("FALSE", false)]
    [InlineData("false", false)]
    [InlineData("False", false)]
    public void ParseBool_AcceptsGosSpellings(string text, bool expected)
    {
        Assert.True(GoSyntax.TryParseBool(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("tRUE")]
    [InlineData("")]
    [InlineData("2")]
    public void ParseBool_RefusesOthers(string text) => Assert.False(GoSyntax.TryParseBool(text, out _));

    [Theory]
    [InlineData("100", 100UL)]
    [InlineData("0", 0UL)]
    [InlineData("0x10", 16UL)]
    [InlineData("0X1f", 31UL)]
    [InlineData("017", 15UL)]
    [InlineData("0o17", 15UL)]
    [InlineData("0b101", 5UL)]
    [InlineData("1_000", 1000UL)]
    [InlineData("0x_1F", 31UL)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    public void ParseUint_UsesBaseZero(string text, ulong expected)
    {
        Assert.True(GoSyntax.TryParseUint(text, 64, out var value, out var error), error);
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("", GoSyntax.ParseError)]
    [InlineData("abc", GoSyntax.ParseError)]
    [InlineData("-1", GoSyntax.ParseError)]
    [InlineData("+1", GoSyntax.ParseError)]
    [InlineData("1.5", GoSyntax.ParseError)]
    [InlineData("08", GoSyntax.ParseError)]
    [InlineData("0x", GoSyntax.ParseError)]
    [InlineData("1__0", GoSyntax.ParseError)]
    [InlineData("_10", GoSyntax.ParseError)]
    [InlineData("10_", GoSyntax.ParseError)]
    [InlineData("18446744073709551616", GoSyntax.RangeError)]
    public void ParseUint_Refuses(string text, string reason)
    {
        Assert.False(GoSyntax.TryParseUint(text, 64, out _, out var error));
        Assert.Equal(reason, error);
    }

    [Fact]
    public void ParseUint32_RangeIs32Bits()
    {
        Assert.True(GoSyntax.TryParseUint("4294967295", 32, out var max, out _));
        Assert.Equal(uint.MaxValue, max);
        Assert.False(GoSyntax.TryParseUint("4294967296", 32, out _, out var error));
        Assert.Equal(GoSyntax.RangeError, error);
    }

    [Theory]
    [InlineData("-5", -5L)]
    [InlineData("+5", 5L)]
    [InlineData("-0x10", -16L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    public void ParseInt_TakesASign(string text, long expected)
    {
        Assert.True(GoSyntax.TryParseInt(text, 64, out var value, out var error), error);
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("9223372036854775808", GoSyntax.RangeError)]
    [InlineData("-9223372036854775809", GoSyntax.RangeError)]
    [InlineData("-", GoSyntax.ParseError)]
    [InlineData("--1", GoSyntax.ParseError)]
    public void ParseInt_Refuses(string text, string reason)
    {
        Assert.False(GoSyntax.TryParseInt(text, 64, out _, out var error));
        Assert.Equal(reason, error);
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("5s", 50_000_000L)]
    [InlineData("100ms", 1_000_000L)]
    [InlineData("2h", 72_000_000_000L)]
    [InlineData("1h30m", 54_000_000_000L)]
    [InlineData("1.5s", 15_000_000L)]
    [InlineData(".5s", 5_000_000L)]
    [InlineData("-2m", -1_200_000_000L)]
    [InlineData("+3us", 30L)]
    [InlineData("3µs", 30L)]
    [InlineData("3μs", 30L)]
    [InlineData("1000ns", 10L)]
    public void ParseDuration_TakesGoDurations(string text, long ticks)
    {
        Assert.True(GoSyntax.TryParseDuration(text, out var value));
        Assert.Equal(TimeSpan.FromTicks(ticks), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5x")]
    [InlineData("s")]
    [InlineData(".s")]
    [InlineData("1.2.3s")]
    [InlineData("3000000h")]
    public void ParseDuration_Refuses(string text) => Assert.False(GoSyntax.TryParseDuration(text, out _));
}

using System.Text;
using Cairn.Ctl.Cli;

namespace Cairn.Ctl.Tests.Cli;

public sealed class GoTextTests
{
    [Theory]
    [InlineData("foo", "\"foo\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [InlineData("\0", "\"\\x00\"")]
    [InlineData("tab\there\n", "\"tab\\there\\n\"")]
    [InlineData("héllo ✓", "\"héllo ✓\"")]
    [InlineData("\u00a0", "\"\\u00a0\"")]
    public void Quote_MatchesStrconvQuote(string input, string expected) => Assert.Equal(expected, GoText.Quote(input));

    [Fact]
    public void Quote_InvalidUtf8_EscapesEachByte() => Assert.Equal("\"a\\xff\\xfe\"", GoText.Quote([(byte)'a', 0xff, 0xfe]));

    [Theory]
    [InlineData("\"a b\"", "a b")]
    [InlineData("\"x\\ty\"", "x\ty")]
    [InlineData("\"\\x41\\u00e9\"", "Aé")]
    [InlineData("\"\\101\"", "A")]
    [InlineData("`raw \\n`", "raw \\n")]
    public void TryUnquote_GoLiterals_DecodesThem(string literal, string expected)
    {
        Assert.True(GoText.TryUnquote(literal, out var bytes));
        Assert.Equal(expected, Encoding.UTF8.GetString(bytes));
    }

    [Theory]
    [InlineData("\"unterminated")]
    [InlineData("noquotes")]
    [InlineData("\"bad \\q escape\"")]
    public void TryUnquote_Malformed_Fails(string literal) => Assert.False(GoText.TryUnquote(literal, out _));

    [Fact]
    public void Hex16_PadsWithSpacesLikePercent16x()
    {
        Assert.Equal("8e9e05c52164694d", GoText.Hex16(0x8e9e05c52164694d));
        Assert.Equal("            abcd", GoText.Hex16(0xabcd));
    }

    [Fact]
    public void LeaseHex_PadsWithZeros() => Assert.Equal("000000000000007b", GoText.LeaseHex(123));

    [Fact]
    public void Slice_FormatsLikePercentV() => Assert.Equal("[a b]", GoText.Slice(["a", "b"]));
}

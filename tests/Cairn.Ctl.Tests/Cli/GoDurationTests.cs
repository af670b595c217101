using Cairn.Ctl.Cli;

namespace Cairn.Ctl.Tests.Cli;

public sealed class GoDurationTests
{
    [Theory]
    [InlineData("5s", 5_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("500ms", 500)]
    [InlineData("2s500ms", 2_500)]
    [InlineData("0", 0)]
    public void Parse_GoSyntax_GivesTheDuration(string text, long milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), GoDuration.Parse(text));

    [Theory]
    [InlineData("5", "time: missing unit in duration \"5\"")]
    [InlineData("5x", "time: unknown unit \"x\" in duration \"5x\"")]
    [InlineData("", "time: invalid duration \"\"")]
    public void TryParse_BadText_FailsWithGosMessage(string text, string error)
    {
        Assert.False(GoDuration.TryParse(text, out _, out var message));
        Assert.Equal(error, message);
    }

    [Theory]
    [InlineData(1_359_947, "1.359947ms")]
    [InlineData(2_000_000_000, "2s")]
    [InlineData(90_000_000_000, "1m30s")]
    [InlineData(3_600_000_000_000, "1h0m0s")]
    [InlineData(0, "0s")]
    [InlineData(1_500, "1.5µs")]
    [InlineData(999, "999ns")]
    [InlineData(1_250_000_000, "1.25s")]
    public void FormatNanoseconds_MatchesGoString(long nanos, string expected) =>
        Assert.Equal(expected, GoDuration.FormatNanoseconds(nanos));
}

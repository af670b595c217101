using Cairn.Ctl.Cli;

namespace Cairn.Ctl.Tests.Cli;

public sealed class ArgifyTests
{
    [Fact]
    public void Split_PlainWords_SplitsOnWhitespace() => Assert.Equal(["put", "k", "v"], Argify.Split("put  k\tv"));

    [Fact]
    public void Split_DoubleQuotes_AreGoStringLiterals() => Assert.Equal(["put", "k", "a b\n"], Argify.Split("put k \"a b\\n\""));

    [Fact]
    public void Split_SingleQuotes_AreVerbatim() => Assert.Equal(["put", "k", "a \\n b"], Argify.Split("put k 'a \\n b'"));

    [Fact]
    public void Split_Flags_StayTokens() => Assert.Equal(["get", "k", "--prefix", "--limit=2"], Argify.Split("get k --prefix --limit=2"));
}

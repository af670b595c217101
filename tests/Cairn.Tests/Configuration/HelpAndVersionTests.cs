using Cairn.Configuration;
using static Cairn.Tests.Configuration.ConfigAssert;

namespace Cairn.Tests.Configuration;

public sealed class HelpAndVersionTests
{
    [Theory]
    [InlineData("-h")]
    [InlineData("--h")]
    [InlineData("-help")]
    [InlineData("--help")]
    [InlineData("--help=false")]
    public void HelpFlags_PrintTheHelp(string arg)
    {
        var result = Load("--name", "x", arg);
        Assert.Equal(ConfigAction.PrintHelp, result.Action);
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("Usage:\n\n  cairn [flags]\n", result.Text);
    }

    [Fact]
    public void Help_ListsEveryFlagButTheLegacyOnes_WithDefaultsAndSupport()
    {
        var help = HelpText.Text;
        foreach (var option in ConfigTable.All)
        {
            var line = $"  --{option.Name} '{option.ShownDefault ?? option.DefaultText}'\n";
            if (option.Group is OptionGroup.Hidden or OptionGroup.Usage)
            {
                Assert.DoesNotContain(line, help);
            }
            else
            {
                Assert.Contains(line, help);
            }
        }
        Assert.Contains("  --data-dir '${name}.cairn'\n", help);
        Assert.Contains("  --cert-file ''\n    Path to the client server TLS certificate file.\n", help);
        Assert.Contains("  --client-crl-file ''\n    Path to the client certificate revocation list. [not supported yet]\n", help);
        Assert.Contains("  --enable-v2 'false'\n    Accept etcd v2 client requests. [accepted; no effect in cairn]\n", help);
        Assert.Contains("  cairn --config-file\n", help);
        Assert.Contains("  cairn --version\n", help);
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("-version")]
    [InlineData("--version=true")]
    public void Version_PrintsEtcdsLineThenCairns(string arg)
    {
        var result = Load(arg);
        Assert.Equal(ConfigAction.PrintVersion, result.Action);
        Assert.False(result.Text.EndsWith('\n'));
        var lines = result.Text.Split('\n');
        Assert.Equal(5, lines.Length);
        Assert.Equal("etcd Version: 3.5.17", lines[0]);
        Assert.Matches(@"^cairn Version: \d+\.\d+\.\d+", lines[1]);
        Assert.StartsWith("Git SHA: ", lines[2]);
        Assert.StartsWith(".NET Version: ", lines[3]);
        Assert.Matches("^OS/Arch: [a-z]+/[a-z0-9]+$", lines[4]);
    }

    [Fact]
    public void VersionFalse_Runs() => Runs(Load("--version=false"));

    [Fact]
    public void Version_WithAPositional_IsAnError_AsInEtcd() => Fails(Load("--version", "extra"), 1);

    [Fact]
    public void Version_IgnoresTheRestOfTheConfiguration() =>
        Assert.Equal(ConfigAction.PrintVersion, Load("--version", "--election-timeout", "1").Action);
}

using Cairn.Configuration;
using static Cairn.Tests.Configuration.ConfigAssert;

namespace Cairn.Tests.Configuration;

/// <summary>The command line as Go's flag package (and so etcd) parses it.</summary>
public sealed class GoFlagSyntaxTests
{
    [Theory]
    [InlineData("-name", "node1")]
    [InlineData("--name", "node1")]
    [InlineData("-name=node1")]
    [InlineData("--name=node1")]
    public void Name_TakesEveryGoSpelling(params string[] args) => Assert.Equal("node1", Runs(Load(args)).Name);

    [Fact]
    public void Value_MayStartWithADash()
    {
        var config = Runs(Load("--name", "-dashed", "--initial-cluster", "-dashed=http://localhost:2380"));
        Assert.Equal("-dashed", config.Name);
    }

    [Fact]
    public void Value_AfterEquals_MayContainEquals()
    {
        var config = Runs(Load("--initial-cluster=a=http://localhost:2380", "--name=a"));
        Assert.Equal("a", Assert.Single(config.InitialCluster).Key);
    }

    [Theory]
    [InlineData(true, "--enable-v2")]
    [InlineData(true, "-enable-v2")]
    [InlineData(true, "--enable-v2=true")]
    [InlineData(true, "--enable-v2=1")]
    [InlineData(true, "--enable-v2=T")]
    [InlineData(false, "--enable-v2=false")]
    [InlineData(false, "--enable-v2=0")]
    [InlineData(false, "--enable-v2=F")]
    public void BoolFlag_StandsAloneOrTakesEquals(bool expected, string arg) =>
        Assert.Equal(expected, Runs(Load(arg)).EnableV2);

    [Fact]
    public void BoolFlag_NeverConsumesTheNextArgument()
    {
        // "false" is not the flag's value: it is the first positional argument, which etcd refuses.
        var message = Fails(Load("--enable-v2", "false"), 1);
        Assert.Equal("cairn: 'false' is not a valid flag. See 'cairn --help'.", message);
        Assert.Equal("n", Runs(Load("--enable-v2", "--name", "n")).Name);
    }

    [Fact]
    public void BoolFlag_WithABadValue_FailsLikeGo()
    {
        var message = Fails(Load("--client-cert-auth=maybe"), 2);
        Assert.StartsWith("cairn: invalid boolean value \"maybe\" for -client-cert-auth: parse error\n", message);
    }

    [Fact]
    public void BareClientCertAuth_ParsesAsTrue()
    {
        Assert.True(Runs(Load("--client-cert-auth")).ClientTransportSecurity.ClientCertAuth);
        Assert.False(Runs(Load("--client-cert-auth=false")).ClientTransportSecurity.ClientCertAuth);
    }

    [Fact]
    public void UnknownFlag_FailsWithGosMessageAndAHint()
    {
        var result = Load("--foo");
        var message = Fails(result, 2);
        Assert.Equal("cairn: flag provided but not defined: -foo\nRun 'cairn --help' for the flags cairn accepts (etcd 3.4's).", message);
    }

    [Theory]
    [InlineData("--listen-client-url", "--listen-client-urls")]
    [InlineData("--data_dir", "--data-dir")]
    [InlineData("--heartbeat-intervall", "--heartbeat-interval")]
    public void UnknownFlag_NearAKnownOne_SuggestsIt(string arg, string suggestion)
    {
        var message = Fails(Load(arg, "x"), 2);
        Assert.Contains($"Did you mean {suggestion}?", message);
    }

    [Fact]
    public void UnknownFlag_IsCaseSensitive_AsInGo() =>
        Assert.Contains("flag provided but not defined: -Name", Fails(Load("--Name", "x"), 2));

    [Fact]
    public void FlagWithoutItsArgument_Fails() =>
        Assert.StartsWith("cairn: flag needs an argument: -name\n", Fails(Load("--name"), 2));

    [Theory]
    [InlineData("---name")]
    [InlineData("-=x")]
    [InlineData("--=x")]
    public void BadSyntax_Fails(string arg) =>
        Assert.StartsWith($"cairn: bad flag syntax: {arg}\n", Fails(Load(arg), 2));

    [Fact]
    public void BadValue_NamesTheFlagAndTheValue() =>
        Assert.StartsWith("cairn: invalid value \"abc\" for flag -heartbeat-interval: parse error\n",
            Fails(Load("--heartbeat-interval", "abc"), 2));

    [Fact]
    public void BadUrl_NamesTheFlagAndEtcdsReason() =>
        Assert.StartsWith("cairn: invalid value \"ftp://1.2.3.4:5\" for flag -listen-peer-urls: URL scheme must be http, https, unix, or unixs: ftp://1.2.3.4:5\n",
            Fails(Load("--listen-peer-urls", "ftp://1.2.3.4:5"), 2));

    [Fact]
    public void BadChoice_IsAnInvalidValue() =>
        Assert.StartsWith("cairn: invalid value \"bogus\" for flag -initial-cluster-state: invalid value\n",
            Fails(Load("--initial-cluster-state", "bogus"), 2));

    [Fact]
    public void Positional_IsAnError_AndStopsFlagParsing()
    {
        Assert.Equal("cairn: 'serve' is not a valid flag. See 'cairn --help'.", Fails(Load("serve", "--name", "x"), 1));
        Assert.Contains("etcd's 'gateway' subcommand is not part of cairn", Fails(Load("gateway"), 1));
    }

    [Fact]
    public void DoubleDash_EndsTheFlags()
    {
        Assert.Equal("x", Runs(Load("--name", "x", "--")).Name);
        Assert.Equal("cairn: '--name' is not a valid flag. See 'cairn --help'.", Fails(Load("--", "--name", "x"), 1));
    }

    [Fact]
    public void SingleDash_IsPositional() =>
        Assert.Equal("cairn: '-' is not a valid flag. See 'cairn --help'.", Fails(Load("-"), 1));

    [Fact]
    public void RepeatedFlag_KeepsTheLastValue() =>
        Assert.Equal("second", Runs(Load("--name", "first", "--name=second")).Name);

    [Theory]
    [InlineData("--snapshot")]
    [InlineData("-v")]
    [InlineData("--peer-election-timeout=5")]
    public void LegacyFlags_AreIgnoredWithEtcdsWarning(string arg)
    {
        var result = Load(arg);
        Runs(result);
        var name = arg.TrimStart('-').Split('=')[0];
        Assert.Contains($"flag \"-{name}\" is no longer supported - ignoring.", result.Warnings);
    }

    [Fact]
    public void NumericFlags_TakeGoIntegerSyntax()
    {
        var config = Runs(Load("--heartbeat-interval", "0x10", "--election-timeout", "1_000", "--max-txn-ops", "0200"));
        Assert.Equal(16, config.HeartbeatIntervalMs);
        Assert.Equal(1000, config.ElectionTimeoutMs);
        Assert.Equal(128, config.MaxTxnOps);
    }

    [Fact]
    public void UnsignedFlag_RefusesANegativeNumber() =>
        Assert.StartsWith("cairn: invalid value \"-1\" for flag -max-txn-ops: parse error\n", Fails(Load("--max-txn-ops", "-1"), 2));

    [Fact]
    public void IntSettings_RefuseValuesPastInt32_NamingCairnsLimit() =>
        Assert.StartsWith("cairn: invalid value \"4294967296\" for flag -max-request-bytes: value out of range (cairn accepts at most 2147483647)\n",
            Fails(Load("--max-request-bytes", "4294967296"), 2));

    [Fact]
    public void Parse_ErrorBeforeHelp_Wins_AndHelpBeforeAnError_Wins()
    {
        Fails(Load("--foo", "--help"), 2);
        Assert.Equal(ConfigAction.PrintHelp, Load("--help", "--foo").Action);
    }
}

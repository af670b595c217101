using Cairn.Configuration;
using static Cairn.Tests.Configuration.ConfigAssert;

namespace Cairn.Tests.Configuration;

/// <summary>A flag cairn does not implement yet is refused when set to anything but its default; never ignored.</summary>
public sealed class UnsupportedFlagTests
{
    public static TheoryData<string> NotYetRows =>
        [.. ConfigTable.All.Where(o => o.Support == OptionSupport.NotYet).Select(o => o.Name)];

    [Theory]
    [MemberData(nameof(NotYetRows))]
    public void NonDefaultValue_IsRefusedNamingTheFlagAndItsDefault(string name)
    {
        var option = ConfigTable.Get(name);
        var message = Fails(Load($"--{name}={OtherValue(option)}"), 1);
        Assert.Equal($"cairn: --{name} is not supported by this version of cairn; remove it or set it to its default '{option.DefaultText}'", message);
    }

    [Theory]
    [MemberData(nameof(NotYetRows))]
    public void DefaultValue_IsFine(string name) =>
        Runs(Load($"--{name}={ConfigTable.Get(name).DefaultText}"));

    [Theory]
    [InlineData("--max-wals", "0x5")]
    [InlineData("--grpc-keepalive-interval", "120m")]
    [InlineData("--cors", "*")]
    [InlineData("--pre-vote=F")]
    [InlineData("--max-concurrent-streams", "0xffffffff")]
    public void ASpellingOfTheDefault_IsFine(params string[] args) => Runs(Load(args));

    [Fact]
    public void SeveralUnsupportedFlags_AreAllNamed()
    {
        var message = Fails(Load("--client-crl-file", "/crl", "--wal-dir", "/wal", "--enable-pprof"), 1);
        Assert.Equal(
            "cairn: --wal-dir is not supported by this version of cairn; remove it or set it to its default ''\n" +
            "cairn: --client-crl-file is not supported by this version of cairn; remove it or set it to its default ''\n" +
            "cairn: --enable-pprof is not supported by this version of cairn; remove it or set it to its default 'false'", message);
    }

    [Theory]
    [InlineData("--enable-v2")]
    [InlineData("--experimental-backend-bbolt-freelist-type=map")]
    public void AcceptedFlags_TakeAnyValue(string arg) => Runs(Load(arg));

    [Fact]
    public void SupportedRows_ReachServerConfig()
    {
        var config = Runs(Load(
            "--name", "n", "--data-dir", "/d", "--snapshot-count", "5", "--quota-backend-bytes", "1024",
            "--max-txn-ops", "10", "--max-request-bytes", "2048", "--initial-cluster-state", "existing",
            "--initial-cluster-token", "t", "--logger", "zap", "--log-outputs", "stdout", "--log-level", "debug",
            "--listen-peer-urls", "http://127.0.0.1:12380", "--initial-advertise-peer-urls", "http://127.0.0.1:12380"));
        Assert.Equal(("n", "/d", 5UL, 1024L, 10, 2048), (config.Name, config.DataDir, config.SnapshotCount, config.QuotaBackendBytes, config.MaxTxnOps, config.MaxRequestBytes));
        Assert.Equal(("existing", "t", "zap", "debug"), (config.InitialClusterState, config.InitialClusterToken, config.Logger, config.LogLevel));
        Assert.Equal(["stdout"], config.LogOutputs);
        Assert.Equal(["http://127.0.0.1:12380"], Texts(config.ListenPeerUrls));
        Assert.Equal(["http://127.0.0.1:12380"], Texts(Assert.Single(config.InitialCluster).Value));
    }
}

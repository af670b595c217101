using Cairn.Configuration;
using static Cairn.Tests.Configuration.ConfigAssert;

namespace Cairn.Tests.Configuration;

/// <summary>etcd's checks of a whole configuration, with its messages (exit code 1).</summary>
public sealed class ValidationTests
{
    private const string SeeHelp = "\nSee 'cairn --help'.";

    [Theory]
    [InlineData("--election-timeout[400ms] should be at least as 5 times as --heartbeat-interval[100ms]", "--election-timeout", "400")]
    [InlineData("--election-timeout[499ms] should be at least as 5 times as --heartbeat-interval[100ms]", "--election-timeout", "499")]
    [InlineData("--heartbeat-interval must be >0 (set to 0ms)", "--heartbeat-interval", "0")]
    [InlineData("--election-timeout must be >0 (set to 0ms)", "--election-timeout", "0")]
    [InlineData("--election-timeout[60000ms] is too long, and should be set less than 50000ms", "--election-timeout", "60000")]
    [InlineData("expected IP in URL for binding (http://example.com:2380)", "--listen-peer-urls", "http://example.com:2380")]
    [InlineData("--initial-advertise-peer-urls \"http://:2380\" must be \"host:port\" (unexpected empty host (http://:2380))",
        "--initial-advertise-peer-urls", "http://:2380")]
    [InlineData("unknown logger option \"bogus\"", "--logger", "bogus")]
    [InlineData("--logger=capnslog supports only 1 value in '--log-outputs', got [\"stderr\" \"stdout\"]", "--log-outputs", "stdout,stderr")]
    [InlineData("unknown log-output \"/var/log/cairn.log\" (only supports \"default\", \"stderr\", \"stdout\")", "--log-outputs", "/var/log/cairn.log")]
    [InlineData("unknown log level \"bogus\" for --log-level (only supports debug, info, warn, error, panic, or fatal)", "--log-level", "bogus")]
    public void InvalidSetting_FailsWithEtcdsMessage(string message, string flag, string value) =>
        Assert.Equal($"cairn: {message}{SeeHelp}", Fails(Load(flag, value), 1));

    [Fact]
    public void ElectionTimeout_OfExactlyFiveHeartbeats_IsFine() =>
        Runs(Load("--heartbeat-interval", "200", "--election-timeout", "1000"));

    [Fact]
    public void ZapLogger_TakesSeveralOutputs_ButNotDefaultAmongThem()
    {
        Assert.Equal(["/var/log/cairn.log", "stderr"], Runs(Load("--logger", "zap", "--log-outputs", "stderr,/var/log/cairn.log")).LogOutputs);
        Assert.Equal($"cairn: multi logoutput for \"default\" is not supported yet{SeeHelp}",
            Fails(Load("--logger", "zap", "--log-outputs", "default,stderr"), 1));
    }

    [Fact]
    public void ListenClientUrls_WithoutAdvertiseClientUrls_Fails()
    {
        const string expected = "cairn: --advertise-client-urls is required when --listen-client-urls is set explicitly\n" +
            "When listening on specific address(es), this member must advertise accessible url(s) to each connected client." + SeeHelp;
        Assert.Equal(expected, Fails(Load("--listen-client-urls", "http://127.0.0.1:12379"), 1));
        Assert.Equal(expected, Fails(LoadWithEnv(new Dictionary<string, string> { ["ETCD_LISTEN_CLIENT_URLS"] = "http://127.0.0.1:12379" }), 1));
        Runs(Load("--listen-client-urls", "http://127.0.0.1:12379", "--advertise-client-urls", "http://127.0.0.1:12379"));
    }

    [Fact]
    public void UnixSockets_NeedNoIp() =>
        Runs(Load("--listen-client-urls", "unix://localhost:12379", "--advertise-client-urls", "unix://localhost:12379"));

    [Fact]
    public void InitialClusterUrl_CairnCannotHold_FailsClearly() =>
        Assert.Equal($"cairn: --initial-cluster: cairn cannot use the URL \"http://:2380\" (it needs a host name or address and a port){SeeHelp}",
            Fails(Load("--initial-cluster", "default=http://:2380"), 1));

    [Fact]
    public void BadInitialCluster_FailsAtParse() =>
        Assert.StartsWith("cairn: invalid value \"node1\" for flag -initial-cluster: entry \"node1\" is not of the form name=URL\n",
            Fails(Load("--initial-cluster", "node1"), 2));

    [Fact]
    public void NameThatCannotFormAClusterEntry_AsksForAnInitialCluster() =>
        Assert.StartsWith("cairn: cannot derive --initial-cluster \"a=b=http://localhost:2380\"",
            Fails(Load("--name", "a=b"), 1));

    /// <summary>Checks on rows not supported yet, reached through the builder as a later issue will reach them.</summary>
    [Theory]
    [InlineData("unknown auto-compaction-mode \"hourly\"", "auto-compaction-mode=hourly")]
    [InlineData("setting experimental-enable-lease-checkpoint-persist requires experimental-enable-lease-checkpoint",
        "experimental-enable-lease-checkpoint-persist=true")]
    [InlineData("multiple discovery or bootstrap flags are set. Choose one of \"initial-cluster\", \"discovery\" or \"discovery-srv\"",
        "discovery-srv=example.com", "initial-cluster=default=http://localhost:2380")]
    public void NotYetSupportedRows_AreValidatedLikeEtcd(string message, params string[] given)
    {
        var settings = new ResolvedSettings(given.Select(g => DefaultsTests.Given(g[..g.IndexOf('=')], g[(g.IndexOf('=') + 1)..])));
        Assert.Null(ServerConfigBuilder.Build(settings, fromConfigFile: false, [], out var error));
        Assert.Equal(message, error);
    }
}

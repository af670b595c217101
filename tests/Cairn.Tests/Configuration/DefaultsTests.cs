using Cairn.Configuration;
using Cairn.Server.Membership;
using static Cairn.Tests.Configuration.ConfigAssert;

namespace Cairn.Tests.Configuration;

/// <summary>etcd 3.4's defaults, and the values etcd derives from other flags.</summary>
public sealed class DefaultsTests
{
    [Fact]
    public void NoFlags_GiveEtcdsDefaults()
    {
        var result = Load();
        var config = Runs(result);
        Assert.Equal("default", config.Name);
        Assert.Equal("default.cairn", config.DataDir);
        Assert.Equal(["http://localhost:2379"], Texts(config.ListenClientUrls));
        Assert.Equal(["http://localhost:2379"], Texts(config.AdvertiseClientUrls));
        Assert.Equal(["http://localhost:2380"], Texts(config.ListenPeerUrls));
        Assert.Equal(["http://localhost:2380"], Texts(config.InitialAdvertisePeerUrls));
        var member = Assert.Single(config.InitialCluster);
        Assert.Equal("default", member.Key);
        Assert.Equal(["http://localhost:2380"], Texts(member.Value));
        Assert.Equal("new", config.InitialClusterState);
        Assert.Equal("etcd-cluster", config.InitialClusterToken);
        Assert.Equal(100, config.HeartbeatIntervalMs);
        Assert.Equal(1000, config.ElectionTimeoutMs);
        Assert.Equal(100_000UL, config.SnapshotCount);
        Assert.Equal(0, config.QuotaBackendBytes);
        Assert.Equal(1_572_864, config.MaxRequestBytes);
        Assert.Equal(128, config.MaxTxnOps);
        Assert.Equal("info", config.LogLevel);
        Assert.Equal("capnslog", config.Logger);
        Assert.Equal(["default"], config.LogOutputs);
        Assert.Equal("simple", config.AuthToken);
        Assert.Equal(300, config.AuthTokenTtlSeconds);
        Assert.False(config.EnableV2);
        Assert.True(config.StrictReconfigCheck);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Defaults_GiveEtcdsDefaultMemberId()
    {
        var config = Runs(Load());
        var id = MemberIds.ComputeMemberId(config.InitialAdvertisePeerUrls.Select(u => u.OriginalString), config.InitialClusterToken);
        Assert.Equal("8e9e05c52164694d", MemberIds.ToHex(id));
    }

    [Fact]
    public void Name_DerivesTheDataDirAndTheInitialCluster()
    {
        var config = Runs(Load("--name", "infra1"));
        Assert.Equal("infra1.cairn", config.DataDir);
        Assert.Equal("infra1", Assert.Single(config.InitialCluster).Key);
    }

    [Fact]
    public void AdvertisedPeerUrls_DeriveTheInitialCluster()
    {
        var config = Runs(Load("--name", "a", "--initial-advertise-peer-urls", "http://127.0.0.1:12380,http://127.0.0.2:12380"));
        var member = Assert.Single(config.InitialCluster);
        Assert.Equal("a", member.Key);
        Assert.Equal(["http://127.0.0.1:12380", "http://127.0.0.2:12380"], Texts(member.Value));
    }

    /// <summary>etcd re-derives the cluster only for another name; "default" keeps default=http://localhost:2380,
    /// which etcd's bootstrap then compares with the advertised URLs (resolving localhost).</summary>
    [Fact]
    public void DefaultName_KeepsTheDefaultInitialCluster_WhateverThePeerUrls()
    {
        var config = Runs(Load("--initial-advertise-peer-urls", "http://127.0.0.1:2380"));
        var member = Assert.Single(config.InitialCluster);
        Assert.Equal("default", member.Key);
        Assert.Equal(["http://localhost:2380"], Texts(member.Value));
    }

    [Fact]
    public void EmptyName_DerivesTheDefaultMemberName_AsEtcdDoes()
    {
        var config = Runs(Load("--name="));
        Assert.Equal(".cairn", config.DataDir);
        Assert.Equal("default", Assert.Single(config.InitialCluster).Key);
    }

    [Fact]
    public void ExplicitDataDirAndCluster_AreKept()
    {
        var config = Runs(Load("--name", "a", "--data-dir", "/d", "--initial-cluster", "a=http://localhost:2380,b=http://10.0.0.2:2380"));
        Assert.Equal("/d", config.DataDir);
        Assert.Equal(["a", "b"], config.InitialCluster.Select(m => m.Key));
    }

    [Fact]
    public void Discovery_LeavesTheInitialClusterEmpty()
    {
        var settings = new ResolvedSettings([Given("discovery", "https://discovery.example/abc")]);
        var config = ServerConfigBuilder.Build(settings, fromConfigFile: false, [], out var error);
        Assert.Null(error);
        Assert.Empty(config!.InitialCluster);
    }

    [Fact]
    public void DeprecatedDebug_MeansDebugLevel_WithAWarning()
    {
        var result = Load("--debug", "--log-level", "warn");
        Assert.Equal("debug", Runs(result).LogLevel);
        Assert.Contains("deprecated '--debug' flag is set to true (use '--log-level=debug' instead)", result.Warnings);
        Assert.Contains(result.Warnings, w => w.Contains("inconsistent '--log-level=warn'", StringComparison.Ordinal));
    }

    [Fact]
    public void DeprecatedLogOutput_FeedsLogOutputs_WithAWarning()
    {
        var result = Load("--log-output", "stderr");
        Assert.Equal(["stderr"], Runs(result).LogOutputs);
        Assert.Contains("'--log-output' flag has been deprecated! Please use '--log-outputs'!", result.Warnings);
        Assert.Equal("cairn: both '--log-output' and '--log-outputs' are set; only set '--log-outputs'\nSee 'cairn --help'.",
            Fails(Load("--log-output", "stderr", "--log-outputs", "stdout"), 1));
    }

    [Fact]
    public void UrlsOriginalString_IsTheTextEtcdHashes()
    {
        var config = Runs(Load("--initial-advertise-peer-urls", "HTTP://LocalHost:80", "--listen-peer-urls", "http://127.0.0.1:80"));
        Assert.Equal("http://LocalHost:80", Assert.Single(config.InitialAdvertisePeerUrls).OriginalString);
    }

    [Fact]
    public void LargeLimits_GetEtcdsAdvisoryWarnings()
    {
        var result = Load("--max-request-bytes", "20971520", "--quota-backend-bytes", "17179869184");
        Runs(result);
        Assert.Contains("--max-request-bytes 20971520 exceeds the recommended maximum of 10485760 bytes", result.Warnings);
        Assert.Contains("--quota-backend-bytes 17179869184 exceeds the recommended maximum quota of 8589934592 bytes", result.Warnings);
    }

    internal static Setting Given(string name, string text)
    {
        var option = ConfigTable.Get(name);
        Assert.True(OptionValues.TryParse(option, text, out var value, out var error), error);
        return new Setting(option, text, value, SettingSource.CommandLine, "--" + name);
    }
}

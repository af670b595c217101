using System.Reflection;
using Cairn.Configuration;
using Cairn.Server.Configuration;

namespace Cairn.Tests.Configuration;

public sealed class ConfigTableTests
{
    private static readonly string[] CommandLineOnly = ["config-file", "version"];

    public static TheoryData<string> RowNames => [.. ConfigTable.All.Select(o => o.Name)];

    [Fact]
    public void EveryRow_HasAVariableAndAYamlKey_ExceptTheCommandLineOnlyFlags()
    {
        foreach (var option in ConfigTable.All)
        {
            Assert.StartsWith("ETCD_", option.EnvVar);
            if (CommandLineOnly.Contains(option.Name))
            {
                Assert.Null(option.YamlKey);
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(option.YamlKey), $"--{option.Name} has no YAML key");
            }
        }
    }

    [Fact]
    public void NamesVariablesAndYamlKeys_AreUnique()
    {
        Assert.Equal(ConfigTable.All.Count, ConfigTable.All.Select(o => o.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(ConfigTable.All.Count, ConfigTable.All.Select(o => o.EnvVar).Distinct(StringComparer.Ordinal).Count());
        var yamlKeys = ConfigTable.All.Where(o => o.YamlKey is not null).Select(o => o.YamlKey!).ToList();
        Assert.Equal(yamlKeys.Count, yamlKeys.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Theory]
    [InlineData("listen-client-urls", "ETCD_LISTEN_CLIENT_URLS")]
    [InlineData("name", "ETCD_NAME")]
    [InlineData("experimental-enable-v2v3", "ETCD_EXPERIMENTAL_ENABLE_V2V3")]
    [InlineData("test.coverprofile", "ETCD_TEST.COVERPROFILE")]
    public void EnvVar_IsUpperCasedWithDashesAsUnderscores(string name, string variable)
    {
        Assert.Equal(variable, ConfigTable.Get(name).EnvVar);
        Assert.Same(ConfigTable.Get(name), ConfigTable.FindByEnvVar(variable));
    }

    [Theory]
    [MemberData(nameof(RowNames))]
    public void Default_ParsesAndIsItsOwnDefault(string name)
    {
        var option = ConfigTable.Get(name);
        Assert.True(OptionValues.TryParse(option, option.DefaultText, out var value, out var error), error);
        Assert.True(OptionValues.IsDefault(option, value));
        if (option.Kind == OptionKind.Choice)
        {
            Assert.Contains(option.DefaultText, option.Allowed);
        }
    }

    [Fact]
    public void TlsRows_LiveUnderTheTransportSecuritySections()
    {
        var expected = new Dictionary<string, string>
        {
            ["cert-file"] = "client-transport-security.cert-file",
            ["key-file"] = "client-transport-security.key-file",
            ["client-cert-auth"] = "client-transport-security.client-cert-auth",
            ["trusted-ca-file"] = "client-transport-security.trusted-ca-file",
            ["auto-tls"] = "client-transport-security.auto-tls",
            ["client-crl-file"] = "client-transport-security.crl-file",
            ["client-cert-allowed-hostname"] = "client-transport-security.allowed-hostname",
            ["peer-cert-file"] = "peer-transport-security.cert-file",
            ["peer-key-file"] = "peer-transport-security.key-file",
            ["peer-client-cert-auth"] = "peer-transport-security.client-cert-auth",
            ["peer-trusted-ca-file"] = "peer-transport-security.trusted-ca-file",
            ["peer-auto-tls"] = "peer-transport-security.auto-tls",
            ["peer-cert-allowed-cn"] = "peer-transport-security.allowed-cn",
            ["peer-cert-allowed-hostname"] = "peer-transport-security.allowed-hostname",
            ["peer-crl-file"] = "peer-transport-security.crl-file",
            ["experimental-peer-skip-client-san-verification"] = "peer-transport-security.skip-client-san-verification",
        };
        foreach (var (name, key) in expected)
        {
            Assert.Equal(key, ConfigTable.Get(name).YamlKey);
        }
        Assert.Equal(["client-transport-security", "peer-transport-security"], ConfigTable.YamlSections.Order());
    }

    [Fact]
    public void SupportedSet_IsTheOneThisVersionImplements()
    {
        string[] supported =
        [
            "config-file", "version", "name", "data-dir", "snapshot-count", "heartbeat-interval", "election-timeout",
            "listen-peer-urls", "listen-client-urls", "quota-backend-bytes", "max-txn-ops", "max-request-bytes",
            "initial-advertise-peer-urls", "initial-cluster", "initial-cluster-state", "initial-cluster-token",
            "advertise-client-urls", "logger", "log-outputs", "log-level", "debug", "log-output",
            "cert-file", "key-file", "client-cert-auth", "client-cert-allowed-hostname", "trusted-ca-file", "auto-tls",
            "peer-cert-file", "peer-key-file", "peer-client-cert-auth", "peer-trusted-ca-file", "peer-cert-allowed-cn",
            "peer-cert-allowed-hostname", "peer-auto-tls", "cipher-suites", "experimental-peer-skip-client-san-verification",
            "experimental-watch-progress-notify-interval",
        ];
        Assert.Equal(supported.Order(), ConfigTable.All.Where(o => o.Support == OptionSupport.Supported).Select(o => o.Name).Order());
        Assert.Equal(["enable-v2", "experimental-backend-bbolt-freelist-type"],
            ConfigTable.All.Where(o => o.Support == OptionSupport.Accepted).Select(o => o.Name).Order());
        Assert.All(ConfigTable.All.Where(o => o.Support == OptionSupport.Ignored), o => Assert.Equal(OptionKind.Ignored, o.Kind));
    }

    [Fact]
    public void RowsWithoutAServerSetting_AreOnlyTheMetaDeprecatedProxyAndLegacyFlags()
    {
        string[] folded = ["config-file", "version", "debug", "log-output"];
        var without = ConfigTable.All.Where(o => o.Apply is null).ToList();
        Assert.All(without, o => Assert.True(
            folded.Contains(o.Name) || o.Group == OptionGroup.Proxy || o.Support == OptionSupport.Ignored, o.Name));
    }

    /// <summary>Each row's Apply writes its own ServerConfig setting and no other row's.</summary>
    [Fact]
    public void EveryApply_ChangesADistinctServerSetting()
    {
        var baseline = Snapshot(new ServerConfig());
        var owner = new Dictionary<string, string>();
        foreach (var option in ConfigTable.All.Where(o => o.Apply is not null))
        {
            Assert.True(OptionValues.TryParse(option, ConfigAssert.OtherValue(option), out var value, out var error), error);
            var changed = Snapshot(option.Apply!(new ServerConfig(), value))
                .Where(p => baseline[p.Key] != p.Value).Select(p => p.Key).ToList();
            Assert.True(changed.Count == 1, $"--{option.Name} changes [{string.Join(", ", changed)}]");
            Assert.True(owner.TryAdd(changed[0], option.Name), $"--{option.Name} and --{owner.GetValueOrDefault(changed[0])} both set {changed[0]}");
        }
    }

    /// <summary>A row's default applied to a fresh ServerConfig leaves it unchanged: the two agree on defaults.</summary>
    [Fact]
    public void EveryApply_OfTheDefault_LeavesServerConfigDefaults()
    {
        var baseline = Snapshot(new ServerConfig());
        foreach (var option in ConfigTable.All.Where(o => o.Apply is not null && o.Name is not ("data-dir" or "initial-cluster")))
        {
            var applied = Snapshot(option.Apply!(new ServerConfig(), option.DefaultValue));
            Assert.True(baseline.SequenceEqual(applied), $"--{option.Name}'s default differs from ServerConfig's");
        }
    }

    /// <summary>Every leaf setting of ServerConfig as text (lists joined, TLS records expanded).</summary>
    private static Dictionary<string, string> Snapshot(ServerConfig config)
    {
        var result = new Dictionary<string, string>();
        foreach (var property in typeof(ServerConfig).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var value = property.GetValue(config);
            if (value is TransportSecurity tls)
            {
                foreach (var inner in typeof(TransportSecurity).GetProperties())
                {
                    result[$"{property.Name}.{inner.Name}"] = Text(inner.GetValue(tls));
                }
            }
            else
            {
                result[property.Name] = Text(value);
            }
        }
        return result;
    }

    private static string Text(object? value) => value switch
    {
        Uri uri => uri.OriginalString,
        KeyValuePair<string, IReadOnlyList<Uri>> member => member.Key + "=" + Text(member.Value),
        string s => s,
        System.Collections.IEnumerable list => "[" + string.Join(",", list.Cast<object>().Select(Text)) + "]",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}

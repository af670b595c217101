using System.Text.RegularExpressions;
using Cairn.Configuration;
using Cairn.Testing;

namespace Cairn.Tests.Configuration;

/// <summary>
/// The table against the installed etcd 3.4.23: every flag `etcd --help` lists is a row with the same default,
/// every row is a flag etcd defines with the same boolean-ness, and etcd and cairn refuse the same bad command
/// lines with the same exit code and message. etcd only ever runs here with a configuration it refuses, so it
/// never starts a server.
/// </summary>
[Collection("Processes")]
public sealed partial class EtcdFlagDifferentialTests
{
    /// <summary>Defaults that differ on purpose, or that etcd's help shows in a form that is not a value.</summary>
    private static readonly Dictionary<string, string> HelpDefaultDeviations = new()
    {
        ["data-dir"] = "${name}.etcd",                 // cairn: ${name}.cairn, never an etcd data dir
        ["max-concurrent-streams"] = "math.MaxUint32", // cairn shows the number, 4294967295
        ["backend-batch-interval"] = "",               // etcd shows '' for its zero duration; cairn shows 0s
    };

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(20);

    [Fact(Timeout = Hang.Default)]
    public async Task EveryFlagInEtcdHelp_IsInTheTable_WithEtcdsDefault()
    {
        var help = await RunEtcdAsync(["--help"]);
        var text = help.Stdout + help.Stderr;
        var listed = HelpFlagLine().Matches(text).Select(m => (Name: m.Groups[1].Value, Default: m.Groups[2].Value)).ToList();
        Assert.True(listed.Count >= 80, $"`etcd --help` listed only {listed.Count} flags:\n{text}");

        var usageFlags = UsageFlagLine().Matches(text).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["version", "help", "config-file"], usageFlags);

        foreach (var (name, shown) in listed)
        {
            var option = ConfigTable.FindByName(name);
            Assert.True(option is not null, $"etcd's --{name} is missing from ConfigTable");
            Assert.NotEqual(OptionGroup.Hidden, option.Group);
            var etcdDefault = shown.Trim('\'');
            if (HelpDefaultDeviations.TryGetValue(name, out var deviation))
            {
                Assert.Equal(deviation, etcdDefault);
                continue;
            }
            Assert.True(OptionValues.TryParse(option, etcdDefault, out var value, out var error),
                $"etcd's default of --{name}, '{etcdDefault}', does not parse: {error}");
            Assert.True(OptionValues.IsDefault(option, value), $"--{name}: etcd's default is '{etcdDefault}', the table's '{option.DefaultText}'");
        }
        Assert.NotNull(ConfigTable.FindByName("version"));
        Assert.NotNull(ConfigTable.FindByName("config-file"));
    }

    /// <summary>
    /// `etcd --election-timeout 1 --NAME` tells whether etcd defines NAME and whether it is boolean: a boolean parses
    /// and then fails validation (exit 1), a valued flag lacks its argument (exit 2), an unknown one is "not defined".
    /// </summary>
    [Fact(Timeout = Hang.Default)]
    public async Task EveryTableRow_IsAFlagEtcdDefines_WithTheSameBooleanness()
    {
        var problems = new List<string>();
        foreach (var option in ConfigTable.All)
        {
            var result = await RunEtcdAsync(["--election-timeout", "1", "--" + option.Name]);
            var output = result.Stdout + result.Stderr;
            if (output.Contains("flag provided but not defined", StringComparison.Ordinal))
            {
                problems.Add($"--{option.Name}: etcd does not define it");
            }
            else if (option.IsBoolLike == output.Contains($"flag needs an argument: -{option.Name}", StringComparison.Ordinal))
            {
                problems.Add($"--{option.Name}: the table says boolean={option.IsBoolLike}, etcd disagrees (exit {result.ExitCode}: {FirstLine(output)})");
            }
            else if (option.IsBoolLike && option.Name != "version" && result.ExitCode != 1)
            {
                problems.Add($"--{option.Name}: expected etcd to parse it and fail validation, got exit {result.ExitCode}: {FirstLine(output)}");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    public static TheoryData<string, int, string[]> RefusedCommandLines => new()
    {
        { "flag provided but not defined: -foo", 2, ["--foo"] },
        { "flag needs an argument: -name", 2, ["--name"] },
        { "invalid value \"abc\" for flag -heartbeat-interval: parse error", 2, ["--heartbeat-interval", "abc"] },
        { "invalid boolean value \"maybe\" for -client-cert-auth: parse error", 2, ["--client-cert-auth=maybe"] },
        { "invalid value \"bogus\" for flag -initial-cluster-state: invalid value", 2, ["--initial-cluster-state", "bogus"] },
        { "invalid value \"-1\" for flag -max-txn-ops: parse error", 2, ["--max-txn-ops", "-1"] },
        { "invalid value \"5x\" for flag -backend-batch-interval: parse error", 2, ["--backend-batch-interval", "5x"] },
        { "invalid value \"5000000000\" for flag -max-concurrent-streams: ", 2, ["--max-concurrent-streams", "5000000000"] },
        { "URL scheme must be http, https, unix, or unixs: ftp://1.2.3.4:5", 2, ["--listen-peer-urls", "ftp://1.2.3.4:5"] },
        { "URL must not contain a path: http://1.2.3.4:5/path", 2, ["--listen-client-urls", "http://1.2.3.4:5/path"] },
        { "URL address does not have the form \"host:port\": http://1.2.3.4", 2, ["--listen-client-urls", "http://1.2.3.4"] },
        { "bad flag syntax: ---name", 2, ["---name"] },
        { "'positional' is not a valid flag", 1, ["positional"] },
        { "'false' is not a valid flag", 1, ["--enable-v2", "false"] },
        { "--election-timeout[400ms] should be at least as 5 times as --heartbeat-interval[100ms]", 1, ["--election-timeout", "400"] },
        { "--election-timeout[1ms] should be at least as 5 times as --heartbeat-interval[16ms]", 1, ["--heartbeat-interval", "0x10", "--election-timeout", "1"] },
        { "--heartbeat-interval must be >0 (set to 0ms)", 1, ["--heartbeat-interval", "0"] },
        { "--election-timeout[60000ms] is too long, and should be set less than 50000ms", 1, ["--election-timeout", "60000"] },
        { "expected IP in URL for binding (http://example.com:5)", 1, ["--listen-peer-urls", "http://example.com:5"] },
        { "--advertise-client-urls is required when --listen-client-urls is set explicitly", 1, ["--listen-client-urls", "http://127.0.0.1:2379"] },
        { "--initial-advertise-peer-urls \"http://:5\" must be \"host:port\" (unexpected empty host (http://:5))", 1, ["--initial-advertise-peer-urls", "http://:5"] },
        { "unknown logger option \"bogus\"", 1, ["--logger", "bogus"] },
        { "--logger=capnslog supports only 1 value in '--log-outputs', got [\"a\" \"b\"]", 1, ["--log-outputs", "a,b"] },
        { "multi logoutput for \"default\" is not supported yet", 1, ["--logger", "zap", "--log-outputs", "default,stderr"] },
    };

    [Theory(Timeout = Hang.Default)]
    [MemberData(nameof(RefusedCommandLines))]
    public async Task BadCommandLine_IsRefusedLikeEtcd(string message, int exitCode, string[] args)
    {
        var etcd = await RunEtcdAsync(args);
        Assert.True(etcd.ExitCode == exitCode && (etcd.Stdout + etcd.Stderr).Contains(message, StringComparison.Ordinal),
            $"the expectation does not hold for etcd itself: {etcd}");

        var cairn = ConfigLoader.Load(args, new Dictionary<string, string>());
        Assert.Equal(ConfigAction.Fail, cairn.Action);
        Assert.Equal(exitCode, cairn.ExitCode);
        Assert.Contains(message, cairn.Text, StringComparison.Ordinal);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task InvalidVariable_IsRefusedLikeEtcd()
    {
        const string message = "invalid value \"abc\" for ETCD_HEARTBEAT_INTERVAL: parse error";
        var etcd = await RunEtcdAsync([], ("ETCD_HEARTBEAT_INTERVAL", "abc"));
        Assert.Equal(1, etcd.ExitCode);
        Assert.Contains(message, etcd.Stderr, StringComparison.Ordinal);

        var cairn = ConfigLoader.Load([], new Dictionary<string, string> { ["ETCD_HEARTBEAT_INTERVAL"] = "abc" });
        Assert.Equal(1, cairn.ExitCode);
        Assert.Contains(message, cairn.Text, StringComparison.Ordinal);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task UnknownVariable_IsWarnedLikeEtcd()
    {
        // --election-timeout 1 makes etcd stop after reading its environment.
        var etcd = await RunEtcdAsync(["--election-timeout", "1"], ("ETCD_CLUSTER_NODE_LIST", "a=http://127.0.0.1:2380"));
        Assert.Contains("unrecognized environment variable ETCD_CLUSTER_NODE_LIST=a=http://127.0.0.1:2380", etcd.Stderr, StringComparison.Ordinal);

        var cairn = ConfigLoader.Load([], new Dictionary<string, string> { ["ETCD_CLUSTER_NODE_LIST"] = "a=http://127.0.0.1:2380" });
        Assert.Contains("unrecognized environment variable ETCD_CLUSTER_NODE_LIST=a=http://127.0.0.1:2380", cairn.Warnings);
    }

    /// <summary>Runs the installed etcd with only the given ETCD_* variables, in an empty directory.</summary>
    private static async Task<CommandResult> RunEtcdAsync(string[] args, params (string Key, string Value)[] variables)
    {
        var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("ETCD", StringComparison.Ordinal))
            .ToDictionary(k => k, string? (_) => null);
        foreach (var (key, value) in variables)
        {
            environment[key] = value;
        }
        var directory = Directory.CreateTempSubdirectory("cairn-etcd-flags-");
        try
        {
            environment["HOME"] = directory.FullName;
            return await ProcessRunner.RunAsync("/usr/bin/env",
                ["-C", directory.FullName, EtcdPath(), .. args], environment, timeout: ProbeTimeout);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string EtcdPath()
    {
        try
        {
            return ServerBinary.Etcd.FileName;
        }
        catch (FileNotFoundException e)
        {
            throw new InvalidOperationException(
                "these tests compare cairn's flags with real etcd 3.4, which is not installed: install it with " +
                $"'apt-get install etcd-server' (or set ETCD_BIN). {e.Message}", e);
        }
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0];

    [GeneratedRegex(@"^  --([a-z0-9.-]+) ('[^'\n]*'|\S+)$", RegexOptions.Multiline)]
    private static partial Regex HelpFlagLine();

    [GeneratedRegex(@"^  etcd (?:-h \| )?--([a-z-]+)$", RegexOptions.Multiline)]
    private static partial Regex UsageFlagLine();
}

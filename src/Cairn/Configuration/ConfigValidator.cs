namespace Cairn.Configuration;

/// <summary>
/// etcd's checks of a complete configuration (embed.Config.Validate and its logging setup), in etcd's order and
/// with its messages, plus the few cairn needs (a known log level, URLs cairn can hold). Returns the first error.
/// </summary>
internal static class ConfigValidator
{
    /// <summary>etcd's maxElectionMs.</summary>
    public const ulong MaxElectionMs = 50_000;

    public static readonly IReadOnlyList<string> LogLevels = ["debug", "info", "warn", "error", "dpanic", "panic", "fatal"];

    /// <param name="settings">Settings after the builder's derivations.</param>
    /// <param name="fromConfigFile">Whether a --config-file supplied them (etcd then keeps the default
    /// advertise-client-urls when only listen-client-urls is given).</param>
    public static string? Validate(ResolvedSettings settings, bool fromConfigFile) =>
        CheckLogging(settings)
        ?? CheckBindable(settings, "listen-peer-urls")
        ?? CheckBindable(settings, "listen-client-urls")
        ?? CheckBindable(settings, "listen-metrics-urls")
        ?? CheckAdvertised(settings, "initial-advertise-peer-urls")
        ?? CheckAdvertised(settings, "advertise-client-urls")
        ?? CheckBootstrapFlags(settings)
        ?? CheckTimeouts(settings)
        ?? CheckAdvertiseClientUrlsGiven(settings, fromConfigFile)
        ?? CheckAutoCompactionMode(settings)
        ?? CheckLeaseCheckpoint(settings)
        ?? CheckUrisUsable(settings);

    private static string? CheckLogging(ResolvedSettings s)
    {
        var outputs = s.Value<IReadOnlyList<string>>("log-outputs");
        switch (s.Value<string>("logger"))
        {
            case "capnslog":
                if (outputs.Count != 1)
                {
                    return $"--logger=capnslog supports only 1 value in '--log-outputs', got [{string.Join(" ", outputs.Select(o => $"\"{o}\""))}]";
                }
                if (outputs[0] is not ("default" or "stderr" or "stdout"))
                {
                    return $"unknown log-output \"{outputs[0]}\" (only supports \"default\", \"stderr\", \"stdout\")";
                }
                break;
            case "zap":
                if (outputs.Count > 1 && outputs.Contains("default"))
                {
                    return "multi logoutput for \"default\" is not supported yet";
                }
                break;
            default:
                return $"unknown logger option \"{s.Value<string>("logger")}\"";
        }
        var level = s.Value<string>("log-level");
        return LogLevels.Contains(level.ToLowerInvariant())
            ? null
            : $"unknown log level \"{level}\" for --log-level (only supports debug, info, warn, error, panic, or fatal)";
    }

    private static string? CheckBindable(ResolvedSettings s, string name) =>
        EtcdUrls.CheckBindable(s.Value<IReadOnlyList<string>>(name));

    private static string? CheckAdvertised(ResolvedSettings s, string name)
    {
        var urls = s.Value<IReadOnlyList<string>>(name);
        var error = EtcdUrls.CheckHasHost(urls);
        return error is null ? null : $"--{name} \"{string.Join(",", urls)}\" must be \"host:port\" ({error})";
    }

    private static string? CheckBootstrapFlags(ResolvedSettings s)
    {
        var ways = new[]
        {
            s.Value<string>("discovery").Length > 0,
            ClusterOf(s).Count > 0,
            s.Value<string>("discovery-srv").Length > 0,
        };
        return ways.Count(set => set) > 1
            ? "multiple discovery or bootstrap flags are set. Choose one of \"initial-cluster\", \"discovery\" or \"discovery-srv\""
            : null;
    }

    private static string? CheckTimeouts(ResolvedSettings s)
    {
        var tick = s.Value<ulong>("heartbeat-interval");
        var election = s.Value<ulong>("election-timeout");
        if (tick == 0)
        {
            return $"--heartbeat-interval must be >0 (set to {tick}ms)";
        }
        if (election == 0)
        {
            return $"--election-timeout must be >0 (set to {election}ms)";
        }
        if (tick > election / 5)
        {
            return $"--election-timeout[{election}ms] should be at least as 5 times as --heartbeat-interval[{tick}ms]";
        }
        return election > MaxElectionMs
            ? $"--election-timeout[{election}ms] is too long, and should be set less than {MaxElectionMs}ms"
            : null;
    }

    /// <summary>
    /// etcdmain drops the default advertise-client-urls when --listen-client-urls is set from the command line or
    /// environment without --advertise-client-urls; Validate then refuses the empty list.
    /// </summary>
    private static string? CheckAdvertiseClientUrlsGiven(ResolvedSettings s, bool fromConfigFile)
    {
        var missing = !fromConfigFile && s.IsSet("listen-client-urls") && !s.IsSet("advertise-client-urls");
        return missing
            ? "--advertise-client-urls is required when --listen-client-urls is set explicitly\n" +
              "When listening on specific address(es), this member must advertise accessible url(s) to each connected client."
            : null;
    }

    private static string? CheckAutoCompactionMode(ResolvedSettings s)
    {
        var mode = s.Value<string>("auto-compaction-mode");
        return mode is "" or "periodic" or "revision" ? null : $"unknown auto-compaction-mode \"{mode}\"";
    }

    private static string? CheckLeaseCheckpoint(ResolvedSettings s) =>
        s.Value<bool>("experimental-enable-lease-checkpoint-persist") && !s.Value<bool>("experimental-enable-lease-checkpoint")
            ? "setting experimental-enable-lease-checkpoint-persist requires experimental-enable-lease-checkpoint"
            : null;

    /// <summary>Go accepts a few URLs .NET cannot hold (an empty host in --initial-cluster); refuse them clearly.</summary>
    private static string? CheckUrisUsable(ResolvedSettings s)
    {
        var lists = new[] { "listen-peer-urls", "listen-client-urls", "listen-metrics-urls", "initial-advertise-peer-urls", "advertise-client-urls" }
            .Select(name => (name, urls: (IEnumerable<string>)s.Value<IReadOnlyList<string>>(name)))
            .Append(("initial-cluster", ClusterOf(s).SelectMany(m => m.Value)));
        foreach (var (name, urls) in lists)
        {
            foreach (var url in urls)
            {
                if (!EtcdUrls.TryToUri(url, out _))
                {
                    return $"--{name}: cairn cannot use the URL \"{url}\" (it needs a host name or address and a port)";
                }
            }
        }
        return null;
    }

    private static IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> ClusterOf(ResolvedSettings s) =>
        s.Value<IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>>>("initial-cluster");
}

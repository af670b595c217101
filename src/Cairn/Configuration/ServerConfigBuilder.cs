using System.Globalization;
using Cairn.Server.Configuration;

namespace Cairn.Configuration;

/// <summary>
/// Turns the merged settings into a <see cref="ServerConfig"/>: derives what etcd derives (the data dir from the
/// name, --initial-cluster from the name and peer URLs, the deprecated --debug and --log-output), validates like
/// etcd, then applies every row of the table and adds etcd's advisory warnings.
/// </summary>
internal static class ServerConfigBuilder
{
    /// <summary>etcd's recommendedMaxRequestBytes (10 MiB).</summary>
    public const ulong RecommendedMaxRequestBytes = 10 * 1024 * 1024;

    /// <summary>etcd's MaxQuotaBytes: the largest recommended backend quota (8 GiB).</summary>
    public const long MaxQuotaBytes = 8L * 1024 * 1024 * 1024;

    /// <summary>The data dir's suffix: "${name}.cairn", never etcd's ".etcd", so cairn never opens an etcd data dir
    /// by default.</summary>
    public const string DataDirSuffix = ".cairn";

    /// <summary>etcd's DefaultName.</summary>
    public const string DefaultName = "default";

    public static ServerConfig? Build(ResolvedSettings settings, bool fromConfigFile, List<string> warnings,
        out string? error)
    {
        error = DeriveLogging(settings, warnings)
            ?? DeriveDataDir(settings)
            ?? DeriveInitialCluster(settings)
            ?? ConfigValidator.Validate(settings, fromConfigFile);
        if (error is not null)
        {
            return null;
        }

        var config = new ServerConfig();
        foreach (var setting in settings.All)
        {
            if (setting.Option.Apply is { } apply)
            {
                config = apply(config, setting.Value);
            }
        }
        AddAdvisories(settings, warnings);
        return config;
    }

    /// <summary>etcd 3.4's handling of the deprecated --log-output and --debug (embed.Config.setupLogging).</summary>
    private static string? DeriveLogging(ResolvedSettings s, List<string> warnings)
    {
        if (s.IsSet("log-output"))
        {
            if (s.IsSet("log-outputs"))
            {
                return "both '--log-output' and '--log-outputs' are set; only set '--log-outputs'";
            }
            warnings.Add("'--log-output' flag has been deprecated! Please use '--log-outputs'!");
            s.Derive("log-outputs", s.Text("log-output"), s["log-output"].Origin);
        }
        if (s.Value<bool>("debug"))
        {
            warnings.Add("deprecated '--debug' flag is set to true (use '--log-level=debug' instead)");
            if (s.IsSet("log-level") && s.Value<string>("log-level") != "debug")
            {
                warnings.Add($"deprecated '--debug' flag is set to true with inconsistent '--log-level={s.Value<string>("log-level")}' flag; logging at debug level");
            }
            s.Derive("log-level", "debug", s["debug"].Origin);
        }
        return null;
    }

    /// <summary>An empty --data-dir means "${name}.cairn" (etcd: "${name}.etcd").</summary>
    private static string? DeriveDataDir(ResolvedSettings s)
    {
        if (s.Value<string>("data-dir").Length == 0)
        {
            s.Derive("data-dir", s.Value<string>("name") + DataDirSuffix, "derived from --name");
        }
        return null;
    }

    /// <summary>
    /// etcd's rule for an unset --initial-cluster: empty when --discovery or --discovery-srv bootstraps the cluster;
    /// otherwise, for a name other than "default", "&lt;name&gt;=&lt;each initial advertise peer URL&gt;"
    /// (InitialClusterFromName, "default" standing in for an empty name); for the name "default" it stays
    /// "default=http://localhost:2380", whatever the peer URLs (the server's bootstrap check then compares them).
    /// </summary>
    private static string? DeriveInitialCluster(ResolvedSettings s)
    {
        if (s.IsSet("initial-cluster"))
        {
            return null;
        }
        if (s.Value<string>("discovery").Length > 0 || s.Value<string>("discovery-srv").Length > 0)
        {
            return s.Derive("initial-cluster", "", "cleared by discovery");
        }
        var name = s.Value<string>("name");
        if (name == DefaultName)
        {
            return null;
        }
        var member = name.Length > 0 ? name : DefaultName;
        var text = string.Join(",", s.Value<IReadOnlyList<string>>("initial-advertise-peer-urls").Select(u => $"{member}={u}"));
        var error = s.Derive("initial-cluster", text, "derived from --name and --initial-advertise-peer-urls");
        return error is null
            ? null
            : $"cannot derive --initial-cluster \"{text}\" from --name and --initial-advertise-peer-urls ({error}); set --initial-cluster";
    }

    /// <summary>Warnings etcd gives at startup for settings past its recommendations.</summary>
    private static void AddAdvisories(ResolvedSettings s, List<string> warnings)
    {
        var requestBytes = s.Value<ulong>("max-request-bytes");
        if (requestBytes > RecommendedMaxRequestBytes)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"--max-request-bytes {requestBytes} exceeds the recommended maximum of {RecommendedMaxRequestBytes} bytes"));
        }
        var quota = s.Value<long>("quota-backend-bytes");
        if (quota > MaxQuotaBytes)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"--quota-backend-bytes {quota} exceeds the recommended maximum quota of {MaxQuotaBytes} bytes"));
        }
    }
}

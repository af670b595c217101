namespace Cairn.Configuration;

/// <summary>
/// The ETCD_* variables, read as etcd reads them (pkg/flags.SetFlagsFromEnv): each row's variable sets its flag,
/// an empty variable counts as unset, and any other ETCD_* variable gets etcd's warning
/// "unrecognized environment variable ETCD_X=value". Other prefixes (ETCDCTL_*, ETCDCOV_*) are not ours.
/// </summary>
internal sealed class EnvironmentSettings
{
    private EnvironmentSettings(IReadOnlyDictionary<string, Setting> settings, IReadOnlyList<string> warnings,
        IReadOnlyDictionary<string, string> errors)
    {
        Settings = settings;
        Warnings = warnings;
        Errors = errors;
    }

    /// <summary>The rows set by a variable, by flag name.</summary>
    public IReadOnlyDictionary<string, Setting> Settings { get; }

    public IReadOnlyList<string> Warnings { get; }

    /// <summary>By flag name, the variables whose values do not parse, e.g. invalid value "abc" for
    /// ETCD_HEARTBEAT_INTERVAL: parse error. Fatal only when the variable is used (no flag overrides it).</summary>
    public IReadOnlyDictionary<string, string> Errors { get; }

    public static EnvironmentSettings Read(IReadOnlyDictionary<string, string> environment)
    {
        var settings = new Dictionary<string, Setting>(StringComparer.Ordinal);
        var warnings = new List<string>();
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (variable, value) in environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!variable.StartsWith("ETCD_", StringComparison.Ordinal))
            {
                continue;
            }
            var option = ConfigTable.FindByEnvVar(variable);
            if (option is null)
            {
                warnings.Add($"unrecognized environment variable {variable}={value}");
                continue;
            }
            if (value.Length == 0)
            {
                continue;
            }
            if (option.Name == "version")
            {
                // etcd reads --version before the environment, so ETCD_VERSION never prints a version; images that
                // set ETCD_VERSION=3.4.23 make etcd itself fail. Cairn ignores it.
                warnings.Add($"ignoring {variable}={value}: --version is read from the command line only");
                continue;
            }
            if (option.Kind == OptionKind.Ignored)
            {
                warnings.Add(CommandLine.IgnoredFlagWarning(option));
            }
            if (OptionValues.TryParse(option, value, out var parsed, out var reason))
            {
                settings[option.Name] = new Setting(option, value, parsed, SettingSource.Environment, variable);
            }
            else
            {
                errors[option.Name] = $"invalid value \"{value}\" for {variable}: {reason}";
            }
        }
        return new EnvironmentSettings(settings, warnings, errors);
    }
}

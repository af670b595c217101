using System.Collections;

namespace Cairn.Configuration;

/// <summary>
/// Reads cairn's configuration as etcd 3.4 reads its own, from the command line (Go flag syntax), the ETCD_*
/// variables and --config-file, and returns the member's ServerConfig, a help or version request, or a fatal error.
/// Where cairn deliberately differs from etcd:
/// <list type="bullet">
/// <item>a flag and its ETCD_* variable both set: equal values are fine; different values warn and the flag wins
/// (etcd exits);</item>
/// <item>with --config-file, the other flags and variables are ignored as in etcd, but each one ignored is named in a
/// warning;</item>
/// <item>a flag cairn does not implement yet, set to a value other than its default, stops cairn with an error
/// naming it;</item>
/// <item>ETCD_VERSION is ignored with a warning (etcd fails on ETCD_VERSION=3.4.23, which some images set).</item>
/// </list>
/// </summary>
internal static class ConfigLoader
{
    private const string FlagHint = "Run 'cairn --help' for the flags cairn accepts (etcd 3.4's).";
    private const string SeeHelp = "See 'cairn --help'.";

    /// <param name="args">The command line, without the program name.</param>
    /// <param name="environment">The process environment (see <see cref="ProcessEnvironment"/>).</param>
    public static ConfigResult Load(string[] args, IReadOnlyDictionary<string, string> environment)
    {
        var warnings = new List<string>();
        var notices = new List<string>();

        var commandLine = CommandLine.Parse(args);
        warnings.AddRange(commandLine.Warnings);
        if (commandLine.HelpRequested)
        {
            return new ConfigResult { Action = ConfigAction.PrintHelp, Text = HelpText.Text, Warnings = warnings };
        }
        if (commandLine.Error is { } syntaxError)
        {
            return Fail(2, $"{syntaxError}\n{FlagHint}", warnings, notices);
        }
        if (commandLine.Positional.Count > 0)
        {
            return Fail(1, PositionalError(commandLine.Positional[0]), warnings, notices);
        }
        if (commandLine.Flags.TryGetValue("version", out var version) && (bool)version.Value)
        {
            return new ConfigResult { Action = ConfigAction.PrintVersion, Text = VersionInfo.Text, Warnings = warnings };
        }

        var env = EnvironmentSettings.Read(environment);
        warnings.AddRange(env.Warnings);

        var configFile = Merge(ConfigTable.Get("config-file"), commandLine, env, warnings, notices, out var envError);
        if (envError is not null)
        {
            return Fail(1, envError, warnings, notices);
        }

        ResolvedSettings settings;
        var fromConfigFile = configFile is { Value: string { Length: > 0 } };
        if (fromConfigFile)
        {
            var path = (string)configFile!.Value;
            var fileSettings = ReadConfigFile(path, out var readError);
            if (readError is not null)
            {
                return Fail(1, readError, warnings, notices);
            }
            warnings.AddRange(fileSettings!.Warnings);
            if (fileSettings.Error is { } fileError)
            {
                return Fail(1, fileError, warnings, notices);
            }
            notices.Add($"loaded server configuration from \"{path}\"; other command-line flags and environment variables are ignored");
            WarnIgnoredForConfigFile(commandLine, env, warnings);
            settings = new ResolvedSettings(fileSettings.Settings.Values);
        }
        else
        {
            var merged = new List<Setting>();
            if (configFile is not null)
            {
                merged.Add(configFile);
            }
            foreach (var option in ConfigTable.All.Where(o => o.Name != "config-file"))
            {
                if (Merge(option, commandLine, env, warnings, notices, out envError) is { } setting)
                {
                    merged.Add(setting);
                }
                if (envError is not null)
                {
                    return Fail(1, envError, warnings, notices);
                }
            }
            settings = new ResolvedSettings(merged);
        }

        var unsupported = UnsupportedErrors(settings);
        if (unsupported.Count > 0)
        {
            // One error per line; Program prefixes the first with "cairn: ", the others carry their own.
            return Fail(1, string.Join("\ncairn: ", unsupported), warnings, notices);
        }

        var config = ServerConfigBuilder.Build(settings, fromConfigFile, warnings, out var invalid);
        if (config is null)
        {
            return Fail(1, $"{invalid}\n{SeeHelp}", warnings, notices);
        }
        return new ConfigResult { Action = ConfigAction.Run, Config = config, Warnings = warnings, Notices = notices };
    }

    /// <summary>A snapshot of this process's environment variables.</summary>
    public static IReadOnlyDictionary<string, string> ProcessEnvironment()
    {
        var snapshot = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            snapshot[(string)entry.Key] = (string?)entry.Value ?? "";
        }
        return snapshot;
    }

    /// <summary>
    /// One row from the command line and the environment: the flag wins; a variable that disagrees gets a warning
    /// naming both; a variable used alone must parse (<paramref name="envError"/> otherwise).
    /// </summary>
    private static Setting? Merge(ConfigOption option, CommandLine commandLine, EnvironmentSettings env,
        List<string> warnings, List<string> notices, out string? envError)
    {
        envError = null;
        commandLine.Flags.TryGetValue(option.Name, out var flag);
        env.Settings.TryGetValue(option.Name, out var variable);
        env.Errors.TryGetValue(option.Name, out var variableError);

        if (flag is not null)
        {
            if (variable is not null && !OptionValues.AreEqual(option, flag.Value, variable.Value))
            {
                warnings.Add($"--{option.Name}=\"{flag.Text}\" and {option.EnvVar}=\"{variable.Text}\" are both set and differ; " +
                    $"using the flag's value (etcd 3.4 would refuse to start)");
            }
            else if (variableError is not null)
            {
                warnings.Add($"{variableError}; using --{option.Name}=\"{flag.Text}\" from the command line instead");
            }
            return flag;
        }
        if (variableError is not null)
        {
            envError = $"{variableError}\n{SeeHelp}";
            return null;
        }
        if (variable is not null)
        {
            notices.Add($"recognized and used environment variable {option.EnvVar}={variable.Text}");
        }
        return variable;
    }

    private static ConfigFileSettings? ReadConfigFile(string path, out string? error)
    {
        if (Directory.Exists(path))
        {
            error = $"cannot read config file {path}: it is a directory";
            return null;
        }
        try
        {
            error = null;
            return ConfigFileSettings.Read(path, File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            error = $"cannot read config file {path}: {e.Message}";
            return null;
        }
    }

    /// <summary>As in etcd, a config file replaces flags and variables; cairn names each one it ignores.</summary>
    private static void WarnIgnoredForConfigFile(CommandLine commandLine, EnvironmentSettings env, List<string> warnings)
    {
        foreach (var flag in commandLine.Flags.Values.Where(f => f.Option.Name is not ("config-file" or "version")))
        {
            warnings.Add($"--{flag.Option.Name} is ignored because --config-file is given (as in etcd, the file alone configures the member)");
        }
        var variables = env.Settings.Values.Select(s => s.Option).Concat(env.Errors.Keys.Select(ConfigTable.Get))
            .Where(o => o.Name != "config-file")
            .Select(o => o.EnvVar)
            .Order(StringComparer.Ordinal);
        foreach (var variable in variables)
        {
            warnings.Add($"{variable} is ignored because --config-file is given (as in etcd, the file alone configures the member)");
        }
    }

    /// <summary>Every row cairn does not implement yet whose value is not the default: one line each.</summary>
    private static List<string> UnsupportedErrors(ResolvedSettings settings) =>
    [
        .. settings.All
            .Where(s => s.Option.Support == OptionSupport.NotYet && !OptionValues.IsDefault(s.Option, s.Value))
            .Select(s => $"--{s.Option.Name} is not supported by this version of cairn; remove it or set it to its default '{s.Option.DefaultText}'" +
                (s.Source == SettingSource.CommandLine ? "" : $" (it is set by {s.Origin})")),
    ];

    private static string PositionalError(string argument)
    {
        var message = $"'{argument}' is not a valid flag. {SeeHelp}";
        return argument is "gateway" or "grpc-proxy"
            ? $"{message}\netcd's '{argument}' subcommand is not part of cairn."
            : message;
    }

    private static ConfigResult Fail(int exitCode, string message, List<string> warnings, List<string> notices) => new()
    {
        Action = ConfigAction.Fail,
        ExitCode = exitCode,
        Text = message,
        Warnings = warnings,
        Notices = notices,
    };
}

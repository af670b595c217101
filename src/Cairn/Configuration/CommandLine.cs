namespace Cairn.Configuration;

/// <summary>
/// The command line parsed with Go's flag package rules, as etcd parses it (flag.FlagSet.Parse):
/// <list type="bullet">
/// <item>-name value, --name value, -name=value, --name=value; a value may itself start with a dash;</item>
/// <item>boolean flags stand alone (--client-cert-auth) or take =value (--client-cert-auth=false), never the next
/// argument;</item>
/// <item>-h, -help, --h, --help ask for help wherever they appear before an error;</item>
/// <item>parsing stops at "--" or at the first argument that is not a flag; what follows is positional;</item>
/// <item>a flag given twice keeps the last value.</item>
/// </list>
/// Errors carry Go's text ("flag provided but not defined: -foo") and make cairn exit with code 2, as Go does.
/// </summary>
internal sealed class CommandLine
{
    private CommandLine(IReadOnlyDictionary<string, Setting> flags, IReadOnlyList<string> positional,
        IReadOnlyList<string> warnings, bool helpRequested, string? error)
    {
        Flags = flags;
        Positional = positional;
        Warnings = warnings;
        HelpRequested = helpRequested;
        Error = error;
    }

    /// <summary>The flags given, by name, each with its last value.</summary>
    public IReadOnlyDictionary<string, Setting> Flags { get; }

    /// <summary>Arguments after the flags (etcd refuses them).</summary>
    public IReadOnlyList<string> Positional { get; }

    /// <summary>Warnings for legacy flags that are ignored.</summary>
    public IReadOnlyList<string> Warnings { get; }

    public bool HelpRequested { get; }

    /// <summary>Go's error text, or null.</summary>
    public string? Error { get; }

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var flags = new Dictionary<string, Setting>(StringComparer.Ordinal);
        var warnings = new List<string>();
        var i = 0;
        while (i < args.Count)
        {
            var arg = args[i];
            if (arg.Length < 2 || arg[0] != '-')
            {
                break;
            }
            var dashes = arg[1] == '-' ? 2 : 1;
            if (dashes == 2 && arg.Length == 2)
            {
                i++;
                break;
            }
            var name = arg[dashes..];
            if (name.Length == 0 || name[0] is '-' or '=')
            {
                return Failed($"bad flag syntax: {arg}");
            }
            i++;

            string? value = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }

            var option = ConfigTable.FindByName(name);
            if (option is null)
            {
                if (name is "help" or "h")
                {
                    return new CommandLine(flags, [], warnings, helpRequested: true, error: null);
                }
                return Failed($"flag provided but not defined: -{name}" + UnknownFlagHint(name));
            }

            if (option.IsBoolLike)
            {
                value ??= "true";
            }
            else if (value is null)
            {
                if (i >= args.Count)
                {
                    return Failed($"flag needs an argument: -{name}");
                }
                value = args[i++];
            }

            if (option.Kind == OptionKind.Ignored)
            {
                warnings.Add(IgnoredFlagWarning(option));
            }
            if (!OptionValues.TryParse(option, value, out var parsed, out var reason))
            {
                return Failed(option.Kind == OptionKind.Bool
                    ? $"invalid boolean value \"{value}\" for -{name}: {reason}"
                    : $"invalid value \"{value}\" for flag -{name}: {reason}");
            }
            flags[name] = new Setting(option, value, parsed, SettingSource.CommandLine, "--" + name);
        }
        return new CommandLine(flags, [.. args.Skip(i)], warnings, helpRequested: false, error: null);
    }

    /// <summary>etcd's warning for a legacy flag (pkg/flags.IgnoredFlag).</summary>
    public static string IgnoredFlagWarning(ConfigOption option) =>
        $"flag \"-{option.Name}\" is no longer supported - ignoring.";

    private static CommandLine Failed(string error) =>
        new(new Dictionary<string, Setting>(), [], [], helpRequested: false, error);

    /// <summary>"Did you mean" for a near miss, e.g. -listen-client-url or -data_dir.</summary>
    private static string UnknownFlagHint(string name)
    {
        var normalized = name.Replace('_', '-').ToLowerInvariant();
        var best = ConfigTable.All
            .Where(o => o.Support != OptionSupport.Ignored)
            .Select(o => (o.Name, Distance: EditDistance(normalized, o.Name)))
            .OrderBy(c => c.Distance)
            .FirstOrDefault();
        return best.Name is not null && best.Distance <= Math.Max(2, normalized.Length / 4)
            ? $"\nDid you mean --{best.Name}?"
            : "";
    }

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            previous = current;
        }
        return previous[b.Length];
    }
}

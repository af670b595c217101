using Cairn.Server.Configuration;

namespace Cairn.Configuration;

/// <summary>
/// One row of the configuration table: an etcd flag with its ETCD_* variable, its --config-file YAML key, its
/// Go type, its default, its help, how far cairn supports it, and how its value lands in <see cref="ServerConfig"/>.
/// </summary>
internal sealed record ConfigOption
{
    public ConfigOption(string name, OptionKind kind, string defaultText, OptionGroup group, OptionSupport support,
        string help)
    {
        Name = name;
        Kind = kind;
        DefaultText = defaultText;
        Group = group;
        Support = support;
        Help = help;
        YamlKey = name;
    }

    // Parsed on first use, by the final row: rows are built with `with { Allowed = ... }`, which copies fields.
    private object? defaultValue;

    /// <summary>The flag name without dashes, e.g. "listen-client-urls".</summary>
    public string Name { get; }

    public OptionKind Kind { get; }

    /// <summary>The default as flag text, e.g. "100", "5s", "http://localhost:2379".</summary>
    public string DefaultText { get; }

    public OptionGroup Group { get; }

    public OptionSupport Support { get; init; }

    public string Help { get; }

    /// <summary>The key in etcd's --config-file schema ("section.key" for TLS settings); null for the two
    /// command-line-only flags, --config-file and --version.</summary>
    public string? YamlKey { get; init; }

    /// <summary>For <see cref="OptionKind.Choice"/> the valid values; for <see cref="OptionKind.Urls"/> the
    /// non-URL values etcd also accepts (e.g. "*" for --cors).</summary>
    public IReadOnlyList<string> Allowed { get; init; } = [];

    /// <summary>An upper bound cairn needs on an unsigned value because the setting is held in an int.</summary>
    public ulong? Max { get; init; }

    /// <summary>The default as `cairn --help` shows it, when it is derived rather than fixed (e.g. "${name}.cairn").</summary>
    public string? ShownDefault { get; init; }

    /// <summary>Sets the parsed value on a ServerConfig; null when the builder derives the effect itself or the
    /// flag has no server setting.</summary>
    public Func<ServerConfig, object, ServerConfig>? Apply { get; init; }

    /// <summary>ETCD_ + the name upper-cased, dashes turned to underscores (etcd's flags.FlagToEnv).</summary>
    public string EnvVar => "ETCD_" + Name.ToUpperInvariant().Replace('-', '_');

    /// <summary>Whether the flag stands alone on the command line (Go's IsBoolFlag).</summary>
    public bool IsBoolLike => Kind is OptionKind.Bool or OptionKind.Ignored;

    /// <summary>The parsed default, of the kind's value type.</summary>
    public object DefaultValue => defaultValue ??= ParseDefault();

    private object ParseDefault() =>
        OptionValues.TryParse(this, DefaultText, out var value, out var error)
            ? value
            : throw new InvalidOperationException($"the table default of --{Name} does not parse: {error}");
}

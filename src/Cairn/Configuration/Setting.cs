namespace Cairn.Configuration;

/// <summary>Where a setting's value came from.</summary>
internal enum SettingSource
{
    Default,
    CommandLine,
    Environment,
    ConfigFile,
}

/// <summary>
/// One row's value from one source: the text as given, the parsed value (see <see cref="OptionKind"/>), and a
/// human description of its origin for messages ("--name", "ETCD_NAME", "name in /etc/cairn.yml line 3").
/// </summary>
internal sealed record Setting(ConfigOption Option, string Text, object Value, SettingSource Source, string Origin)
{
    public static Setting Default(ConfigOption option) =>
        new(option, option.DefaultText, option.DefaultValue, SettingSource.Default, "default");
}

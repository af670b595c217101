using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Cairn.Configuration;

/// <summary>
/// A --config-file in etcd's YAML schema (embed.Config's yaml keys): a mapping of flag names to values, with TLS
/// under client-transport-security and peer-transport-security. URL lists are comma-separated strings;
/// log-outputs and cipher-suites are sequences (a comma-separated string is accepted too); durations are Go
/// duration strings or, as in etcd's JSON form, integers of nanoseconds. Keys match case-insensitively, as
/// etcd's encoding/json does. Unknown keys are ignored with a warning (etcd ignores them silently).
/// </summary>
internal sealed partial class ConfigFileSettings
{
    private readonly Dictionary<string, Setting> settings = new(StringComparer.Ordinal);
    private readonly List<string> warnings = [];
    private readonly string path;

    private ConfigFileSettings(string path) => this.path = path;

    /// <summary>The rows the file sets, by flag name.</summary>
    public IReadOnlyDictionary<string, Setting> Settings => settings;

    public IReadOnlyList<string> Warnings => warnings;

    /// <summary>The first fatal problem (unreadable YAML, a value that does not parse), or null.</summary>
    public string? Error { get; private set; }

    /// <summary>Reads the YAML text of the file at <paramref name="path"/> (the path is used in messages).</summary>
    public static ConfigFileSettings Read(string path, string yaml)
    {
        var file = new ConfigFileSettings(path);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            file.Error = $"config file {path}: line {e.Start.Line}: {e.Message}";
            return file;
        }
        if (stream.Documents.Count == 0 || IsNull(stream.Documents[0].RootNode))
        {
            return file;
        }
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            file.Error = $"config file {path}: expected a mapping of etcd flag names to values at the top level";
            return file;
        }
        file.ReadMapping(root, prefix: "");
        return file;
    }

    private void ReadMapping(YamlMappingNode mapping, string prefix)
    {
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (Error is not null)
            {
                return;
            }
            var key = prefix + ((keyNode as YamlScalarNode)?.Value ?? "");
            var line = keyNode.Start.Line;
            if (prefix.Length == 0 && ConfigTable.YamlSections.Contains(key))
            {
                if (valueNode is YamlMappingNode section)
                {
                    ReadMapping(section, key + ".");
                }
                else if (!IsNull(valueNode))
                {
                    Error = $"config file {path}: line {line}: {key} must be a mapping (cert-file, key-file, ...)";
                }
                continue;
            }

            var option = ConfigTable.FindByYamlKey(key);
            if (option is null)
            {
                warnings.Add($"config file {path}: line {line}: unrecognized key \"{key}\" is ignored{UnknownKeyHint(key)}");
                continue;
            }
            if (option.Kind == OptionKind.Ignored)
            {
                warnings.Add(CommandLine.IgnoredFlagWarning(option));
                continue;
            }
            if (!TryText(valueNode, option, out var text))
            {
                Error = $"config file {path}: line {line}: {key} must be a single value or a list of values";
                continue;
            }
            if (text is null)
            {
                continue;
            }
            if (OptionValues.TryParse(option, text, out var parsed, out var reason))
            {
                settings[option.Name] = new Setting(option, text, parsed, SettingSource.ConfigFile,
                    $"{key} in {path} line {line}");
            }
            else
            {
                Error = $"invalid value \"{text}\" for {key} in config file {path} (line {line}): {reason}";
            }
        }
    }

    /// <summary>The flag text of a YAML value; null text when the value is null (the row stays unset).</summary>
    private static bool TryText(YamlNode node, ConfigOption option, out string? text)
    {
        text = null;
        switch (node)
        {
            case YamlScalarNode scalar when IsNull(scalar):
                return true;
            case YamlScalarNode scalar:
                text = scalar.Value ?? "";
                if (option.Kind is OptionKind.Choice or OptionKind.Urls && text.Length == 0)
                {
                    text = null; // etcd: an empty URL list or initial-cluster-state leaves the default
                }
                else if (option.Kind == OptionKind.Duration && scalar.Style == ScalarStyle.Plain && Integer().IsMatch(text))
                {
                    text += "ns"; // Go's JSON form of a time.Duration
                }
                else if (option.Kind == OptionKind.Bool && scalar.Style == ScalarStyle.Plain)
                {
                    text = Yaml11Bool(text);
                }
                return true;
            case YamlSequenceNode sequence when sequence.Children.All(c => c is YamlScalarNode):
                text = string.Join(",", sequence.Children.Select(c => ((YamlScalarNode)c).Value ?? ""));
                return true;
            default:
                return false;
        }
    }

    /// <summary>YAML 1.1 booleans (yes/no/on/off/y/n), which etcd's YAML reader takes as true/false.</summary>
    private static string Yaml11Bool(string text) => text switch
    {
        "y" or "Y" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" => "true",
        "n" or "N" or "no" or "No" or "NO" or "off" or "Off" or "OFF" => "false",
        _ => text,
    };

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar
        && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static string UnknownKeyHint(string key)
    {
        var option = ConfigTable.FindByName(key);
        return option switch
        {
            { YamlKey: null } => $" (--{key} is a command-line flag only)",
            { YamlKey: { } yamlKey } when !yamlKey.Equals(key, StringComparison.OrdinalIgnoreCase) =>
                $" (the config file spells --{key} as {yamlKey})",
            _ => "",
        };
    }

    [GeneratedRegex("^[+-]?[0-9]+$")]
    private static partial Regex Integer();
}

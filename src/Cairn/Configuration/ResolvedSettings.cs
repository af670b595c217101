namespace Cairn.Configuration;

/// <summary>
/// Every row's effective value after the sources are merged: the value of the winning source, or the default.
/// </summary>
internal sealed class ResolvedSettings
{
    private readonly Dictionary<string, Setting> settings;

    public ResolvedSettings(IEnumerable<Setting> given)
    {
        settings = ConfigTable.All.ToDictionary(o => o.Name, Setting.Default, StringComparer.Ordinal);
        foreach (var setting in given)
        {
            settings[setting.Option.Name] = setting;
        }
    }

    public Setting this[string name] => settings[name];

    /// <summary>Settings in table order.</summary>
    public IEnumerable<Setting> All => ConfigTable.All.Select(o => settings[o.Name]);

    /// <summary>Whether a source set the row (even to its default value).</summary>
    public bool IsSet(string name) => settings[name].Source != SettingSource.Default;

    public T Value<T>(string name) => (T)settings[name].Value;

    public string Text(string name) => settings[name].Text;

    /// <summary>Replaces a value the builder derives (the data dir from the name, --log-outputs from --log-output...);
    /// returns the parse error when the derived text is not valid.</summary>
    public string? Derive(string name, string text, string origin)
    {
        var option = ConfigTable.Get(name);
        if (!OptionValues.TryParse(option, text, out var value, out var error))
        {
            return error;
        }
        settings[name] = new Setting(option, text, value, settings[name].Source, origin);
        return null;
    }
}

using Cairn.Configuration;
using Cairn.Server.Configuration;

namespace Cairn.Tests.Configuration;

/// <summary>Shorthands for loading a configuration in tests.</summary>
internal static class ConfigAssert
{
    public static readonly IReadOnlyDictionary<string, string> NoEnvironment = new Dictionary<string, string>();

    public static ConfigResult Load(params string[] args) => ConfigLoader.Load(args, NoEnvironment);

    public static ConfigResult LoadWithEnv(IReadOnlyDictionary<string, string> env, params string[] args) =>
        ConfigLoader.Load(args, env);

    /// <summary>Loads and expects a member configuration.</summary>
    public static ServerConfig Runs(ConfigResult result)
    {
        Assert.True(result.Action == ConfigAction.Run, $"expected Run, got {result.Action}: {result.Text}");
        return result.Config!;
    }

    /// <summary>Expects a failure with the given exit code; returns the message as Program prints it,
    /// "cairn: " + Text.</summary>
    public static string Fails(ConfigResult result, int exitCode)
    {
        Assert.True(result.Action == ConfigAction.Fail, $"expected Fail, got {result.Action}");
        Assert.Equal(exitCode, result.ExitCode);
        Assert.False(result.Text.StartsWith("cairn: ", StringComparison.Ordinal), "Program adds the prefix");
        Assert.False(result.Text.EndsWith('\n'));
        return "cairn: " + result.Text;
    }

    public static IReadOnlyList<string> Texts(IEnumerable<Uri> uris) => [.. uris.Select(u => u.OriginalString)];

    /// <summary>A value other than the row's default, valid for its kind.</summary>
    public static string OtherValue(ConfigOption option) => option.Kind switch
    {
        OptionKind.Bool => (bool)option.DefaultValue ? "false" : "true",
        OptionKind.Uint or OptionKind.Uint32 or OptionKind.Uint64 => ((ulong)option.DefaultValue == 7 ? 8 : 7).ToString(System.Globalization.CultureInfo.InvariantCulture),
        OptionKind.Int or OptionKind.Int64 => ((long)option.DefaultValue == 7 ? 8 : 7).ToString(System.Globalization.CultureInfo.InvariantCulture),
        OptionKind.Duration => "7s",
        OptionKind.Urls => "http://127.0.0.1:7",
        OptionKind.UniqueStrings or OptionKind.Strings or OptionKind.String => "stderr",
        OptionKind.Choice => option.Allowed.First(a => a != option.DefaultText),
        OptionKind.InitialCluster => "seven=http://127.0.0.1:7",
        _ => "x",
    };
}

using System.Runtime.CompilerServices;
using System.Text;
using Cairn.Configuration;

namespace Cairn.Tests.Configuration;

/// <summary>
/// docs/configuration.md carries the flag table rendered from ConfigTable. When the table changes, run this test
/// with CAIRN_UPDATE_DOCS=1 to rewrite that section, and commit the result.
/// </summary>
public sealed class ConfigDocsTests
{
    private const string Begin = "<!-- BEGIN GENERATED FLAG TABLE: tests/Cairn.Tests/Configuration/ConfigDocsTests.cs -->\n";
    private const string End = "<!-- END GENERATED FLAG TABLE -->\n";

    [Fact]
    public void ConfigurationDoc_HasTheCurrentFlagTable()
    {
        var path = DocPath();
        var doc = File.ReadAllText(path);
        var start = doc.IndexOf(Begin, StringComparison.Ordinal);
        var end = doc.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"{path} lacks the generated-table markers");
        var current = doc[(start + Begin.Length)..end];
        var expected = Render();
        if (current != expected && Environment.GetEnvironmentVariable("CAIRN_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, doc[..(start + Begin.Length)] + expected + doc[end..]);
            return;
        }
        Assert.True(current == expected, $"{path} is out of date with ConfigTable: rerun this test with CAIRN_UPDATE_DOCS=1");
    }

    private static string Render()
    {
        var text = new StringBuilder();
        text.Append("| flag | variable | YAML key | type | default | cairn |\n");
        text.Append("|---|---|---|---|---|---|\n");
        foreach (var option in ConfigTable.All)
        {
            var support = option.Support switch
            {
                OptionSupport.Supported => "yes",
                OptionSupport.Accepted => "accepted, no effect",
                OptionSupport.NotYet => "not yet",
                _ => "ignored, as in etcd",
            };
            text.Append($"| `--{option.Name}` | `{option.EnvVar}` | {(option.YamlKey is null ? "(command line only)" : $"`{option.YamlKey}`")} | ")
                .Append($"{option.Kind} | `{Escape(option.ShownDefault ?? option.DefaultText)}` | {support} |\n");
        }
        return text.ToString();
    }

    private static string Escape(string text) => text.Length == 0 ? "''" : text.Replace("|", "\\|", StringComparison.Ordinal);

    private static string DocPath([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "..", "docs", "configuration.md"));
}

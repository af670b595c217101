using System.Text;

namespace Cairn.Configuration;

/// <summary>
/// `cairn --help`, generated from the table in etcd's layout: usage lines, then each section with
/// "--flag 'default'" and an indented help line. Rows cairn does not support yet say so. No trailing newline.
/// </summary>
internal static class HelpText
{
    private static readonly (OptionGroup Group, string Title)[] Sections =
    [
        (OptionGroup.Member, "Member"),
        (OptionGroup.Clustering, "Clustering"),
        (OptionGroup.Security, "Security"),
        (OptionGroup.Auth, "Auth"),
        (OptionGroup.Monitoring, "Profiling and Monitoring"),
        (OptionGroup.Logging, "Logging"),
        (OptionGroup.Proxy, "v2 Proxy (etcd only; cairn is never a proxy)"),
        (OptionGroup.Experimental, "Experimental feature"),
        (OptionGroup.Unsafe, "Unsafe feature"),
        (OptionGroup.Deprecated, "TO BE DEPRECATED"),
    ];

    public static string Text { get; } = Build();

    private static string Build()
    {
        var text = new StringBuilder();
        text.Append("Usage:\n\n");
        text.Append("  cairn [flags]\n    Start a cairn member: a drop-in replacement for an etcd server, with etcd 3.4's flags.\n\n");
        text.Append("  cairn --version\n    Show the etcd version cairn reports and cairn's own version.\n\n");
        text.Append("  cairn -h | --help\n    Show this help.\n\n");
        text.Append("  cairn --config-file\n    ").Append(ConfigTable.Get("config-file").Help).Append("\n\n");
        text.Append("Every flag can also be set by its ETCD_* variable: --data-dir by ETCD_DATA_DIR. When a flag and its\n");
        text.Append("variable disagree, the flag wins with a warning. A flag marked [not supported yet] stops cairn at\n");
        text.Append("startup when it is set to anything but its default.\n");
        foreach (var (group, title) in Sections)
        {
            text.Append('\n').Append(title).Append(":\n");
            foreach (var option in ConfigTable.All.Where(o => o.Group == group))
            {
                text.Append("  --").Append(option.Name).Append(" '").Append(option.ShownDefault ?? option.DefaultText).Append("'\n");
                text.Append("    ").Append(option.Help).Append(Note(option.Support)).Append('\n');
            }
        }
        return text.ToString().TrimEnd('\n');
    }

    private static string Note(OptionSupport support) => support switch
    {
        OptionSupport.NotYet => " [not supported yet]",
        OptionSupport.Accepted => " [accepted; no effect in cairn]",
        _ => "",
    };
}

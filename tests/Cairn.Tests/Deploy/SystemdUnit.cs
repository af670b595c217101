using System.Text;
using System.Text.RegularExpressions;

namespace Cairn.Tests.Deploy;

/// <summary>
/// The parts of a systemd unit the walkthrough runs by hand (there is no systemd here): the [Service] section's
/// ExecStart (backslash continuations joined), EnvironmentFile and WorkingDirectory; and systemd's reading of an
/// environment file and of ExecStart's words, with <c>${VAR}</c> expanded from that file as systemd does.
/// </summary>
public sealed partial class SystemdUnit
{
    private readonly Dictionary<string, string> _service;

    private SystemdUnit(Dictionary<string, string> service) => _service = service;

    public string ExecStart => _service["ExecStart"];

    /// <summary>The EnvironmentFile path without systemd's leading "-" (which only means "may be missing").</summary>
    public string EnvironmentFile => _service["EnvironmentFile"].TrimStart('-');

    public string? Get(string key) => _service.GetValueOrDefault(key);

    public static SystemdUnit Load(string path)
    {
        var service = new Dictionary<string, string>(StringComparer.Ordinal);
        var section = "";
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            while (line.EndsWith('\\') && i + 1 < lines.Length)
            {
                line = line[..^1].TrimEnd() + " " + lines[++i].Trim();
            }

            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                section = line.Trim('[', ']');
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (section == "Service" && eq > 0)
            {
                service[line[..eq].Trim()] = line[(eq + 1)..].Trim();
            }
        }

        return new SystemdUnit(service);
    }

    /// <summary>systemd's EnvironmentFile: KEY=VALUE lines, comments and blanks skipped, one level of quotes removed.</summary>
    public static Dictionary<string, string> ReadEnvironmentFile(string path)
    {
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var value = line[(eq + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '"' && value[^1] == '"' || value[0] == '\'' && value[^1] == '\''))
            {
                value = value[1..^1];
            }

            vars[line[..eq].Trim()] = value;
        }

        return vars;
    }

    /// <summary>ExecStart's argv: words split on whitespace (quotes group), each <c>${VAR}</c> replaced by its value
    /// within the word; an unset variable expands to nothing, as in systemd.</summary>
    public IReadOnlyList<string> Argv(IReadOnlyDictionary<string, string> environment)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char quote = '\0';
        foreach (var c in ExecStart)
        {
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return [.. words.Select(w => Variable().Replace(w, m => environment.GetValueOrDefault(m.Groups[1].Value, "")))];
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Variable();
}

using System.Runtime.CompilerServices;
using System.Text;

namespace Cairn.Raft.Tests.DataDriven;

/// <summary>One argument of a data-driven command: <c>key</c>, <c>key=value</c> or <c>key=(v1, v2, ...)</c>.</summary>
public sealed record DataDrivenArg(string Key, IReadOnlyList<string> Values)
{
    public string Single => Values.Count == 1 ? Values[0] : throw new FormatException($"{Key} wants one value");
}

/// <summary>One case of a script: a command line, optional input lines, and the expected output.</summary>
public sealed class DataDrivenCase
{
    public required string Position { get; init; }

    public required string Command { get; init; }

    public required IReadOnlyList<DataDrivenArg> Args { get; init; }

    public required string Input { get; init; }

    public required string Expected { get; init; }

    internal string CommandLine { get; init; } = "";

    internal List<string> Leading { get; init; } = [];

    public DataDrivenArg? Arg(string key) => Args.FirstOrDefault(a => a.Key == key);

    public bool HasArg(string key) => Arg(key) is not null;

    public string Fail(string message) => throw new InvalidOperationException($"{Position}: {message}");
}

/// <summary>
/// Runs scripted test files in the style of etcd-io/raft's testdata: each case is a command line with arguments,
/// optional input lines, a "----" separator and the expected output up to a blank line. An output that itself
/// contains blank lines is wrapped in a second "----" line before and after. Lines starting with '#' between cases
/// are comments. Set CAIRN_REWRITE=1 to rewrite the files with the actual output (then review the diff).
/// </summary>
public static class DataDrivenRunner
{
    private const string Separator = "----";

    public static bool Rewrite => Environment.GetEnvironmentVariable("CAIRN_REWRITE") == "1";

    /// <summary>The testdata directory next to the calling test's source file.</summary>
    public static string TestDataDir([CallerFilePath] string callerPath = "") =>
        Path.Combine(Path.GetDirectoryName(callerPath)!, "testdata");

    /// <summary>Every *.txt file under <paramref name="directory"/>, sorted, as xunit theory data.</summary>
    public static TheoryData<string> Files(string directory)
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(directory, "*.txt").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    /// <summary>
    /// Runs every case of <paramref name="path"/> through <paramref name="handler"/> and fails with each mismatch
    /// (or rewrites the file when <see cref="Rewrite"/> is set).
    /// </summary>
    public static void Run(string path, Func<DataDrivenCase, string> handler)
    {
        var (cases, trailer) = Parse(path);
        var failures = new List<string>();
        var rewritten = new StringBuilder();
        foreach (var c in cases)
        {
            string actual = Normalize(handler(c));
            if (actual != c.Expected)
            {
                failures.Add($"{c.Position}: {c.CommandLine}\nexpected:\n{c.Expected}\nactual:\n{actual}\n");
            }

            foreach (string line in c.Leading)
            {
                rewritten.Append(line).Append('\n');
            }

            rewritten.Append(c.CommandLine).Append('\n');
            if (c.Input.Length > 0)
            {
                rewritten.Append(c.Input).Append('\n');
            }

            bool wrap = actual.Split('\n').Any(l => l.Length == 0) && actual.Length > 0;
            rewritten.Append(Separator).Append('\n');
            if (wrap)
            {
                rewritten.Append(Separator).Append('\n').Append(actual).Append('\n')
                    .Append(Separator).Append('\n').Append(Separator).Append('\n');
            }
            else if (actual.Length > 0)
            {
                rewritten.Append(actual).Append('\n');
            }
        }

        foreach (string line in trailer)
        {
            rewritten.Append(line).Append('\n');
        }

        if (Rewrite)
        {
            File.WriteAllText(path, rewritten.ToString());
            return;
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static string Normalize(string s) => s.Replace("\r\n", "\n").TrimEnd('\n');

    private static (List<DataDrivenCase> Cases, List<string> Trailer) Parse(string path)
    {
        string[] lines = File.ReadAllText(path).Replace("\r\n", "\n").Split('\n');
        int n = lines.Length;
        if (n > 0 && lines[n - 1].Length == 0)
        {
            n--;
        }

        var cases = new List<DataDrivenCase>();
        var leading = new List<string>();
        int i = 0;
        while (i < n)
        {
            string line = lines[i];
            if (line.Length == 0 || line.StartsWith('#'))
            {
                leading.Add(line);
                i++;
                continue;
            }

            int cmdLine = i + 1;
            string commandLine = line;
            i++;
            var input = new List<string>();
            while (i < n && lines[i] != Separator)
            {
                input.Add(lines[i]);
                i++;
            }

            if (i >= n)
            {
                throw new FormatException($"{path}:{cmdLine}: missing {Separator}");
            }

            i++;
            var output = new List<string>();
            if (i < n && lines[i] == Separator)
            {
                // Wrapped output: everything up to "----\n----".
                i++;
                while (i + 1 < n && !(lines[i] == Separator && lines[i + 1] == Separator))
                {
                    output.Add(lines[i]);
                    i++;
                }

                if (i + 1 >= n)
                {
                    throw new FormatException($"{path}:{cmdLine}: unterminated wrapped output");
                }

                i += 2;
            }
            else
            {
                while (i < n && lines[i].Length > 0)
                {
                    output.Add(lines[i]);
                    i++;
                }
            }

            var (command, args) = ParseCommand(commandLine, $"{path}:{cmdLine}");
            cases.Add(new DataDrivenCase
            {
                Position = $"{Path.GetFileName(path)}:{cmdLine}",
                Command = command,
                Args = args,
                Input = string.Join('\n', input),
                Expected = string.Join('\n', output),
                CommandLine = commandLine,
                Leading = leading,
            });
            leading = [];
        }

        return (cases, leading);
    }

    private static (string Command, List<DataDrivenArg> Args) ParseCommand(string line, string position)
    {
        var args = new List<DataDrivenArg>();
        int i = 0;
        string command = NextToken(line, ref i);
        while (true)
        {
            SkipSpaces(line, ref i);
            if (i >= line.Length)
            {
                break;
            }

            int start = i;
            while (i < line.Length && line[i] != '=' && line[i] != ' ')
            {
                i++;
            }

            string key = line[start..i];
            if (i < line.Length && line[i] == '=')
            {
                i++;
                if (i < line.Length && line[i] == '(')
                {
                    int close = line.IndexOf(')', i);
                    if (close < 0)
                    {
                        throw new FormatException($"{position}: unclosed ( in {line}");
                    }

                    string inner = line[(i + 1)..close];
                    var values = inner.Length == 0
                        ? []
                        : inner.Split(',').Select(v => v.Trim()).ToList();
                    args.Add(new DataDrivenArg(key, values));
                    i = close + 1;
                }
                else
                {
                    args.Add(new DataDrivenArg(key, [NextToken(line, ref i)]));
                }
            }
            else
            {
                args.Add(new DataDrivenArg(key, []));
            }
        }

        return (command, args);
    }

    private static string NextToken(string line, ref int i)
    {
        SkipSpaces(line, ref i);
        int start = i;
        while (i < line.Length && line[i] != ' ')
        {
            i++;
        }

        return line[start..i];
    }

    private static void SkipSpaces(string line, ref int i)
    {
        while (i < line.Length && line[i] == ' ')
        {
            i++;
        }
    }
}

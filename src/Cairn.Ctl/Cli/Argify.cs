using System.Text.RegularExpressions;

namespace Cairn.Ctl.Cli;

/// <summary>
/// Splits one line of interactive input (txn requests, watch -i) into arguments as etcdctl does: whitespace
/// separates, "double quotes" are Go string literals, 'single quotes' are taken verbatim.
/// </summary>
internal static partial class Argify
{
    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'|[^'\"\\s]\\S*[^'\"\\s]?")]
    private static partial Regex Token();

    public static IReadOnlyList<string> Split(string line)
    {
        var result = new List<string>();
        foreach (Match match in Token().Matches(line))
        {
            var token = match.Value;
            if (token.StartsWith('\''))
            {
                result.Add(token[1..^1]);
            }
            else if (token.StartsWith('"'))
            {
                if (!GoText.TryUnquote(token, out var bytes))
                {
                    throw new CtlException(ExitCode.InvalidInput, $"invalid syntax: {token}");
                }

                result.Add(GoText.Utf8(bytes));
            }
            else
            {
                result.Add(token);
            }
        }

        return result;
    }
}

using System.Text;

namespace Cairn.Ctl.Printers;

/// <summary>
/// The ASCII table that etcdctl draws with olekukonko/tablewriter: upper-case centred headers, right-aligned cells,
/// <c>+---+</c> borders, and cells longer than 30 columns wrapped at spaces with minimum raggedness.
/// </summary>
internal static class AsciiTable
{
    private const int MaxColumnWidth = 30;
    private const int Penalty = 100_000;

    public static string Render(IReadOnlyList<string> header, IReadOnlyList<string[]> rows)
    {
        var columns = header.Count;
        var widths = new int[columns];
        var headerLines = header.Select((h, i) => Cell(h.Replace('_', ' ').Replace('.', ' ').Trim().ToUpperInvariant(), ref widths[i])).ToList();
        var rowLines = rows.Select(row => row.Select((c, i) => Cell(c, ref widths[i])).ToList()).ToList();

        var sb = new StringBuilder();
        var border = "+" + string.Concat(widths.Select(w => new string('-', w + 2) + "+")) + "\n";
        sb.Append(border);
        AppendRow(sb, headerLines, widths, center: true);
        sb.Append(border);
        foreach (var row in rowLines)
        {
            AppendRow(sb, row, widths, center: false);
        }

        sb.Append(border);
        return sb.ToString();
    }

    private static List<string> Cell(string text, ref int width)
    {
        var paragraphs = text.Split('\n');
        var max = Math.Min(paragraphs.Max(p => p.Length), MaxColumnWidth);
        var lines = new List<string>();
        var widest = max;
        foreach (var paragraph in paragraphs)
        {
            foreach (var line in Wrap(paragraph, max))
            {
                widest = Math.Max(widest, line.Length);
                lines.Add(line);
            }
        }

        width = Math.Max(width, widest);
        return lines;
    }

    private static void AppendRow(StringBuilder sb, List<List<string>> cells, int[] widths, bool center)
    {
        var height = cells.Max(c => c.Count);
        for (var line = 0; line < height; line++)
        {
            sb.Append('|');
            for (var i = 0; i < cells.Count; i++)
            {
                var text = line < cells[i].Count ? cells[i][line] : "";
                var gap = widths[i] - text.Length;
                var padded = center ? new string(' ', gap / 2) + text + new string(' ', gap - (gap / 2)) : new string(' ', gap) + text;
                sb.Append(' ').Append(padded).Append(" |");
            }

            sb.Append('\n');
        }
    }

    /// <summary>tablewriter's WrapString: split at spaces, then break lines to minimise the squared slack.</summary>
    public static IReadOnlyList<string> Wrap(string text, int limit)
    {
        var words = text.Replace('\n', ' ').Split(' ');
        foreach (var word in words)
        {
            limit = Math.Max(limit, word.Length);
        }

        var n = words.Length;
        var length = new int[n, n];
        for (var i = 0; i < n; i++)
        {
            length[i, i] = words[i].Length;
            for (var j = i + 1; j < n; j++)
            {
                length[i, j] = length[i, j - 1] + 1 + words[j].Length;
            }
        }

        var breaks = new int[n];
        var cost = new long[n];
        Array.Fill(cost, int.MaxValue);
        for (var i = n - 1; i >= 0; i--)
        {
            if (length[i, n - 1] <= limit)
            {
                cost[i] = 0;
                breaks[i] = n;
                continue;
            }

            for (var j = i + 1; j < n; j++)
            {
                long d = limit - length[i, j - 1];
                var c = (d * d) + cost[j];
                if (length[i, j - 1] > limit)
                {
                    c += Penalty;
                }

                if (c < cost[i])
                {
                    cost[i] = c;
                    breaks[i] = j;
                }
            }
        }

        var lines = new List<string>();
        for (var i = 0; i < n; i = breaks[i])
        {
            lines.Add(string.Join(' ', words[i..breaks[i]]));
        }

        return lines;
    }
}
